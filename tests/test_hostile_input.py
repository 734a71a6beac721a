"""Hostile input over plain HTTP: catastrophic regexes, oversized imports, Unicode in every field, bytes that are
not UTF-8, NUL characters, over-long and path-like names. Each is answered fast, with a result or a LUIS error
`{"error": {"code", "message"}}`, and leaves the stored data (and the filesystem outside the data dir) as it was.

Offsets are Python `str` indices, i.e. Unicode code points of the original query (README, "Offsets"), in examples,
exports and predictions alike: an emoji outside the Basic Multilingual Plane counts 1 (2 UTF-16 units in .NET), and
a combining mark counts 1 on its own. What test_errors.py already sends (a bad-UTF-8 or NUL app name, an over-long
app name or utterance, 15,001 utterances) is not repeated here.
"""
import json
import re
import time
import uuid
from pathlib import Path

import pytest
import requests

from conftest import Http, unique_name
from test_errors import app_names, assert_error, bad
from tiny_app import V2, V3, train

# --- a version with Unicode (and path-like) names everywhere, trained on tiny BERT -------------------------

BOOK, ARABIC, HEBREW, PATHLIKE = "Réserver✈️", "حجز_رحلة", "הזמנה 🙂", "../../etc/passwd"
CITY, PLACE, CODE = "Ville🏙️", "Sta\u0308dte", "קוד🔢"  # ML entity, list entity (a combining mark), regex
ZURICH, CAIRO = "Zu\u0308rich", "القاهرة"  # Zürich with its umlaut as a combining mark
EVIL_REGEXES = ["(a+)+$", "(a|aa)+$", "(x+x+)+y", "^(([a-z])+.)+[A-Z]([a-z])+$", "((?R)|a)+!"]
# Generous for a loaded machine, where these answer in about a second; unbounded, they take minutes or forever.
BOUNDED_SECONDS = 20
FAMILY = "👩‍👩‍👧‍👦"  # 7 code points, 11 UTF-16 units
EXAMPLES = [  # (text, intent, labeled city)
    ("🛫 réserver un vol pour Zu\u0308rich", BOOK, ZURICH),
    (f"{FAMILY} vol pour القاهرة demain", BOOK, CAIRO),
    ("احجز رحلة إلى دبي", ARABIC, "دبي"),
    ("احجز تذكرة إلى عمان ✈️", ARABIC, "عمان"),
    ("הזמן טיסה אל ירושלים", HEBREW, "ירושלים"),
    ("אני רוצה טיסה אל חיפה 🙂", HEBREW, "חיפה"),
    ("show me ../../etc/passwd", PATHLIKE, None),
    ("cat /etc/passwd", PATHLIKE, None),
    ("le ciel est bleu ☁️", "None", None),
    ("السماء زرقاء", "None", None),
]


def unicode_doc() -> dict:
    utterances = []
    for text, intent, city in EXAMPLES:
        start = text.index(city) if city else 0
        entities = [{"entity": CITY, "startPos": start, "endPos": start + len(city) - 1}] if city else []
        utterances.append({"text": text, "intent": intent, "entities": entities})
    return {
        "luis_schema_version": "7.0.0", "versionId": "0.1", "name": "unicode", "desc": "🛫 עברית عربى",
        "culture": "en-us",
        "intents": [{"name": n} for n in ("None", BOOK, ARABIC, HEBREW, PATHLIKE)],
        "entities": [{"name": CITY, "roles": ["dé\u0301part"]}, {"name": "..\\x", "roles": []}],
        "closedLists": [{"name": PLACE, "roles": [], "subLists": [
            {"canonicalForm": ZURICH, "list": ["زيورخ", "ציריך", "zurich"]},
            {"canonicalForm": CAIRO, "list": ["cairo", "קהיר"]}]}],
        "regex_entities": [{"name": CODE, "regexPattern": "[a-z]{2}\\d{4}", "roles": []}]
        + [{"name": f"/abs{n}", "regexPattern": p, "roles": []} for n, p in enumerate(EVIL_REGEXES)],
        "prebuiltEntities": [{"name": "number", "roles": []}, {"name": "datetimeV2", "roles": []}],
        "patterns": [{"pattern": f"vol vers {{{PLACE}}}", "intent": BOOK}],
        "utterances": utterances}


