"""Fuzz a live luislite from its own OpenAPI description (schemathesis); shared by test_fuzz.py and benchmarks/fuzz.py.

`fuzz` sends generated requests, `cover` schemathesis's systematic boundary cases, all with the authoring key;
every answer must be below 500 and match the description (the LUIS error envelope for errors). `fuzz_app` gives
path parameters that reach past the 404s: a trained, published app with an entity of every kind, and its models.
"""
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import response_schema_conformance
from schemathesis.errors import FailureGroup

from tiny_app import EXAMPLES, INTENTS, train


def _utterance(text: str, intent: str, city: str | None) -> dict:
    start = text.index(city) if city else 0
    labels = [{"entity": "City", "startPos": start, "endPos": start + len(city) - 1}] if city else []
    return {"text": text, "intent": intent, "entities": labels}


FUZZ_APP = {  # the travel app of tiny_app.py, with an entity of every kind
    "luis_schema_version": "7.0.0", "versionId": "0.1", "culture": "en-us",
    "intents": [{"name": name} for name in ["None", *INTENTS]],
    "entities": [{"name": "City", "roles": ["origin", "destination"],
                  "children": [{"name": "Airport", "instanceOf": None, "children": []}]}],
    "closedLists": [{"name": "Airline", "subLists": [{"canonicalForm": "British Airways", "list": ["ba"]}]}],
    "regex_entities": [{"name": "BookingCode", "regexPattern": "[a-z]{3}-[0-9]{4}"}],
    "prebuiltEntities": [{"name": "datetimeV2"}, {"name": "number"}, {"name": "money"}],
    "patternAnyEntities": [{"name": "Hotel", "explicitList": ["the ritz"]}],
    "composites": [{"name": "Trip", "children": ["City", "datetimeV2"]}],
    "phraselists": [{"name": "Cities", "mode": True, "words": "paris,rome,oslo", "activated": True}],
    "patterns": [{"pattern": "book a room at {Hotel}", "intent": "BookFlight"}],
    "utterances": [_utterance(*example) for example in EXAMPLES],
}
# operations that would delete or rename what `fuzz_app` names, leaving the rest of a run only 404s
ENTITY_KINDS = ["entities", "closedlists", "patternanyentities", "compositeentities"]  # the first is the default
DESTRUCTIVE = [("DELETE", r"\{(appId|versionId|intentId|entityId)\}$"), ("PUT", r"/versions/\{versionId\}$"),
               ("DELETE", r"/projects/\{name\}$"), ("PATCH", r"/projects/\{name\}$"),  # CLU: the app, seen so
               ("POST", r"/projects/\{name\}/:(import|train)$")]


@dataclass
class Findings:
    statuses: Counter = field(default_factory=Counter)  # answers by status code
    server_errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return self.statuses.total()


def load_schema(url: str, key: str):
    """The API's description, served by `url`, its requests sent with `key`."""
    config = schemathesis.Config.from_dict({"headers": {"Ocp-Apim-Subscription-Key": key}})
    return schemathesis.openapi.from_url(f"{url}/openapi.json", config=config)


def fuzz_app(http) -> dict:
    """Path parameters naming a new app (`name`: its CLU project), with an entity of every kind, trained and
    published to both slots, its
    version and some of its models (`entityId` by the kind in the path): predictions run the model and every
    recognizer, entity parts reach their entity."""
    name = f"fuzz-{uuid.uuid4().hex[:8]}"
    response = http.post("/apps/import", params={"appName": name}, json=FUZZ_APP)
    assert response.status_code == 201, response.text
    app_id = response.json()
    train(http, app_id)
    for staging in (False, True):
        response = http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": staging})
        assert response.status_code == 201, response.text
    intents = {i["name"]: i["id"] for i in http.get(f"/apps/{app_id}/versions/0.1/intents").json()}
    entities = {kind: http.get(f"/apps/{app_id}/versions/0.1/{kind}").json()[0]["id"] for kind in ENTITY_KINDS}
    return {"appId": app_id, "name": name, "versionId": "0.1", "intentId": intents["BookFlight"],
            "entityId": entities, "modelId": intents["GetWeather"]}


def fuzz(schema, max_examples: int, findings: Findings, path_parameters: dict | None = None) -> Findings:
    """Generated requests: `max_examples` valid and as many invalid ones per operation (hypothesis, derandomized).

    `path_parameters` fixes these where an operation has them, and leaves out the destructive operations."""
    for operation, fixed in _operations(schema, path_parameters or {}):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation.as_strategy(mode, path_parameters=fixed), max_examples, findings)
    return findings


def cover(schema, findings: Findings, path_parameters: dict | None = None) -> Findings:
    """schemathesis's coverage phase: each parameter and field at its bounds, of a wrong type or missing, and
    unexpected methods; `path_parameters` as for `fuzz`."""
    for operation, fixed in _operations(schema, path_parameters or {}):
        for case in schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode),
                                               generation_config=schema.config.generation_for(operation=operation)):
            case.path_parameters = (case.path_parameters or {}) | fixed
            _send(case, findings)
    return findings


def _operations(schema, path_parameters: dict):
    """Each operation (but the destructive ones when path parameters are fixed), with its fixed path parameters."""
    for method, path in DESTRUCTIVE if path_parameters else []:
        schema = schema.exclude(method=method, path_regex=path)
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [parameter.name for parameter in operation.path_parameters if parameter.name in path_parameters]
        yield operation, {name: _value(path_parameters[name], name, operation.path) for name in names}


def _value(value, name: str, path: str):
    """A fixed path parameter; a dict of them is keyed by the path segment before the parameter (`closedlists`)."""
    if not isinstance(value, dict):
        return value
    segment = re.search(rf"/(\w+)/\{{{name}\}}", path)
    return value.get(segment[1] if segment else None, next(iter(value.values())))


def _fuzz_operation(cases, max_examples: int, findings: Findings) -> None:
    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def send(case):
        _send(case, findings)

    try:
        send()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        pass


def _send(case, findings: Findings) -> None:
    """Send the case with the key; tally the answer, and record it if it is a 5xx or off the description."""
    response = case.call(headers=case.operation.schema.config.headers, timeout=60)
    findings.statuses[response.status_code] += 1
    request = f"{case.method} {response.request.url} {str(response.request.body)[:300]}"
    if response.status_code >= 500:
        findings.server_errors.append(f"{response.status_code} {request}\n  {response.text[:300]}")
    try:
        case.validate_response(response, checks=[response_schema_conformance])
    except FailureGroup as failure:
        findings.violations.append(f"{response.status_code} {request}\n  {failure}")
