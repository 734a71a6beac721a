"""The botframework-cli LU format (`.lu` files) to and from the canonical `AppVersion`.

`parse_lu` is lenient on input (bf-cli's `{@entity=text}` and the older `{entity=text}`, roles as
`{@Entity:role=text}` or `{@role=text}`, `-`/`*`/`+` item marks, any indentation); `write_lu` is
canonical, in the layout `bf luis:convert` writes, except that utterance text is kept exactly
(bf-cli collapses runs of whitespace) so that every label keeps its character offsets.

What the format cannot carry, and is dropped: ids, `extra` JSON keys, `regex_features`,
pattern.any explicit lists, and `isRequired` on a feature other than an ML child's type.
A pattern without any `{Entity}` slot reads back as an utterance, as in bf-cli.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from luislite.domain.appversion import (
    ENTITY_KINDS, NONE_INTENT, AppVersion, AppVersionError, Child, CompositeEntity, Entity, Feature,
    Intent, Label, ListEntity, MLEntity, Pattern, PatternAnyEntity, PhraseList, PrebuiltEntity,
    RegexEntity, Role, SubList, Utterance,
)

ENTITY_TYPES = {c.kind.lu_type: c for c in ENTITY_KINDS} | {"simple": MLEntity}  # `@ type Name` -> its class
# the order of `bf luis:convert`'s sections (an entity kind it does not write comes last)
_LAYOUT = (MLEntity, PrebuiltEntity, PhraseList, ListEntity, RegexEntity, CompositeEntity, PatternAnyEntity)
_APP_INFO = {"name": "name", "desc": "desc", "versionId": "version_id", "culture": "culture",
             "tokenizerVersion": "tokenizer_version"}
_UNESCAPE = {"\\": "\\", "{": "{", "}": "}", "[": "[", "]": "]", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE = {"\\": "\\\\", "{": "\\{", "}": "\\}", "\n": "\\n", "\r": "\\r"}
_PATTERN_SLOT = re.compile(r"(?<!\\)\{([^{}=]*)\}")
_WORD = re.compile(r'"([^"]*)"|\'([^\']*)\'|(,)|([^\s,"\']+)')
_PHRASELIST_FLAGS = {"disabled", "enabled", "enabledforallmodels", "disabledforallmodels", "interchangeable",
                     "(interchangeable)"}


class LuWarning(UserWarning):
    """Something in a `.lu` file that luislite reads past (imports, QnA sections)."""


# --- reading ----------------------------------------------------------------------------------

def parse_lu(text: str) -> AppVersion:
    """Read a `.lu` file into an AppVersion; AppVersionError (with the line number) if malformed.

    Like `AppVersion.from_luis`, the result is not yet validated: call `validate()` before trusting it.
    """
    return _LuReader(text).read()


@dataclass
class _Header:
    """An `@ type Name [(interchangeable)] [flags] [hasRoles ...] [usesFeatures ...] [= tail]` line."""
    type: str
    name: str
    roles: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    tail: str | None = None


@dataclass
class _RawLabel:
    """A `{name:role=value}` label as written, before names are resolved to entities and children."""
    name: str
    role: str | None
    start: int
    end: int = -1
    children: list[_RawLabel] = field(default_factory=list)


@dataclass
class _Block:
    """The definition or intent section that the following `-` lines belong to."""
    type: str  # intent | ml | list | phraselist | composite | skip
    target: object = None
    stack: list = field(default_factory=list)  # (indent, node) for ML children and list sublists


class _LuReader:
    def __init__(self, text: str):
        self.lines = text.removeprefix("\ufeff").splitlines()
        self.version = AppVersion(intents=[], settings=[])
        self.block: _Block | None = None
        self.items: list[tuple[int, str, str]] = []  # (line number, intent, body) of utterances and patterns
        self.feature_refs: list[tuple[int, object, list[str]]] = []
        self.number = 0

    def error(self, message: str) -> AppVersionError:
        return AppVersionError(f"Line {self.number}: {message}")

    def read(self) -> AppVersion:
        for self.number, raw in enumerate(self.lines, 1):
            line = raw.strip()
            if line:
                self.read_line(line, len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip()))
        version = self.version
        for self.number, intent, body in self.items:  # labels may define entities that features name
            self.read_item(intent, body)
        for self.number, target, names in self.feature_refs:
            target.features = [self.resolve_feature(name) for name in names]
        if not version.intent(NONE_INTENT):
            version.intents.insert(0, Intent(NONE_INTENT))
        if not version.settings:
            version.settings = AppVersion().settings
        version.entities.sort(key=lambda e: ENTITY_KINDS.index(type(e)))
        return version

    def read_line(self, line: str, indent: int) -> None:
        if line.startswith(">"):
            self.read_comment(line)
        elif line.startswith("#"):
            self.read_intent_header(line)
        elif line.startswith("@"):
            self.read_definition(line)
        elif line.lower().startswith("**filters"):
            raise self.error("**Filters** sections are not supported.")
        elif line[0] in "-*+":
            self.read_body_line(line[1:].strip(), indent)
        elif line.startswith("[") and "](" in line:
            warnings.warn(f"Line {self.number}: import '{line}' ignored; merge the files first.", LuWarning,
                          stacklevel=2)
        elif line.startswith("$"):
            raise self.error("the '$' entity syntax is not supported; define entities with '@'.")
        else:
            raise self.error(f"'{line[:40]}' is not an intent, an entity definition, an utterance or a comment.")

    def read_comment(self, line: str) -> None:
        match = re.match(r">\s*!#\s*@app\.([\w.]+)\s*=\s*(.*)$", line)
        if not match:
            return
        key, value = match.group(1), match.group(2).strip()
        if key in _APP_INFO:
            setattr(self.version, _APP_INFO[key], value.lower() if key == "culture" else value)
        elif key.startswith("settings."):
            self.version.settings.append({"name": key.removeprefix("settings."), "value": value})

    def read_intent_header(self, line: str) -> None:
        name = line[1:].strip()
        if name.startswith("?"):
            warnings.warn(f"Line {self.number}: QnA section '{line}' ignored.", LuWarning, stacklevel=2)
            self.block = _Block("skip")
            return
        if name.startswith("#"):
            raise self.error("nested intent sections ('##') are not supported.")
        if not name:
            raise self.error("an intent header ('#') needs a name.")
        self.block = _Block("intent", self.intent(name))

    def intent(self, name: str) -> Intent:
        intent = self.version.intent(name)
        if intent is None:
            intent = Intent(name)
            self.version.intents.append(intent)
        return intent

    # definitions

    def read_definition(self, line: str) -> None:
        header = self.read_header(line[1:])
        lu_type = header.type.lower()
        if lu_type == "intent":
            self.feature_refs.append((self.number, self.intent(header.name), header.features))
            self.block = None
        elif lu_type == "phraselist":
            self.read_phraselist(header)
        elif lu_type in ENTITY_TYPES:
            self.read_entity(ENTITY_TYPES[lu_type], header)
        else:
            raise self.error(f"unknown definition type '{header.type}'.")

    def read_header(self, text: str) -> _Header:
        """Split `type Name ... [= tail]` into its parts; names may be quoted."""
        left, equals, tail = _split_definition(text)
        words = [(m.group(1) or m.group(2) or m.group(3) or m.group(4), m.group(4) is not None)
                 for m in _WORD.finditer(left)]
        if len(words) < 2 or words[0][0] == "," or words[1][0] == ",":
            raise self.error("a definition needs a type and a name: '@ type Name'.")
        header = _Header(words[0][0], words[1][0], tail=tail if equals else None)
        if words[1][1] and "(" in header.name and header.name.endswith(")"):  # Name(interchangeable)
            header.name, flag = header.name.split("(", 1)
            header.flags.add("(" + flag.lower())
        target = None
        for word, bare in words[2:]:
            keyword = word.lower() if bare else ""
            if keyword in ("hasrole", "hasroles"):
                target = header.roles
            elif keyword in ("usesfeature", "usesfeatures"):
                target = header.features
            elif word == ",":
                continue
            elif target is not None:
                target.append(word)
            elif keyword in _PHRASELIST_FLAGS and header.type.lower() == "phraselist":
                header.flags.add(keyword)
            else:
                raise self.error(f"unexpected '{word}' in the definition of '{header.name}'.")
        return header

    def read_entity(self, cls: type[Entity], header: _Header) -> None:
        if self.version.entity(header.name):
            raise self.error(f"the entity '{header.name}' is defined twice.")
        entity = cls(header.name, roles=[Role(r) for r in header.roles])
        tail = (header.tail or "").strip()
        if cls is RegexEntity:
            if header.tail is not None and not (len(tail) >= 2 and tail[0] == tail[-1] == "/"):
                raise self.error(f"a regex entity is written '@ regex {header.name} = /pattern/'.")
            entity.regex_pattern = tail[1:-1]
        elif cls is CompositeEntity and tail:
            if not (tail.startswith("[") and tail.endswith("]")):
                raise self.error(f"a composite is written '@ composite {header.name} = [child1, child2]'.")
            entity.children = _split_names(tail[1:-1])
        elif tail:
            raise self.error(f"unexpected '{tail[:30]}' after '=' in the definition of '{header.name}'.")
        if header.features:
            if not isinstance(entity, MLEntity):
                raise self.error(f"only machine-learned entities use features ('{header.name}').")
            self.feature_refs.append((self.number, entity, header.features))
        self.version.entities.append(entity)
        self.block = _Block(cls.kind.lu_type, entity) if cls in (MLEntity, ListEntity, CompositeEntity) else None

    def read_phraselist(self, header: _Header) -> None:
        if self.version.phraselist(header.name):
            raise self.error(f"the phrase list '{header.name}' is defined twice.")
        if header.roles or header.features:
            raise self.error(f"a phrase list has no roles or features ('{header.name}').")
        flags = header.flags
        phraselist = PhraseList(
            header.name, _split_phrases(header.tail or ""),
            interchangeable=bool(flags & {"interchangeable", "(interchangeable)"}),
            active="disabled" not in flags, enabled_for_all_models="disabledforallmodels" not in flags,
            id=len(self.version.phraselists) + 1)
        self.version.phraselists.append(phraselist)
        self.block = _Block("phraselist", phraselist)

    # `-` lines

    def read_body_line(self, body: str, indent: int) -> None:
        block = self.block
        if block is None:
            raise self.error("a '-' line must follow an intent ('# Name') or a list, phrase list, ML or "
                             "composite entity definition.")
        if block.type == "intent":
            self.items.append((self.number, block.target.name, body))
        elif block.type == "ml":
            self.read_child(block, body, indent)
        elif block.type == "list":
            self.read_list_item(block, body, indent)
        elif block.type == "phraselist":
            block.target.phrases.extend(_split_phrases(body))
        elif block.type == "composite":
            block.target.children.extend(_split_names(body))

    def read_child(self, block: _Block, body: str, indent: int) -> None:
        """`- @ type Name [usesFeatures ...]`: a child, nested under the last less indented one."""
        if not body.startswith("@"):
            raise self.error(f"children of '{block.target.name}' are written '- @ ml Name'.")
        header = self.read_header(body[1:])
        if header.roles:
            raise self.error(f"a child entity has no roles ('{header.name}').")
        lu_type = header.type.lower()
        if lu_type not in ("ml", "simple") and lu_type in ENTITY_TYPES:
            raise self.error(f"a child is typed by 'ml' or by an entity's name, not '{header.type}'.")
        child = Child(header.name, instance_of=None if lu_type in ("ml", "simple") else header.type)
        while block.stack and block.stack[-1][0] >= indent:
            block.stack.pop()
        parent = block.stack[-1][1] if block.stack else block.target
        parent.children.append(child)
        block.stack.append((indent, child))
        if header.features:
            self.feature_refs.append((self.number, child, header.features))

    def read_list_item(self, block: _Block, body: str, indent: int) -> None:
        """`- canonical :` starts a sublist; more indented `- synonym` lines add to it."""
        current = block.stack[-1] if block.stack else None
        if body.endswith(":") and (current is None or indent <= current[0]):
            sublist = SubList(body[:-1].strip(), id=len(block.target.sublists) + 1)
            if not sublist.canonical_form:
                raise self.error(f"a sublist of '{block.target.name}' has an empty canonical form.")
            block.target.sublists.append(sublist)
            block.stack[:] = [(indent, sublist)]
        elif current is None:
            raise self.error(f"'{body}' comes before any '- canonical form :' line of '{block.target.name}'.")
        else:
            current[1].synonyms.append(body)

    def resolve_feature(self, name: str) -> Feature:
        if self.version.phraselist(name):
            return Feature(feature_name=self.version.phraselist(name).name)
        if self.version.entity(name) or self.version.intent(name) or self._is_child(name):
            return Feature(model_name=name)
        raise self.error(f"the feature '{name}' is neither a phrase list nor a model.")

    def _is_child(self, name: str) -> bool:
        return any(c.name.lower() == name.lower() for e in self.version.entities_of(MLEntity) for c in e.descendants())

    # utterances and patterns (after every definition is known)

    def read_item(self, intent: str, body: str) -> None:
        slots = _PATTERN_SLOT.findall(body)
        if slots:
            if re.search(r"(?<!\\)\{[^{}]*=", body):
                raise self.error("a line mixes labels '{entity=text}' and pattern slots '{entity}'.")
            for slot in slots:
                self.pattern_slot(slot)
            self.version.patterns.append(Pattern(_PATTERN_SLOT.sub(_pattern_slot_text, body), intent))
            return
        text, raw_labels = self.read_labels(body)
        if not text.strip():
            raise self.error("an utterance must not be empty.")
        utterance = Utterance(text, intent)
        for raw in raw_labels:
            self.resolve_label(raw, utterance.labels, None, None)
        self.version.utterances.append(utterance)

    def pattern_slot(self, slot: str) -> None:
        """A `{Entity}` or `{Entity:role}` slot of a pattern; unknown names become pattern.any entities."""
        name, _, role = slot.strip().lstrip("@").partition(":")
        entity = self.version.entity(name.strip()) or self.add_entity(PatternAnyEntity(name.strip()))
        if role.strip() and not entity.role(role.strip()):
            entity.roles.append(Role(role.strip()))

    def read_labels(self, body: str) -> tuple[str, list[_RawLabel]]:
        """The plain text of an utterance line and its labels as written, offsets into the plain text."""
        text, labels, stack, i = [], [], [], 0
        while i < len(body):
            char = body[i]
            if char == "\\" and i + 1 < len(body) and body[i + 1] in _UNESCAPE:
                text.append(_UNESCAPE[body[i + 1]])
                i += 2
                continue
            if char == "{":
                end = body.find("=", i)
                if end < 0:
                    raise self.error("a label '{' has no '='.")
                name, _, role = body[i + 1:end].strip().lstrip("@").partition(":")
                if not name.strip() or "{" in name or "}" in name:
                    raise self.error(f"the label '{body[i:end + 1]}' has no entity name.")
                label = _RawLabel(name.strip(), role.strip() or None, len(text))
                (stack[-1].children if stack else labels).append(label)
                stack.append(label)
                i = end + 1
                continue
            if char == "}":
                if not stack:
                    raise self.error("a '}' closes no label.")
                label = stack.pop()
                label.end = len(text)
                if label.end == label.start:
                    raise self.error(f"the label of '{label.name}' is empty.")
            else:
                text.append(char)
            i += 1
        if stack:
            raise self.error(f"the label of '{stack[-1].name}' is not closed with '}}'.")
        return "".join(text), labels

    def resolve_label(self, raw: _RawLabel, labels: list[Label], parent: Label | None, definition) -> None:
        """Add a written label to the utterance's `labels`, or as a child label of `parent`.

        `parent` is the nearest enclosing ML label and `definition` its entity or child: a nested
        name that is one of its children labels that child (an unknown name becomes a new child,
        as in bf-cli); any other name labels an entity at the top level, as LUIS JSON keeps them.
        """
        child = self.child_of(definition, raw)
        if child is not None:
            label = Label(child.name, raw.start, raw.end)
            parent.children.append(label)
            parent, definition = label, child
        else:
            entity, role = self.labeled_entity(raw)
            label = Label(entity.name, raw.start, raw.end, role)
            labels.append(label)
            if isinstance(entity, MLEntity):
                parent, definition = label, entity
        for raw_child in raw.children:
            self.resolve_label(raw_child, labels, parent, definition)

    def child_of(self, definition, raw: _RawLabel) -> Child | None:
        if definition is None or raw.role:
            return None
        child = _find(definition.children, raw.name)
        if child is None and not self.entity_or_role(raw.name):
            child = Child(raw.name)
            definition.children.append(child)
        return child

    def labeled_entity(self, raw: _RawLabel) -> tuple[Entity, str | None]:
        """The entity and role of `{@Entity:role=..}`, `{@Entity=..}` or `{@role=..}`.

        Unknown entities become ML entities and unknown roles are added, as bf-cli does.
        """
        if raw.role:
            entity = self.version.entity(raw.name) or self.add_entity(MLEntity(raw.name))
            role = entity.role(raw.role) or _append(entity.roles, Role(raw.role))
            return entity, role.name
        found = self.entity_or_role(raw.name)
        if found:
            return found[0], found[1].name if found[1] else None
        return self.add_entity(MLEntity(raw.name)), None

    def entity_or_role(self, name: str) -> tuple[Entity, Role | None] | None:
        """The entity called `name`, or the one entity with a role called `name`."""
        entity = self.version.entity(name)
        if entity:
            return entity, None
        owners = [(e, e.role(name)) for e in self.version.entities if e.role(name)]
        if len(owners) > 1:
            raise self.error(f"the role '{name}' belongs to several entities; write '{{@Entity:{name}=...}}'.")
        return owners[0] if owners else None

    def add_entity(self, entity: Entity) -> Entity:
        self.version.entities.append(entity)
        return entity


def _split_definition(text: str) -> tuple[str, str, str]:
    """`left = tail` split at the first `=` outside quotes."""
    quote = None
    for i, char in enumerate(text):
        if char in "\"'":
            quote = None if quote == char else (quote or char)
        elif char == "=" and quote is None:
            return text[:i], "=", text[i + 1:]
    return text, "", ""


def _split_names(text: str) -> list[str]:
    return [name.strip().strip("\"'") for name in text.split(",") if name.strip()]


def _split_phrases(text: str) -> list[str]:
    return [phrase.strip() for phrase in text.split(",") if phrase.strip()]


def _find(children: list[Child], name: str) -> Child | None:
    return next((c for c in children if c.name.lower() == name.lower()), None)


def _append(items: list, item):
    items.append(item)
    return item


def _pattern_slot_text(match: re.Match) -> str:
    return "{" + match.group(1).strip().lstrip("@").strip() + "}"


# --- writing ----------------------------------------------------------------------------------

def write_lu(version: AppVersion) -> str:
    """The `.lu` text of a version, laid out as `bf luis:convert` writes it."""
    sections = [_write_app_info(version), "> # Intent definitions\n"]
    sections += [_write_intent(version, intent) for intent in _intents_with_examples(version)]
    sections += _write_entities(version)
    return "\n".join(sections).rstrip("\n") + "\n"


def _write_app_info(version: AppVersion) -> str:
    lines = ["> LUIS application information"]
    for key, attribute in list(_APP_INFO.items())[:4]:
        value = " ".join(str(getattr(version, attribute)).split())
        if value:
            lines.append(f"> !# @app.{key} = {value}")
    lines.append("> !# @app.luis_schema_version = 7.0.0")
    lines += [f"> !# @app.settings.{s['name']} = {s['value']}" for s in version.settings]
    lines.append(f"> !# @app.tokenizerVersion = {version.tokenizer_version}")
    return "\n".join(lines) + "\n"


def _intents_with_examples(version: AppVersion) -> list[Intent]:
    """The version's intents, plus any intent only named by an utterance or pattern."""
    intents = list(version.intents)
    for item in version.utterances + version.patterns:
        if not any(i.name.lower() == item.intent.lower() for i in intents):
            intents.append(Intent(item.intent))
    return intents


