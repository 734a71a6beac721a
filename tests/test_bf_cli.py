"""Microsoft's Bot Framework CLI against a live server: `bf luis:build`, as Bot Framework Composer runs it, then
`bf luis:test`.

The CLI (npm, pinned in the Makefile) is installed into .bf/ by `make bf`, which `make test` runs first; the
fixture runs it too, so this file also works alone. The CLI's telemetry question is answered by BF_CLI_TELEMETRY,
and it runs with a temporary HOME.
"""
import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import REPO

LU = Path(__file__).parent / "fixtures" / "bfcli_bot.lu"
V3 = "/luis/prediction/v3.0"


@pytest.fixture(scope="module")
def bf(tmp_path_factory):
    """Run `bf <args>` in a directory; its standard output, after asserting it succeeded."""
    subprocess.run(["make", "--no-print-directory", "--silent", "bf"], cwd=REPO, check=True)
    env = os.environ | {"HOME": str(tmp_path_factory.mktemp("bf-home")), "BF_CLI_TELEMETRY": "false"}

    def run(*args, cwd: Path) -> str:
        result = subprocess.run([REPO / ".bf" / "node_modules" / ".bin" / "bf", *map(str, args)], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    return run


def test_luis_build_then_luis_test(bf, tiny_server, tiny_http, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    lu = tmp_path / "bot.lu"
    lu.write_text(LU.read_text())

    def build() -> str:
        return bf("luis:build", "--in", lu, "--authoringKey", tiny_server.key, "--endpoint", tiny_server.url,
                  "--botName", "travelbot", "--suffix", suffix, "--out", "out", "--force", "--log", cwd=tmp_path)

    assert f"Creating LUIS.ai application: travelbot({suffix})-bot.en-us.lu version:0.1" in build()
    settings = json.loads((tmp_path / "out" / f"luis.settings.{suffix}.westus.json").read_text())
    app_id = settings["luis"]["bot_en_us_lu"]["appId"]
    assert tiny_http.get(f"/apps/{app_id}").json()["endpoints"]["PRODUCTION"]["versionId"] == "0.1"
    assert "no changes" in build()  # the CLI compares its model of the .lu with luislite's export: equal

    lu.write_text(LU.read_text().replace("- hi there\n", "- hi there\n- hey\n"))
    assert "creating version=0.2" in build()
    assert "no changes" in build()  # compared with version 0.2, which the import made the active one
    app = tiny_http.get(f"/apps/{app_id}").json()
    assert (app["activeVersion"], app["endpoints"]["PRODUCTION"]["versionId"]) == ("0.2", "0.2")

    bf("luis:test", "--in", lu, "--appId", app_id, "--subscriptionKey", tiny_server.endpoint_key,
       "--endpoint", tiny_server.url, "--out", "result.lu", cwd=tmp_path)
    answers = {p["query"]: p["prediction"] for p in json.loads((tmp_path / "result.lu.log").read_text())}
    exported = tiny_http.get(f"/apps/{app_id}/versions/0.2/export").json()
    intents = {u["text"]: u["intent"] for u in exported["utterances"]}
    assert sorted(answers) == sorted(intents)  # one v3 prediction per utterance
    report = (tmp_path / "result.lu").read_text()
    verdicts = RESULT.findall(report)
    assert len(verdicts) == len(answers) and "> Total passed: " in report
    for intent_verdict, intent, score, _, predicted, labeled in verdicts:
        text = unlabeled(labeled)
        answer = answers[text]
        assert (intent, float(score)) == (answer["topIntent"], answer["intents"][intent]["score"])
        assert (intent_verdict == "PASS") == (intent == intents[text])
        assert unlabeled(predicted) == text
        assert ("{@Trip={@Destination=" in predicted) == ("Destination" in json.dumps(answer["entities"]))
    assert any("{@Trip={@Destination=" in predicted for *_, predicted, _ in verdicts)


RESULT = re.compile(r"^> (PASS|FAIL)\. Predicted intent: (\w+)\(([\d.]+)\)\n"
                    r"> (PASS|FAIL)\. Predicted entities: (.*)\n- (.*)$", re.M)


def unlabeled(text: str) -> str:
    """An utterance of a .lu file without its entity labels: `fly to {@Trip={@Destination=rome}}` -> `fly to rome`."""
    while True:
        text, found = re.subn(r"\{@[^{}=]+=([^{}]*)\}", r"\1", text)
        if not found:
            return text
