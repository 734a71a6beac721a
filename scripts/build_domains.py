"""Build luislite's prebuilt domains from the Bot Framework Virtual Assistant skills' `.lu` files (MIT).

Reads the files from a local mirror of microsoft/botframework-solutions at a fixed commit, converts their
LUDown 1.x syntax (`## Intent`, `$Entity:simple`, `$List:canonical=`) to the `.lu` syntax luislite reads, names
every intent and entity as LUIS's domains did (`Calendar.CreateCalendarEntry`, `Calendar.Subject`, with
`inherits`), and writes LUIS app JSON, gzipped (3 MB of JSON, 0.3 MB so), to
`luislite/prebuilt_domains/<culture>/<Domain>.json.gz`. The None intent's utterances are left out: a domain brings
its own intents only. Run once; the output is committed.

    python scripts/build_domains.py [--mirror /work/.mirror/microsoft+botframework-solutions/repo]
"""
import argparse
import gzip
import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from luislite.domain.appversion import NONE_INTENT, PREBUILT_NAMES, PrebuiltEntity
from luislite.services.authoring import parse_luis

COMMIT = "bca1ed6cc07d85af40812eabaefb91aa4559f188"
CULTURES = ("en-us", "zh-cn", "es-es", "de-de", "fr-fr", "it-it")
SKILLS = {  # domain: (path of its .lu under skills/csharp with {culture}, description)
    "Calendar": ("calendarskill/Deployment/Resources/LU/{culture}/Calendar.lu",
                 "Create, find, change and cancel calendar entries and meetings."),
    "Email": ("emailskill/Deployment/Resources/LU/{culture}/Email.lu",
              "Send, read, reply to, forward, search and delete email."),
    "ToDo": ("todoskill/Deployment/Resources/LU/{culture}/ToDo.lu",
             "Add, show, mark and delete items of to-do, shopping and grocery lists."),
    "Weather": ("experimental/weatherskill/Deployment/Resources/LU/{culture}/WeatherSkill.lu",
                "Ask for the weather forecast of a place and time."),
}
OUTPUT = Path(__file__).resolve().parent.parent / "luislite" / "prebuilt_domains"
_DEFINITION = re.compile(r"^\$([^:]+):(.*)$")
_MENTION = re.compile(r"\{([^{}=:]+)(?=[=}:])")


def read(mirror: str, path: str) -> str:
    """A file of the mirror at COMMIT."""
    blob = subprocess.run(["git", f"--git-dir={mirror}", "show", f"{COMMIT}:skills/csharp/{path}"],
                          capture_output=True, check=True).stdout
    return blob.decode("utf-8-sig")


def modern_lu(text: str, domain: str) -> str:
    """LUDown 1.x text as current `.lu`, every intent and (non-prebuilt) entity prefixed with `domain.`."""
    lines, lists = [], defaultdict(list)
    current_list = None
    for raw in text.splitlines():
        line = raw.strip()
        definition = _DEFINITION.match(line)
        if line.startswith("## "):
            intent = line[3:].strip()
            lines.append(f"# {intent if intent == NONE_INTENT else f'{domain}.{intent}'}")
        elif definition and definition[1] == "PREBUILT":
            lines.append(f"@ prebuilt {definition[2].strip()}")
        elif definition:
            name, body = definition[1].strip(), definition[2].strip()
            if body == "simple":
                lines.append(f"@ ml {domain}.{name}")
            elif body.startswith("/"):
                lines.append(f"@ regex {domain}.{name} = {body}")
            else:
                current_list = lists[name]
                current_list.append((body.rstrip("=").strip(), []))
                continue
        elif line.startswith("- ") and current_list is not None:
            current_list[-1][1].append(line[2:].strip())
            continue
        else:
            lines.append(raw)
        current_list = None
    for name, sublists in lists.items():
        lines.append(f"@ list {domain}.{name} =")
        lines += [f"    - {canonical} :" + "".join(f"\n        - {s}" for s in synonyms)
                  for canonical, synonyms in sublists]
    return _MENTION.sub(lambda m: _mention(m[1], domain), "\n".join(lines) + "\n")


def _mention(name: str, domain: str) -> str:
    """`{Name` of a label or pattern slot: `{domain.Name` unless Name is a prebuilt entity."""
    return f"{{{name}" if name in PREBUILT_NAMES else f"{{{domain}.{name}"


def domain_json(text: str, domain: str, culture: str, description: str) -> dict:
    """The domain as LUIS app JSON: its models marked `inherits`, no None utterances."""
    version = parse_luis(modern_lu(text, domain))
    version.name, version.desc, version.culture = domain, description, culture
    version.utterances = [u for u in version.utterances if u.intent != NONE_INTENT]
    for model in version.intents + version.entities:
        if model.name.startswith(f"{domain}.") and not isinstance(model, PrebuiltEntity):
            model.extra["inherits"] = {"domain_name": domain, "model_name": model.name.removeprefix(f"{domain}.")}
    doc = version.to_luis()
    for label in (label for u in doc["utterances"] for label in u["entities"] if not label["children"]):
        del label["children"]
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default="/work/.mirror/microsoft+botframework-solutions/repo")
    args = parser.parse_args()
    for domain, (path, description) in SKILLS.items():
        for culture in CULTURES:
            doc = domain_json(read(args.mirror, path.format(culture=culture)), domain, culture, description)
            target = OUTPUT / culture / f"{domain}.json.gz"
            target.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            target.write_bytes(gzip.compress(text.encode(), mtime=0))
            print(f"{target.relative_to(OUTPUT)}: {len(doc['intents'])} intents, {len(doc['utterances'])} utterances")


if __name__ == "__main__":
    main()