def _write_intent(version: AppVersion, intent: Intent) -> str:
    name = intent.name.lower()
    lines = [f"# {intent.name}"]
    lines += ["- " + write_utterance(u, version) for u in version.utterances if u.intent.lower() == name]
    lines += ["- " + _write_pattern(p.pattern) for p in version.patterns if p.intent.lower() == name]
    if intent.features:
        lines += ["", f"@ intent {_quote(intent.name)}" + _write_roles_and_features([], intent.features)]
    return "\n".join(lines) + "\n"


def _write_pattern(pattern: str) -> str:
    return _PATTERN_SLOT.sub(lambda m: "{@" + m.group(1).lstrip("@") + "}", pattern)


def write_utterance(utterance: Utterance, version: AppVersion | None = None) -> str:
    """The utterance with its labels written in place: `book {@City:origin=paris}`; text escaped."""
    marks = _label_marks(utterance.labels, version)
    opens: dict[int, list[str]] = {}
    closes: dict[int, int] = {}
    stack: list[int] = []
    for start, end, display in marks:
        while stack and stack[-1] <= start:
            stack.pop()
        if stack and end > stack[-1]:
            raise AppVersionError(f"The labels of '{utterance.text}' cross; a .lu file cannot write them.")
        stack.append(end)
        opens.setdefault(start, []).append("{" + display + "=")
        closes[end] = closes.get(end, 0) + 1
    out = []
    for i, char in enumerate(utterance.text):
        out.append("}" * closes.get(i, 0) + "".join(opens.get(i, [])) + _ESCAPE.get(char, char))
    out.append("}" * closes.get(len(utterance.text), 0))
    return "".join(out)


