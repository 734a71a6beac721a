"""Azure CLU's view of a stored app: its project file (`exportedProject`) to and from LUIS app JSON, and its offsets.

One store, two surfaces. A CLU project is a LUIS app (projectName = app name, language = culture); its working
copy is the app's active version; a trained model (label) is a trained version of that id; a deployment is a slot
(publication) of that name, so LUIS's `production` and `staging` slots are deployments too. Entities:

* a learned component <-> a machine-learned entity and its labels. A LUIS ML entity with children shows its
  leaves, named `Parent.Child` (as Microsoft's LUIS migration does); the parents do not cross.
* a list component <-> a list entity: `listKey` = canonical form, synonyms = the canonical form and its list.
* a regex component <-> a regex entity: the expressions joined as alternatives; on export one expression whose
  `regexKey` is the entity's name.
* prebuilt components <-> LUIS prebuilt entities (`PREBUILTS`) each with a role named as the CLU entity.
* LUIS roles of ML, list and regex entities <-> one CLU entity per role, named as the role.
* a CLU entity with several components: the first of its learned, list and regex components is the LUIS entity
  named as it, the others `Name-list`, `Name-regex` (its `aliases`). What LUIS cannot hold, an entity's
  `compositionSetting`, `requiredComponents`, components and aliases (`entity_specs`), is kept in the project's
  CLU row; an entity without one is a single component combining its matches.
* utterances' `dataset`: the texts marked Test are kept beside the app (`test_texts`); LUIS sees all examples.
Not part of CLU, so not exported: patterns, pattern.any and composite entities, phrase lists, features, settings.
"""
import regex

from luislite.errors import InvalidRequest

PREBUILTS = {  # LUIS prebuilt -> CLU prebuilt component
    "number": "Quantity.Number", "datetimeV2": "DateTime", "ordinal": "Quantity.Ordinal",
    "ordinalV2": "Quantity.Ordinal", "percentage": "Quantity.Percentage", "money": "Quantity.Currency",
    "dimension": "Quantity.Dimension", "temperature": "Quantity.Temperature", "age": "Quantity.Age",
    "email": "Email", "phonenumber": "Phone Number", "url": "URL", "personName": "Person.Name",
    "geographyV2": "Geography.Location", "keyPhrase": "General.Organization"}
_LUIS_PREBUILT = {clu.lower().replace(" ", ""): luis for luis, clu in PREBUILTS.items() if luis != "ordinalV2"}
STRING_INDEX_TYPES = {"textelements_v8": "TextElements_v8", "textelement_v8": "TextElements_v8",
                      "unicodecodepoint": "UnicodeCodePoint", "utf16codeunit": "Utf16CodeUnit"}
COMPOSITIONS = ("combineComponents", "separateComponents", "requireExactOverlap", "returnLongestOverlap")
COMPONENTS = {"ml": "learned", "list": "list", "regex": "regex", "prebuilt": "prebuilts"}  # span kind -> component


# --- offsets ------------------------------------------------------------------------------------

def string_index_type(value: str | None, default: str = "TextElements_v8") -> str:
    """CLU's canonical name of a `stringIndexType` (any case, `TextElement_V8` too); InvalidRequest if unknown."""
    if value is None:
        return default
    try:
        return STRING_INDEX_TYPES[str(value).lower()]
    except KeyError:
        raise InvalidRequest(f"The stringIndexType '{value}' is not one of TextElements_v8, UnicodeCodePoint, "
                             "Utf16CodeUnit.") from None


def units(text: str, index: int, kind: str) -> int:
    """The code-point index `index` of `text` in `kind` units: grapheme clusters, UTF-16 code units or code points."""
    prefix = text[:index]
    if kind == "Utf16CodeUnit":
        return len(prefix.encode("utf-16-le")) // 2
    if kind == "TextElements_v8":
        return len(regex.findall(r"\X", prefix))
    return index


def span_units(text: str, start: int, end: int, kind: str) -> tuple[int, int]:
    """(offset, length) in `kind` units of the code points [start, end) of `text`."""
    offset = units(text, start, kind)
    return offset, units(text, end, kind) - offset