@pytest.fixture(scope="module")
def unicode_app(tiny_server) -> str:
    """The id of an app imported from `unicode_doc()`, trained and published to production."""
    tiny_http = Http(tiny_server, tiny_server.key)
    name = f"✈️ Re\u0301serve حجز טיסה {uuid.uuid4().hex[:6]}"
    response = tiny_http.post("/apps/import", params={"appName": name}, json=unicode_doc())
    assert response.status_code == 201, response.text
    app_id = response.json()
    assert tiny_http.get(f"/apps/{app_id}").json()["name"] == name
    train(tiny_http, app_id)
    response = tiny_http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False})
    assert response.status_code == 201, response.text
    assert predict(tiny_server, app_id, "hello").status_code == 200  # loads the model: later timings leave it out
    return app_id


def predict(server, app_id: str, query: str, version: str = "v3", method: str = "GET") -> requests.Response:
    headers = {"Ocp-Apim-Subscription-Key": server.endpoint_key}
    if version == "v2":
        url = f"{server.url}{V2}/apps/{app_id}"
        if method == "GET":
            return requests.get(url, params={"q": query, "verbose": "true"}, headers=headers, timeout=30)
        return requests.post(url, params={"verbose": "true"}, json=query, headers=headers, timeout=30)
    url = f"{server.url}{V3}/apps/{app_id}/slots/production/predict"
    params = {"verbose": "true", "show-all-intents": "true"}
    if method == "GET":
        return requests.get(url, params=params | {"query": query}, headers=headers, timeout=30)
    return requests.post(url, params=params, json={"query": query}, headers=headers, timeout=30)


def v3_instances(body: dict, entity: str) -> list[dict]:
    return body["prediction"]["entities"].get("$instance", {}).get(entity, [])


def assert_offsets(query: str, v3: dict, v2: dict) -> None:
    """Every entity of both answers indexes the original query, in code points."""
    assert v3["query"] == query and v2["query"] == query
    for instances in v3["prediction"]["entities"].get("$instance", {}).values():
        for instance in instances:
            assert query[instance["startIndex"]:instance["startIndex"] + instance["length"]] == instance["text"]
    for entity in v2["entities"]:
        assert query[entity["startIndex"]:entity["endIndex"] + 1].lower() == entity["entity"]


STORED = ("intents", "entities", "closedlists", "regexentities", "patternanyentities", "prebuilts", "phraselists",
          "patterns", "examples")


def snapshot(http, app_id: str) -> dict:
    """What the server stores for the app (and which apps there are), to compare after refused requests."""
    base = f"/apps/{app_id}/versions/0.1"
    return {kind: http.get(f"{base}/{kind}", params={"take": 500}).json() for kind in STORED} | {
        "app": http.get(f"/apps/{app_id}").json(), "apps": app_names(http),
        "versions": [v["version"] for v in http.get(f"/apps/{app_id}/versions").json()]}


# --- catastrophic regexes -----------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["a" * 499 + "!", "a " * 249 + "!", "x" * 499 + "!", "1" * 500, "1," * 250,
                                   "Aa" * 250, "((((" * 125])
def test_catastrophic_regexes_answer_in_bounded_time(tiny_server, unicode_app, query):
    for version in ("v3", "v2"):
        started = time.monotonic()
        response = predict(tiny_server, unicode_app, query, version)
        assert response.status_code == 200, response.text
        # matching stops after regexes.TIMEOUT (0.05 s) per entity; backtracking on these would never end
        assert time.monotonic() - started < BOUNDED_SECONDS, f"{version} took {time.monotonic() - started:.1f} s"