def _label_marks(labels: list[Label], version: AppVersion | None) -> list[tuple[int, int, str]]:
    """(start, end, `@Entity:role` or `@Child`) of every label, outer before inner."""
    marks = []

    def visit(label: Label, top: bool) -> None:
        is_composite = top and version is not None and isinstance(version.entity(label.entity), CompositeEntity)
        display = "@" + label.entity + (f":{label.role}" if top and label.role else "")
        marks.append((label.start, -label.end, not is_composite, len(marks), display))
        for child in label.children:
            visit(child, False)

    for label in sorted(labels, key=lambda l: (l.start, -l.end)):
        visit(label, True)
    return [(start, -neg_end, display) for start, neg_end, _, _, display in sorted(marks)]


def _write_entities(version: AppVersion) -> list[str]:
    sections = []

    def section(title: str, blocks: list[str]) -> None:
        if blocks:
            sections.append(f"> # {title}\n")
            sections.extend(blocks)

    for cls in _LAYOUT + tuple(c for c in ENTITY_KINDS if c not in _LAYOUT):
        if cls is PhraseList:
            section("Phrase list definitions", [_write_phraselist(p) for p in version.phraselists])
        else:
            section(cls.kind.lu_title, [_write_entity(e) for e in version.entities_of(cls)])
    return sections