def from_utf16(text: str, offset: int) -> int:
    """The code-point index of UTF-16 offset `offset`; InvalidRequest past the text or inside a surrogate pair."""
    count = 0
    for index, char in enumerate(text):
        if count == offset:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    if count == offset:
        return len(text)
    raise InvalidRequest(f"The offset {offset} is not at a character of '{text[:50]}'.")


# --- CLU project file -> LUIS app JSON -----------------------------------------------------------

def _luis_prebuilt(category: str) -> str:
    name = _LUIS_PREBUILT.get(str(category).lower().replace(" ", ""))
    if name is None:
        raise InvalidRequest(f"The prebuilt component '{category}' is not one luislite knows.")
    return name


def _sublist(sublist: dict) -> dict:
    values = [v for synonyms in sublist.get("synonyms") or [] for v in synonyms.get("values") or []]
    canonical = sublist.get("listKey") or (values[0] if values else "")
    return {"canonicalForm": canonical, "list": list(dict.fromkeys(v for v in values if v != canonical))}


def to_luis(project: dict, version_id: str) -> tuple[dict, list[str], dict]:
    """LUIS app JSON (schema 7.0.0) of a CLU project file, the texts of its utterances marked Test, and the
    `entity_specs` of what LUIS's model does not hold."""
    if not isinstance(project, dict) or not isinstance(project.get("metadata"), dict):
        raise InvalidRequest("The project file must be a JSON object with 'metadata'.")
    metadata, assets = project["metadata"], project.get("assets") or {}
    if not isinstance(assets, dict) or assets.get("projectKind", "Conversation") != "Conversation":
        raise InvalidRequest("Only Conversation projects are supported ('assets.projectKind').")
    try:
        return _to_luis(metadata, assets, version_id)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise InvalidRequest(f"The project file is malformed near {error}.") from None


def _spec(entity: dict, labelled: set[str]) -> dict:
    """An entity's components (learned when labelled, required or alone), composition and required components."""
    name, required = entity["category"], entity.get("requiredComponents") or []
    setting = entity.get("compositionSetting") or "combineComponents"
    if setting not in COMPOSITIONS:
        raise InvalidRequest(f"Entity '{name}': the compositionSetting '{setting}' is not one of {COMPOSITIONS}.")
    components = list(dict.fromkeys(k for k, key in (("list", "list"), ("list", "entities"), ("regex", "regex"),
                                                     ("prebuilts", "prebuilts")) if entity.get(key)))
    if name in labelled or "learned" in required or not components:
        components.insert(0, "learned")
    if not set(required) <= set(components):
        raise InvalidRequest(f"Entity '{name}': its requiredComponents {required} are not all its components.")
    named = [k for k in components if k != "prebuilts"]
    return {"compositionSetting": setting, "requiredComponents": list(required), "components": components,
            "aliases": [f"{name}-{k}" for k in named[1:]]}


def _luis_name(name: str, spec: dict, component: str) -> str:
    return name if [k for k in spec["components"] if k != "prebuilts"][0] == component else f"{name}-{component}"


def _to_luis(metadata: dict, assets: dict, version_id: str) -> tuple[dict, list[str], dict]:
    app = {"luis_schema_version": "7.0.0", "versionId": version_id, "name": metadata.get("projectName") or "",
           "desc": metadata.get("description") or "", "culture": metadata["language"],
           "intents": [{"name": i["category"]} for i in assets.get("intents") or []],
           "entities": [], "closedLists": [], "regex_entities": [], "prebuiltEntities": [], "utterances": []}
    labelled = {label["category"] for u in assets.get("utterances") or [] for label in u.get("entities") or []}
    roles: dict[str, list[str]] = {}
    specs = {}
    for entity in assets.get("entities") or []:
        name, lists, regexes = entity["category"], entity.get("list") or entity.get("entities"), entity.get("regex")
        spec = specs[name] = _spec(entity, labelled)
        if "learned" in spec["components"]:
            app["entities"].append({"name": name, "children": [], "features": [], "roles": []})
        if lists:
            app["closedLists"].append({"name": _luis_name(name, spec, "list"), "roles": [],
                                       "subLists": [_sublist(s) for s in lists.get("sublists") or []]})
        if regexes:
            patterns = [e["regexPattern"] for e in regexes.get("expressions") or [] if e.get("regexPattern")]
            pattern = "|".join(patterns if len(patterns) == 1 else [f"(?:{p})" for p in patterns])
            app["regex_entities"].append({"name": _luis_name(name, spec, "regex"), "roles": [],
                                          "regexPattern": pattern})
        for prebuilt in entity.get("prebuilts") or []:
            roles.setdefault(_luis_prebuilt(prebuilt["category"]), []).append(name)
    app["prebuiltEntities"] = [{"name": name, "roles": [{"name": r} for r in names]} for name, names in roles.items()]
    learned = {e["name"] for e in app["entities"]}
    tests = []
    for utterance in assets.get("utterances") or []:
        text = utterance["text"]
        labels = [_label(text, label) for label in utterance.get("entities") or [] if label["category"] in learned]
        app["utterances"].append({"text": text, "intent": utterance["intent"], "entities": labels})
        if str(utterance.get("dataset", "")).lower() == "test":
            tests.append(text)
    return app, tests, {name: spec for name, spec in specs.items() if _kept(spec)}


