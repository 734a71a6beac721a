"""samples/ and the README's quick start, run as a user would against a live server (the tiny-BERT one: fast)."""
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import requests

from test_prediction import instances
from tiny_app import train

REPO_SAMPLES = Path(__file__).resolve().parent.parent / "samples"
README = REPO_SAMPLES.parent / "README.md"


def test_sample_app_imports_trains_publishes_and_exports_unchanged(tiny_server, tiny_http):
    sample = json.loads((REPO_SAMPLES / "travel_app.json").read_text())
    assert sample["luis_schema_version"] == "7.0.0" and len(sample["utterances"]) >= 30
    assert sample["closedLists"] and sample["regex_entities"] and sample["prebuiltEntities"] and sample["patterns"]
    assert sample["phraselists"] and any(e["children"] for e in sample["entities"])
    name = f"sample-{uuid.uuid4().hex[:8]}"
    response = tiny_http.post("/apps/import", params={"appName": name}, json=sample)
    assert response.status_code == 201, response.text
    app_id = response.json()
    exported = tiny_http.get(f"/apps/{app_id}/versions/0.1/export").json()
    assert exported["name"] == name and exported | {"name": sample["name"]} == sample

    train(tiny_http, app_id)
    assert tiny_http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False}).status_code == 201
    query = "book a flight from Paris to London on BA"
    response = requests.post(f"{tiny_server.url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict",
                             params={"verbose": "true", "show-all-intents": "true"}, json={"query": query},
                             headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key}, timeout=30)
    assert response.status_code == 200, response.text
    prediction = response.json()["prediction"]
    assert set(prediction["intents"]) == {i["name"] for i in sample["intents"]}
    for instance in instances(prediction["entities"]):
        assert query[instance["startIndex"]:instance["startIndex"] + instance["length"]] == instance["text"]


def test_quickstart_script(tiny_server, tmp_path):
    exported = tmp_path / "quickstart.json"
    run = subprocess.run([sys.executable, "-W", "ignore", str(REPO_SAMPLES / "quickstart.py"),
                          "--endpoint", tiny_server.url, "--key", tiny_server.key, "--export", str(exported)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "published version 0.1" in run.stdout and run.stdout.count("'hey there': ") == 2
    assert "refined model serving" in run.stdout  # the quick model's answers, then the refined one's
    doc = json.loads(exported.read_text())
    assert doc["luis_schema_version"] == "7.0.0" and len(doc["utterances"]) == 13
    trip = next(u for u in doc["utterances"] if u["text"] == "book a flight from paris to london")["entities"][0]
    assert trip["entity"] == "Trip" and [c["entity"] for c in trip["children"]] == ["Origin", "Destination"]


def test_readme_quick_start_runs_verbatim(tiny_server):
    """The README's Python block, with only its endpoint and key replaced."""
    section = README.read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert '"http://127.0.0.1:5000", "<the key in data/authoring-key.json>"' in code
    code = code.replace("http://127.0.0.1:5000", tiny_server.url)
    code = code.replace("<the key in data/authoring-key.json>", tiny_server.key)
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    top_intent = run.stdout.split()[0]
    assert top_intent in ("BookFlight", "None"), run.stdout