def test_catastrophic_regexes_are_accepted_and_huge_repeats_refused(http, new_app):
    url = f"/apps/{new_app}/versions/0.1/regexentities"
    for n, pattern in enumerate(EVIL_REGEXES):  # matching is time-bounded: LUIS accepts these, so does luislite
        assert http.post(url, json={"name": f"Evil{n}", "regexPattern": pattern}).status_code == 201
    for pattern in ["(?:a{10000}){10000}", "((a{100}){100}){100}", "(?:[a-z]{1000}|b){1000}", "a{4294967295}"]:
        started = time.monotonic()
        bad(http.post(url, json={"name": "Huge", "regexPattern": pattern}))
        # refused by reading the pattern: compiling the first alone takes seconds and gigabytes (MemoryError at 4 GB)
        assert time.monotonic() - started < BOUNDED_SECONDS
    doc = {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "huge", "culture": "en-us",
           "regex_entities": [{"name": "Huge", "regexPattern": "(?:a{10000}){10000}"}], "utterances": []}
    before = snapshot(http, new_app)
    bad(http.post("/apps/import", params={"appName": unique_name()}, json=doc))
    bad(http.post(f"/apps/{new_app}/versions/import", params={"versionId": "0.2"}, json=doc))
    assert snapshot(http, new_app) == before
    assert http.post(url, json={"name": "Fine", "regexPattern": "\\p{L}{3}\\u263a\\d{2,400}"}).status_code == 201
    assert len(http.get(url).json()) == len(EVIL_REGEXES) + 1


# --- oversized imports ---------------------------------------------------------------------------------

def many_utterances(count: int, padding: str = "") -> dict:
    return {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "huge", "culture": "en-us",
            "intents": [{"name": "None"}],
            "utterances": [{"text": f"utterance {n} {padding}", "intent": "None", "entities": []}
                           for n in range(count)]}


def test_an_import_over_the_body_limit_is_413(http, new_app):
    body = json.dumps(many_utterances(200_000, "x" * 120)).encode()
    assert len(body) > 32 << 20  # LUISLITE_MAX_BODY_MB's default
    before = snapshot(http, new_app)
    response = http.post("/apps/import", params={"appName": unique_name()}, data=body,
                         headers={"Content-Type": "application/json"})
    assert_error(response, 413)  # refused by its length: a parsed body would have been a 400
    assert snapshot(http, new_app) == before


def test_an_import_of_200000_utterances_is_refused(http, new_app):
    """Refused whole, storing nothing. (Not timed: storing them takes seconds too, 15,000 take 0.25 s.)"""
    body = json.dumps(many_utterances(200_000)).encode()
    assert len(body) < 32 << 20
    before = snapshot(http, new_app)
    for url, params in [("/apps/import", {"appName": unique_name()}),
                        (f"/apps/{new_app}/versions/import", {"versionId": "huge"})]:
        response = http.post(url, params=params, data=body, headers={"Content-Type": "application/json"})
        assert "15000" in bad(response)
    assert snapshot(http, new_app) == before


# --- Unicode everywhere -------------------------------------------------------------------------------

def test_unicode_names_and_labels_round_trip(tiny_http, unicode_app):
    base = f"/apps/{unicode_app}/versions/0.1"
    doc = unicode_doc()
    assert {i["name"] for i in tiny_http.get(f"{base}/intents").json()} == {i["name"] for i in doc["intents"]}
    assert {e["name"] for e in tiny_http.get(f"{base}/entities").json()} == {CITY, "..\\x"}
    assert tiny_http.get(f"{base}/closedlists").json()[0]["subLists"][0]["canonicalForm"] == ZURICH
    examples = {e["text"]: e for e in tiny_http.get(f"{base}/examples", params={"take": 500}).json()}
    assert set(examples) == {text for text, _, _ in EXAMPLES}
    for text, intent, city in EXAMPLES:
        assert examples[text]["intentLabel"] == intent
        tokens = examples[text]["tokenizedText"]
        labels = [(label["entityName"], tokens[label["startTokenIndex"]:label["endTokenIndex"] + 1])
                  for label in examples[text]["entityLabels"]]
        assert labels == ([(CITY, [city])] if city else [])
    exported = tiny_http.get(f"{base}/export").json()
    assert exported["desc"] == doc["desc"] and exported["closedLists"][0]["name"] == PLACE

    def labels(utterances):
        return [(u["text"], [(e["entity"], e["startPos"], e["endPos"]) for e in u["entities"]]) for u in utterances]

    assert labels(exported["utterances"]) == labels(doc["utterances"])


