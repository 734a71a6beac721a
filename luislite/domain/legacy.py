"""Upgrade LUIS app JSON of older schemas (2.x to 6.x) to the 7.0.0 shape, as plain dicts.

What changed over the years: `bing_entities` became `prebuiltEntities`, `model_features` became
`phraselists`, hierarchical entities (`Parent::Child` labels) became machine-learned entities with
children, and child labels moved from flat labels into the parent label's `children`.
"""
import json

HIERARCHY_SEPARATOR = "::"


def upgrade(doc: dict) -> dict:
    """A 7.0.0-shaped copy of `doc`; keys this module does not know are left untouched."""
    doc = json.loads(json.dumps(doc))  # a deep copy, several times faster than copy.deepcopy on big apps
    if "model_features" in doc:
        doc.setdefault("phraselists", doc.pop("model_features"))
    _upgrade_prebuilts(doc)
    _upgrade_hierarchicals(doc)
    if not doc.get("actions"):
        doc.pop("actions", None)
    child_names = _child_names(doc.get("entities") or [])
    top_level = {e["name"] for section in ("entities", "composites", "closedLists", "prebuiltEntities",
                                           "patternAnyEntities", "regex_entities") for e in doc.get(section) or []}
    for utterance in doc.get("utterances") or []:
        utterance["entities"] = _nest_labels(utterance.get("entities") or [], child_names, top_level)
    return doc


def _upgrade_prebuilts(doc: dict) -> None:
    prebuilts = doc.setdefault("prebuiltEntities", [])
    known = {p["name"] for p in prebuilts}
    for name in doc.pop("bing_entities", None) or []:
        if name not in known:
            prebuilts.append({"name": name, "roles": []})


def _upgrade_hierarchicals(doc: dict) -> None:
    """Hierarchical entities (a `hierarchicals` section, or string children) become ML entities."""
    entities = doc.setdefault("entities", [])
    for entity in doc.pop("hierarchicals", None) or []:
        entities.append(entity)
    for entity in entities:
        entity["children"] = [{"name": c, "children": [], "features": []} if isinstance(c, str) else c
                              for c in entity.get("children") or []]


def _child_names(entities: list[dict]) -> dict[str, set[str]]:
    """Entity or child name -> names of its children, over every ML entity tree."""
    names: dict[str, set[str]] = {}

    def visit(node):
        names.setdefault(node["name"], set()).update(c["name"] for c in node.get("children") or [])
        for child in node.get("children") or []:
            visit(child)

    for entity in entities:
        visit(entity)
    return names


def _nest_labels(labels: list[dict], child_names: dict, top_level: set) -> list[dict]:
    """Turn `Parent::Child` labels and flat child labels (schema <= 6.x) into nested `children`."""
    result, orphans = [], []
    for label in labels:
        label.setdefault("children", [])
        parent, sep, child = label["entity"].partition(HIERARCHY_SEPARATOR)
        if sep:
            result.append({"entity": parent, "startPos": label["startPos"], "endPos": label["endPos"],
                           "children": [dict(label, entity=child)]})
        elif label["entity"] in top_level:
            result.append(label)
        else:
            orphans.append(label)
    for orphan in orphans:
        container = _deepest_container(result, orphan, child_names)
        (container["children"] if container else result).append(orphan)
    return result


def _deepest_container(labels: list[dict], orphan: dict, child_names: dict) -> dict | None:
    for label in labels:
        if label["startPos"] <= orphan["startPos"] and orphan["endPos"] <= label["endPos"]:
            deeper = _deepest_container(label.get("children") or [], orphan, child_names)
            if deeper:
                return deeper
            if orphan["entity"] in child_names.get(label["entity"], ()):
                return label
    return None