def _write_entity(entity: Entity) -> str:
    features = entity.features if isinstance(entity, MLEntity) else []
    lines = [f"@ {entity.kind.lu_type} {_quote(entity.name)}"
             + _write_roles_and_features([r.name for r in entity.roles], features)]
    if isinstance(entity, MLEntity):
        lines += _write_children(entity.children, 1)
    elif isinstance(entity, ListEntity) and entity.sublists:
        lines[0] += " ="
        for sublist in entity.sublists:
            lines.append(f"    - {sublist.canonical_form} :")
            lines += [f"        - {synonym}" for synonym in sublist.synonyms]
    elif isinstance(entity, RegexEntity) and entity.regex_pattern:
        lines[0] += f" = /{entity.regex_pattern}/"
    elif isinstance(entity, CompositeEntity) and entity.children:
        lines[0] += f" = [{', '.join(entity.children)}]"
    return "\n".join(lines) + "\n"


def _write_children(children: list[Child], depth: int) -> list[str]:
    lines = []
    for child in children:
        lu_type, features = _child_type(child)
        definition = f"- @ {_quote(lu_type)} {_quote(child.name)}" + _write_roles_and_features([], features)
        lines.append("    " * depth + definition)
        lines += _write_children(child.children, depth + 1)
    return lines