def test_unicode_offsets_are_code_points_of_the_query(tiny_server, unicode_app):
    query = f"{FAMILY} vol pour {ZURICH} xy1234 ✈️"
    v3, v2 = predict(tiny_server, unicode_app, query).json(), predict(tiny_server, unicode_app, query, "v2").json()
    assert_offsets(query, v3, v2)
    assert set(v3["prediction"]["intents"]) == {"None", BOOK, ARABIC, HEBREW, PATHLIKE}
    assert v3["prediction"]["entities"][PLACE] == [[ZURICH]]
    assert [(i["startIndex"], i["length"]) for i in v3_instances(v3, PLACE)] == [(query.index(ZURICH), len(ZURICH))]
    assert [(i["startIndex"], i["length"]) for i in v3_instances(v3, CODE)] == [(query.index("xy1234"), 6)]
    places = [e for e in v2["entities"] if e["type"] == PLACE]
    start = query.index(ZURICH)
    assert [(e["startIndex"], e["endIndex"], e["entity"]) for e in places] == [(start, start + 6, ZURICH.lower())]
    assert places[0]["resolution"] == {"values": [ZURICH]}


@pytest.mark.parametrize("query, synonym, canonical", [
    ("رحلة إلى زيورخ 🛫", "زيورخ", ZURICH), ("טיסה אל קהיר 🙂🙂", "קהיר", CAIRO),
    ("🛫🛫 vol vers ציריך", "ציריך", ZURICH),
    (f"Zu\u0308rich{FAMILY}cairo", "cairo", CAIRO)])
def test_right_to_left_synonyms_resolve_at_their_offsets(tiny_server, unicode_app, query, synonym, canonical):
    v3, v2 = predict(tiny_server, unicode_app, query, method="POST").json(), \
        predict(tiny_server, unicode_app, query, "v2", "POST").json()
    assert_offsets(query, v3, v2)
    assert [canonical] in v3["prediction"]["entities"][PLACE]
    assert (query.index(synonym), len(synonym)) in [(i["startIndex"], i["length"]) for i in v3_instances(v3, PLACE)]


def test_a_pattern_with_a_unicode_entity_name_matches(tiny_server, unicode_app):
    query = "vol vers ציריך"
    v3 = predict(tiny_server, unicode_app, query).json()
    assert v3["prediction"]["topIntent"] == BOOK
    assert v3["prediction"]["entities"][PLACE] == [[ZURICH]]


def test_odd_queries_are_answered_not_refused(tiny_server, unicode_app):
    """A NUL, bidi controls or bytes that are not UTF-8 in a query's URL are answered (LUIS answers any text);
    a POST body that is not UTF-8 is a 400."""
    for query in ["vol pour zurich\u0000!", "\u0000", "\ufffd\ufffd zurich", "\u202ezurich\u202c", "e\u0301" * 250]:
        for version in ("v3", "v2"):
            for method in ("GET", "POST"):
                response = predict(tiny_server, unicode_app, query, version, method)
                assert response.status_code == 200, (query, version, method, response.text)
    url = f"{tiny_server.url}{V2}/apps/{unicode_app}?q=zurich%FF%FE&subscription-key={tiny_server.endpoint_key}"
    response = requests.get(url, timeout=30)
    assert response.status_code == 200 and response.json()["query"] in ("zurich%FF%FE", "zurich\ufffd\ufffd")
    url = f"{tiny_server.url}{V3}/apps/{unicode_app}/slots/production/predict"
    response = requests.post(url, data=b'{"query": "zurich \xff"}', timeout=30,
                             headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key,
                                      "Content-Type": "application/json"})
    assert "UTF-8" in bad(response)