def _kept(spec: dict) -> bool:
    """Whether an entity's spec says more than its LUIS entities do (a single component combining its matches)."""
    return spec["compositionSetting"] != "combineComponents" or bool(spec["requiredComponents"]) or \
        len(spec["components"]) > 1


def _label(text: str, label: dict) -> dict:
    start = from_utf16(text, int(label["offset"]))
    end = from_utf16(text, int(label["offset"]) + int(label["length"]))
    if end <= start:
        raise InvalidRequest(f"The label of '{label['category']}' in '{text[:50]}' is empty.")
    return {"entity": label["category"], "startPos": start, "endPos": end - 1, "children": []}


# --- LUIS app JSON -> CLU project file -----------------------------------------------------------

def _leaves(entity: dict, prefix: str = ""):
    """Names of an ML entity's leaves: itself, or `Parent.Child` for each leaf below it."""
    name = prefix + entity["name"]
    if not entity.get("children"):
        yield name
    for child in entity.get("children") or []:
        yield from _leaves(child, name + ".")


def role_names(entity: dict) -> list[str]:
    """The role names of a LUIS entity's JSON (an export's strings, or stored objects with ids)."""
    return [r if isinstance(r, str) else r["name"] for r in entity.get("roles") or []]


def _named(entity: dict, component: dict) -> list[dict]:
    """One CLU entity with `component` per role of a LUIS entity, or one named as the entity."""
    names = role_names(entity) or [entity["name"]]
    return [{"category": name, "compositionSetting": "combineComponents"} | component for name in names]


def clu_entities(app: dict) -> list[dict]:
    language = app["culture"]
    entities = [{"category": name} for e in app.get("entities") or [] for name in (role_names(e) or _leaves(e))]
    for closed in app.get("closedLists") or []:
        sublists = [{"listKey": s["canonicalForm"], "synonyms": [
            {"language": language, "values": list(dict.fromkeys([s["canonicalForm"], *s.get("list", [])]))}]}
            for s in closed.get("subLists") or []]
        entities += _named(closed, {"list": {"sublists": sublists}})
    for rx in app.get("regex_entities") or []:
        entities += _named(rx, {"regex": {"expressions": [
            {"regexKey": rx["name"], "language": language, "regexPattern": rx["regexPattern"]}]}})
    for prebuilt in app.get("prebuiltEntities") or []:
        entities += _named(prebuilt, {"prebuilts": [{"category": PREBUILTS.get(prebuilt["name"], prebuilt["name"])}]})
    return entities


def label_leaves(label: dict, prefix: str = ""):
    """(category, start, end) in code points, end exclusive, of a LUIS label's leaves (`Parent.Child`, or a role)."""
    name = prefix + label["entity"]
    if not label.get("children"):
        yield label.get("role") or name, label["startPos"], label["endPos"] + 1
    for child in label.get("children") or []:
        yield from label_leaves(child, name + ".")


def owners(specs: dict) -> dict[str, str]:
    """The CLU entity of each LUIS entity that is one of its components, other than the one named as it."""
    return {alias: name for name, spec in specs.items() for alias in spec.get("aliases") or []}


