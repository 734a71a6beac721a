"""Prebuilt domains: the shipped catalogue, apps created from a domain, a domain's models added to a version.

A domain is LUIS app JSON, `luislite/prebuilt_domains/<culture>/<Domain>.json.gz` (sources: SOURCES.md there),
whose intents and entities carry LUIS's `inherits` mark (`Calendar.CreateCalendarEntry` inherits the domain
Calendar's model CreateCalendarEntry). What a version takes from a domain keeps the mark, so it is listed as a
custom prebuilt model, exported with `inherits`, and deleted with its domain.
"""
import dataclasses
import functools
import gzip
import json
from pathlib import Path

import sqlalchemy as sa

from luislite.db import App, Version, db
from luislite.domain import cultures
from luislite.domain.appversion import AppVersion, Intent, PrebuiltEntity, inheritance
from luislite.errors import InvalidRequest, NotFound
from luislite.services import authoring
from luislite.services import entity_authoring as modeling

DATA = Path(__file__).resolve().parent.parent / "prebuilt_domains"
_EXAMPLES = 3  # example utterances a catalogue entry shows


@functools.cache
def _files() -> dict[str, dict[str, Path]]:
    """culture -> lower-case domain name -> its file."""
    return {folder.name: {path.name.split(".")[0].lower(): path for path in sorted(folder.glob("*.json.gz"))}
            for folder in sorted(DATA.iterdir()) if folder.is_dir()}


@functools.cache
def _document(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


def _domain(name, culture: str) -> AppVersion:
    """A fresh copy (new ids) of the domain `name` of `culture`, or 400 BadArgument."""
    path = _files().get(culture, {}).get(name.lower() if isinstance(name, str) else None)
    if path is None:
        raise InvalidRequest(f"The prebuilt domain '{name}' is not available in the culture '{culture}'.")
    return authoring.parse_luis(json.loads(json.dumps(_document(path))))


def catalogue(culture: str | None = None) -> list[dict]:
    """The shipped domains, of every culture or of one (400 for a culture LUIS did not serve), as PrebuiltDomain."""
    if culture is not None:
        culture = cultures.culture(culture).code
    return [_listing(_document(path)) for code, domains in _files().items() if culture in (None, code)
            for path in domains.values()]


def _listing(doc: dict) -> dict:
    """A domain's PrebuiltDomain object: its models by their names in the domain, with example utterances."""
    def item(model: dict) -> dict:
        return {"name": model["inherits"]["model_name"], "description": "", "examples": _examples(doc, model["name"])}
    models = [m for section in ("entities", "closedLists", "regex_entities", "patternAnyEntities", "composites")
              for m in doc.get(section) or [] if "inherits" in m]
    return {"name": doc["name"], "culture": doc["culture"], "description": doc["desc"],
            "examples": "; ".join(u["text"] for u in doc["utterances"][:_EXAMPLES]),
            "intents": [item(i) for i in doc["intents"] if "inherits" in i], "entities": [item(e) for e in models]}


def _examples(doc: dict, model: str) -> str:
    texts = (u["text"] for u in doc["utterances"]
             if u["intent"] == model or any(label["entity"] == model for label in u["entities"]))
    return "; ".join(t for _, t in zip(range(_EXAMPLES), texts))


def create_app(domain_name, culture) -> App:
    """A new app holding the domain, named after it (`Calendar`, else `Calendar (2)`...)."""
    culture = cultures.culture(culture).code
    domain = _domain(domain_name, culture)
    return authoring.create_app(_free_app_name(domain.name), culture, domain.desc, domain=domain.name, version=domain)


def _free_app_name(name: str) -> str:
    taken = {n.lower() for n in db.session.scalars(sa.select(App.name))}
    return next(n for n in (name if i == 1 else f"{name} ({i})" for i in range(1, len(taken) + 2))
                if n.lower() not in taken)


def _of(domain_name: str):
    """Whether a model was taken from the domain `domain_name` (any case)."""
    return lambda model: inheritance(model).get("domain_name", "").lower() == domain_name.lower()


def custom_models(definition: AppVersion) -> list:
    """The version's intents and entities taken from prebuilt domains."""
    return [m for m in definition.intents + definition.entities if inheritance(m)]


def add_domain(version: Version, domain_name) -> list[str]:
    """Add a domain's intents, entities (and the prebuilt entities it uses), patterns and examples; their ids."""
    domain = _domain(domain_name, version.app.culture)
    definition = authoring.load(version)
    if any(map(_of(domain.name), definition.intents + definition.entities)):
        raise InvalidRequest(f"The prebuilt domain '{domain.name}' is already in the version.")
    models = custom_models(domain)
    definition.intents += [m for m in models if isinstance(m, Intent)]
    definition.entities += [m for m in models if not isinstance(m, Intent)] + [
        e for e in domain.entities_of(PrebuiltEntity) if not definition.entity(e.name)]
    definition.patterns += domain.patterns
    definition.validate()
    authoring.save(version, definition)
    _add_examples(version, domain.utterances)
    return [m.id for m in models]


def add_model(version: Version, domain_name, model_name, intent: bool) -> str:
    """Add one intent (with its examples, labeled with the entities the version has) or entity of a domain."""
    domain = _domain(domain_name, version.app.culture)
    model = next((m for m in custom_models(domain) if isinstance(m, Intent) == intent
                  and inheritance(m)["model_name"].lower() == str(model_name).lower()), None)
    if model is None:
        raise InvalidRequest(f"The prebuilt domain '{domain.name}' has no {'intent' if intent else 'entity'} "
                             f"named '{model_name}'.")
    if not intent:
        return modeling.add_entity(version, model).id
    definition = authoring.load(version)
    definition.intents.append(model)
    definition.validate()
    authoring.save(version, definition)
    known = [dataclasses.replace(u, labels=[label for label in u.labels if definition.entity(label.entity)])
             for u in domain.utterances if u.intent == model.name]
    _add_examples(version, known)
    return model.id


def _add_examples(version: Version, utterances: list) -> None:
    """Add a domain's examples; the first one the version refuses refuses the whole request."""
    error = next((r for r in authoring.add_examples(version, utterances) if isinstance(r, Exception)), None)
    if error is not None:
        raise error


def delete_domain(version: Version, domain_name) -> None:
    """Delete the intents (with their examples and patterns) and entities (and their labels) of a domain."""
    definition = authoring.load(version)
    models = [m for m in custom_models(definition) if _of(str(domain_name))(m)]
    if not models:
        raise NotFound(f"The version has no model of the prebuilt domain '{domain_name}'.")
    for model in models:
        if isinstance(model, Intent):
            authoring.delete_intent(version, model.id, True)
        else:
            modeling.delete_entity(version, model.id, type(model))