# --- NUL and bad bytes in what is stored --------------------------------------------------------------

def test_nul_characters_are_refused_wherever_text_is_stored(http, new_app):
    base = f"/apps/{new_app}/versions/0.1"
    assert http.post(f"{base}/intents", json={"name": "Fly"}).status_code == 201
    list_id = http.post(f"{base}/closedlists", json={"name": "L", "subLists": []}).json()
    nul = "a\u0000b"
    cases = [
        ("post", f"{base}/example", {"text": f"fly {nul}", "intentName": "Fly"}),
        ("post", f"{base}/examples", [{"text": f"fly {nul}", "intentName": "Fly"}]),
        ("post", f"{base}/entities", {"name": nul}),
        ("post", f"{base}/closedlists", {"name": "L2", "subLists": [{"canonicalForm": nul, "list": []}]}),
        ("post", f"{base}/closedlists/{list_id}/sublists", {"canonicalForm": "x", "list": [nul]}),
        ("post", f"{base}/regexentities", {"name": "R", "regexPattern": nul}),
        ("post", f"{base}/phraselists", {"name": "P", "phrases": f"x,{nul}"}),
        ("post", f"{base}/patternrule", {"pattern": f"fly to {nul}", "intent": "Fly"}),
        ("post", f"{base}/patternanyentities", {"name": "Any", "explicitList": [nul]}),
        ("put", f"/apps/{new_app}", {"name": "renamed", "description": nul}),
        ("post", "/apps/", {"name": "nul", "culture": "en-us", "description": nul}),
        ("post", "/apps/import", {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "nul", "culture": "en-us",
                                  "intents": [{"name": "None"}], "utterances": [{"text": nul, "intent": "None"}]}),
    ]
    before = snapshot(http, new_app)
    for method, url, body in cases:
        bad(getattr(http, method)(url, json=body))
    assert snapshot(http, new_app) == before
    response = http.post(f"{base}/example", json={"text": "a\\u0000 is no NUL", "intentName": "Fly"})
    assert response.status_code == 201, response.text  # an escaped backslash, then "u0000"
    assert http.get(f"{base}/examples").json()[0]["text"] == "a\\u0000 is no NUL"


def test_bytes_that_are_not_utf8_are_refused(http, new_app):
    base = f"/apps/{new_app}/versions/0.1"
    before = snapshot(http, new_app)
    latin1 = '{"text": "caf\xe9", "intentName": "None"}'.encode("latin-1")
    for url, body in [(f"{base}/example", latin1), (f"{base}/examples", b"[" + latin1 + b"]"),
                      (f"{base}/intents", b'{"name": "\xc3\x28"}'), (f"{base}/entities", b'{"name": "\xed\xa0\x80"}'),
                      ("/apps/import", b'{"name": "\xf8\x88\x80\x80\x80", "culture": "en-us"}'),
                      (f"/apps/{new_app}/versions/import", b'{"versionId": "\xff"}')]:
        assert "UTF-8" in bad(http.post(url, data=body, headers={"Content-Type": "application/json"}))
    assert_error(http.get("/apps/%FF%FE/versions/0.1/intents"), 404, "NotFound")
    assert snapshot(http, new_app) == before


