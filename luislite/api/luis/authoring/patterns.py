"""Patterns: add one or a batch, list (all, or an intent's), update one or a batch, delete one or a batch."""
from flask import jsonify

from luislite.services import authoring
from luislite.services import entity_authoring as modeling
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import json_body, load, paging
from luislite.api.openapi import GUID, operation
from luislite.api.responses import created, writes
from luislite.api.luis.schemas.common import PagingQuery, STRING_LIST
from luislite.api.luis.schemas.patterns import PatternRule, PatternRuleInfo

bp = authoring_blueprint("patterns")
VERSION = "/apps/<app_id>/versions/<version_id>"
PATTERNS = f"{VERSION}/patternrules"


@bp.post(f"{VERSION}/patternrule")
@operation(PatternRuleInfo, body=PatternRule)
@writes
def add_pattern(app_id, version_id):
    [pattern] = modeling.add_patterns(authoring.get_version(app_id, version_id), [load(PatternRule())])
    return created(PatternRuleInfo().dump(pattern))


@bp.post(PATTERNS)
@operation([PatternRuleInfo], body=[PatternRule])
@writes
def add_patterns(app_id, version_id):
    patterns = modeling.add_patterns(authoring.get_version(app_id, version_id), load(PatternRule(), many=True))
    return created(PatternRuleInfo(many=True).dump(patterns))


@bp.get(PATTERNS)
@operation([PatternRuleInfo], query=PagingQuery)
def list_patterns(app_id, version_id):
    skip, take = paging()
    patterns = authoring.load(authoring.get_version(app_id, version_id)).patterns
    return jsonify(PatternRuleInfo(many=True).dump(patterns[skip:skip + take]))


@bp.get(f"{VERSION}/intents/<intent_id>/patternrules")
@operation([PatternRuleInfo], query=PagingQuery)
def list_intent_patterns(app_id, version_id, intent_id):
    skip, take = paging()
    patterns = modeling.intent_patterns(authoring.load(authoring.get_version(app_id, version_id)), intent_id)
    return jsonify(PatternRuleInfo(many=True).dump(patterns[skip:skip + take]))


@bp.put(PATTERNS)
@operation([PatternRuleInfo], body=[PatternRule])
@writes
def update_patterns(app_id, version_id):
    patterns = modeling.update_patterns(authoring.get_version(app_id, version_id), load(PatternRule(), many=True))
    return jsonify(PatternRuleInfo(many=True).dump(patterns))


@bp.put(f"{PATTERNS}/<pattern_id>")
@operation(PatternRuleInfo, body=PatternRule)
@writes
def update_pattern(app_id, version_id, pattern_id):
    pattern = load(PatternRule())
    pattern.id = pattern_id
    [updated] = modeling.update_patterns(authoring.get_version(app_id, version_id), [pattern])
    return jsonify(PatternRuleInfo().dump(updated))


@bp.delete(PATTERNS)
@operation(body=[GUID])
@writes
def delete_patterns(app_id, version_id):
    pattern_ids = STRING_LIST.deserialize(json_body())
    modeling.delete_patterns(authoring.get_version(app_id, version_id), pattern_ids)
    return operation_success()


@bp.delete(f"{PATTERNS}/<pattern_id>")
@writes
def delete_pattern(app_id, version_id, pattern_id):
    modeling.delete_patterns(authoring.get_version(app_id, version_id), [pattern_id])
    return operation_success()