def _merged(entities: list[dict], specs: dict) -> list[dict]:
    """CLU entities of per-component ones: those whose names are aliases joined to their owner, with its spec."""
    owner, merged = owners(specs), {}
    for entity in entities:
        name = owner.get(entity["category"], entity["category"])
        into = merged.setdefault(name, {"category": name})
        for key, value in entity.items():
            if key == "list":
                into.setdefault("list", {"sublists": []})["sublists"] += value["sublists"]
            elif key == "regex":
                into.setdefault("regex", {"expressions": []})["expressions"] += [
                    e | {"regexKey": name} for e in value["expressions"]]
            elif key == "prebuilts":
                into["prebuilts"] = into.get("prebuilts", []) + value
            elif key != "category":
                into.setdefault(key, value)
    for name, spec in specs.items():
        if name in merged:
            merged[name]["compositionSetting"] = spec["compositionSetting"]
            if spec["requiredComponents"]:
                merged[name]["requiredComponents"] = spec["requiredComponents"]
    return list(merged.values())


def _labels(text: str, labels: list[dict], known: set[str], owner: dict[str, str]) -> list[dict]:
    leaves = [leaf for label in labels for leaf in label_leaves(label) if leaf[0] in known]
    return [dict(zip(("category", "offset", "length"), (owner.get(name, name),
                                                        *span_units(text, start, end, "Utf16CodeUnit"))))
            for name, start, end in leaves]


def from_luis(app: dict, project_name: str, test_texts: set[str], settings: dict, api_version: str,
              specs: dict | None = None) -> dict:
    """The CLU project file of LUIS app JSON and the project's `entity_specs`; labels in UTF-16 code units."""
    entities = clu_entities(app)
    known = {e["category"] for e in entities}
    owner = owners(specs or {})
    utterances = [{"text": u["text"], "language": app["culture"], "intent": u["intent"],
                   "dataset": "Test" if u["text"] in test_texts else "Train",
                   "entities": _labels(u["text"], u.get("entities") or [], known, owner)}
                  for u in app.get("utterances") or []]
    return {"projectFileVersion": api_version, "stringIndexType": "Utf16CodeUnit",
            "metadata": {"projectKind": "Conversation", "projectName": project_name, "language": app["culture"],
                         "multilingual": False, "description": app.get("desc") or "", "settings": settings},
            "assets": {"projectKind": "Conversation", "intents": [{"category": i["name"]} for i in app["intents"]],
                       "entities": _merged(entities, specs or {}), "utterances": utterances}}


def compose(matches: list[tuple], specs: dict) -> list[tuple]:
    """CLU entities of component matches `(category, component, start, end, item)`: `(category, start, end, items)`.

    Per entity, overlapping matches form a group; a group lacking one of `requiredComponents` is dropped. Then by
    `compositionSetting`: combineComponents (default) returns the group as one span, their union, with all items;
    separateComponents each match; returnLongestOverlap the longest match; requireExactOverlap the group as one
    span only when all the entity's components matched exactly the same characters."""
    found = []
    for category in dict.fromkeys(m[0] for m in matches):
        spec = specs.get(category) or {}
        setting = spec.get("compositionSetting") or "combineComponents"
        for group in _overlapping(sorted((m for m in matches if m[0] == category), key=lambda m: (m[2], -m[3]))):
            kinds = {m[1] for m in group}
            if not set(spec.get("requiredComponents") or []) <= kinds:
                continue
            if setting == "separateComponents":
                found += [(category, m[2], m[3], [m[4]]) for m in group]
            elif setting == "returnLongestOverlap":
                longest = max(group, key=lambda m: m[3] - m[2])
                found.append((category, longest[2], longest[3], [longest[4]]))
            elif setting != "requireExactOverlap" or (len({m[2:4] for m in group}) == 1
                                                      and set(spec.get("components") or kinds) <= kinds):
                found.append((category, min(m[2] for m in group), max(m[3] for m in group), [m[4] for m in group]))
    return sorted(found, key=lambda f: (f[1], f[2]))


def _overlapping(matches: list[tuple]):
    """Groups of matches, sorted by start, whose characters overlap (transitively)."""
    group, end = [], -1
    for match in matches:
        if group and match[2] >= end:
            yield group
            group = []
        group.append(match)
        end = max(end, match[3]) if len(group) > 1 else match[3]
    if group:
        yield group