def test_names_over_the_limits_are_refused(http, new_app):
    base = f"/apps/{new_app}/versions/0.1"
    entity = http.post(f"{base}/entities", json={"name": "City"}).json()
    before = snapshot(http, new_app) | {"roles": http.get(f"{base}/entities/{entity}/roles").json()}
    long = "é" * 51
    cases = [(f"{base}/entities", {"name": long}), (f"{base}/closedlists", {"name": long, "subLists": []}),
             (f"{base}/regexentities", {"name": long, "regexPattern": "x"}),
             (f"{base}/regexentities", {"name": "R", "regexPattern": "x" * 501}),
             (f"{base}/patternanyentities", {"name": long, "explicitList": []}),
             (f"{base}/phraselists", {"name": long, "phrases": "a,b"}),
             (f"{base}/entities/{entity}/roles", {"name": long}),
             (f"{base}/entities/{entity}/children", {"name": long}),
             (f"{base}/patternrule", {"pattern": "fly " * 101, "intent": "None"}),
             (f"{base}/clone", {"version": "1" * 51}), ("/apps/", {"name": "🛫" * 51, "culture": "en-us"})]
    for url, body in cases:
        bad(http.post(url, json=body))
    bad(http.put(f"/apps/{new_app}", json={"name": long}))
    bad(http.put(f"{base}/", json={"version": "v" * 51}))
    assert snapshot(http, new_app) | {"roles": http.get(f"{base}/entities/{entity}/roles").json()} == before


# --- path-like names ----------------------------------------------------------------------------------

PATHS = ["../../etc/passwd", "..\\x", "/abs", "..", ".", "\\\\server\\share", "\\Windows\\System32", "./.x"]


def test_path_like_version_ids_are_refused(http, new_app):
    for version in ["..", ".", "../x", "..\\x", "/abs", "x/..", "%2e%2e", "a?b", "a#b"]:
        bad(http.post(f"/apps/{new_app}/versions/0.1/clone", json={"version": version}))
        bad(http.put(f"/apps/{new_app}/versions/0.1/", json={"version": version}))
        bad(http.post(f"/apps/{new_app}/versions/import", params={"versionId": version},
                      json={"luis_schema_version": "7.0.0", "culture": "en-us", "intents": [], "utterances": []}))
    assert [v["version"] for v in http.get(f"/apps/{new_app}/versions").json()] == ["0.1"]
    assert http.post(f"/apps/{new_app}/versions/0.1/clone", json={"version": "..."}).status_code == 201
    assert http.get(f"/apps/{new_app}/versions/.../intents").status_code == 200


def test_path_like_names_stay_names(tiny_server, tiny_http, unicode_app):
    """Apps, intents and entities named like paths are stored as names; trained models are named by ids."""
    for name in PATHS:
        response = tiny_http.post("/apps/", json={"name": f"{name} {uuid.uuid4().hex[:4]}", "culture": "en-us"})
        assert response.status_code == 201, response.text
        assert tiny_http.get(f"/apps/{response.json()}").json()["name"].startswith(name)
    base = f"/apps/{unicode_app}/versions/0.1"
    assert PATHLIKE in [i["name"] for i in tiny_http.get(f"{base}/intents").json()]
    assert predict(tiny_server, unicode_app, "cat ../../etc/passwd").status_code == 200
    data_dir = tiny_server.log.parent
    assert {p.name for p in data_dir.iterdir()} <= {"luislite.db", "luislite.db-wal", "luislite.db-shm", "models",
                                                     "logs", "server.log", "worker.heartbeat", ".startup.lock",
                                                     "model-cache"}  # the database store's local copies
    artifact = re.compile(r"\.?[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-[0-9a-f]{12}(\..*)?")
    models = [p for d in ("models", "model-cache") if (data_dir / d).is_dir() for p in (data_dir / d).iterdir()]
    assert models and all(artifact.fullmatch(p.name) for p in models), [p.name for p in models]
    assert any(p.name.startswith(unicode_app) for p in models)
    strays = [p for p in data_dir.parent.rglob("*") if p.name in {"passwd", "..\\x", "abs", "share", "Windows"}]
    assert strays == [] and not Path("/abs").exists()