def _child_type(child: Child) -> tuple[str, list[Feature]]:
    """A child's `@ type`: the entity it is an instance of, else its required model feature, else `ml`."""
    if child.instance_of:
        return child.instance_of, child.features
    required = next((f for f in child.features if f.is_required and f.model_name), None)
    if required:
        return required.model_name, [f for f in child.features if f is not required]
    return "ml", child.features


def _write_phraselist(phraselist: PhraseList) -> str:
    flags = (["disabled"] if not phraselist.active else []) + \
            ["enabledForAllModels" if phraselist.enabled_for_all_models else "disabledForAllModels"]
    line = f"@ phraselist {_quote(phraselist.name)}" + ("(interchangeable)" if phraselist.interchangeable else "")
    line += " " + ", ".join(flags)
    if phraselist.phrases:
        line += " =\n    - " + ",".join(p.strip() for p in phraselist.phrases)
    return line + "\n"


def _write_roles_and_features(roles: list[str], features: list[Feature]) -> str:
    text = ""
    if roles:
        text += (" hasRoles " if len(roles) > 1 else " hasRole ") + ", ".join(_quote(r) for r in roles)
    names = [f.feature_name if f.feature_name is not None else f.model_name for f in features]
    if names:
        text += (" usesFeatures " if len(names) > 1 else " usesFeature ") + ", ".join(_quote(n) for n in names)
    return text


def _quote(name: str) -> str:
    return f'"{name}"' if any(c in name for c in " ,;'\t") else name
