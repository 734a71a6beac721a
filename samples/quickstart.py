"""Author, train, publish, predict and export a LUIS app with the official SDK, against luislite or Azure LUIS.

    pip install azure-cognitiveservices-language-luis==0.7.1 "setuptools<81"
    python samples/quickstart.py --endpoint http://127.0.0.1:5000 --key <authoring key> [--export app.json]

Only the endpoint and the key would change to run it against Azure.
"""
import argparse
import json
import sys
import time
import uuid

from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
from azure.cognitiveservices.language.luis.authoring.models import (ApplicationCreateObject, EntityLabelObject,
                                                                    ExampleLabelObject, WordListObject)
from azure.cognitiveservices.language.luis.runtime import LUISRuntimeClient
from msrest.authentication import CognitiveServicesCredentials

VERSION = "0.1"
# (utterance, intent, {entity: value}); the Trip entity has the children Origin and Destination
EXAMPLES = [
    ("book a flight from paris to london", "BookFlight", {"Origin": "paris", "Destination": "london"}),
    ("i need a ticket from boston to new york", "BookFlight", {"Origin": "boston", "Destination": "new york"}),
    ("fly me from berlin to rome", "BookFlight", {"Origin": "berlin", "Destination": "rome"}),
    ("get me a flight from oslo to vienna on ba", "BookFlight", {"Origin": "oslo", "Destination": "vienna"}),
    ("i want to fly from dublin to prague", "BookFlight", {"Origin": "dublin", "Destination": "prague"}),
    ("what is the weather in madrid", "GetWeather", {"City": "madrid"}),
    ("will it rain in seattle tomorrow", "GetWeather", {"City": "seattle"}),
    ("weather forecast for tokyo", "GetWeather", {"City": "tokyo"}),
    ("is it sunny in lisbon", "GetWeather", {"City": "lisbon"}),
    ("hello", "Greeting", {}),
    ("hi there", "Greeting", {}),
    ("good morning", "Greeting", {}),
    ("my cat is sleeping", "None", {}),
]


def span(text: str, entity: str, value: str, children=None) -> EntityLabelObject:
    start = text.index(value)
    return EntityLabelObject(entity_name=entity, start_char_index=start, end_char_index=start + len(value) - 1,
                             children=children)


def labeled(text: str, intent: str, values: dict) -> ExampleLabelObject:
    labels = []
    if "Origin" in values:  # the whole "from X to Y" is the Trip; its children are labeled inside it
        children = [span(text, name, values[name]) for name in ("Origin", "Destination")]
        start = text.index(values["Origin"]) - len("from ")
        end = text.index(values["Destination"]) + len(values["Destination"])
        labels.append(span(text, "Trip", text[start:end], children))
    if "City" in values:
        labels.append(span(text, "City", values["City"]))
    return ExampleLabelObject(text=text, intent_name=intent, entity_labels=labels)


def wait_for_training(authoring: LUISAuthoringClient, app_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = authoring.train.get_status(app_id, VERSION)
        states = {s.details.status for s in statuses}
        if "Fail" in states:
            sys.exit(f"training failed: {statuses[0].details.failure_reason}")
        if statuses and states <= {"Success", "UpToDate"}:
            return
        time.sleep(1)
    sys.exit(f"training did not finish within {timeout:.0f} s")


def wait_for_refinement(authoring: LUISAuthoringClient, app_id: str, timeout: float) -> bool:
    """luislite answers Train with a quick model and refines it in the background, saying so in each model's
    `details.refinement` (which LUIS never sent, and the SDK's models drop: read from the raw answer). Whether a
    refined model now serves; False at once where nothing is being refined (Azure LUIS)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        models = authoring.train.get_status(app_id, VERSION, raw=True).response.json()
        states = {m["details"]["refinement"]["status"] for m in models if "refinement" in m["details"]}
        if not states or "Fail" in states:
            return False
        if states == {"Success"}:
            return True
        time.sleep(2)
    return False


def predict(runtime: LUISRuntimeClient, app_id: str) -> None:
    for query in ("book a flight from madrid to tokyo", "how hot is it in paris", "hey there"):
        result = runtime.prediction.get_slot_prediction(app_id, "Production", {"query": query}, verbose=True)
        entities = {k: v for k, v in result.prediction.entities.items() if k != "$instance"}
        score = result.prediction.intents[result.prediction.top_intent].score
        print(f"{query!r}: {result.prediction.top_intent} ({score:.2f}) {json.dumps(entities)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:5000", help="service root URL")
    parser.add_argument("--key", required=True, help="authoring key (data/authoring-key.json)")
    parser.add_argument("--name", default=f"Quickstart-{uuid.uuid4().hex[:6]}", help="name of the app to create")
    parser.add_argument("--export", metavar="PATH", help="write the exported app (LUIS JSON) to PATH")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for training")
    args = parser.parse_args()
    credentials = CognitiveServicesCredentials(args.key)
    authoring = LUISAuthoringClient(args.endpoint, credentials)

    app_id = authoring.apps.add(ApplicationCreateObject(name=args.name, culture="en-us", initial_version_id=VERSION))
    print(f"created app {args.name}: {app_id}")
    for intent in ("BookFlight", "GetWeather", "Greeting"):
        authoring.model.add_intent(app_id, VERSION, name=intent)
    authoring.model.add_entity(app_id, VERSION, name="Trip", children=[{"name": "Origin"}, {"name": "Destination"}])
    authoring.model.add_entity(app_id, VERSION, name="City")
    authoring.model.add_closed_list(app_id, VERSION, name="Airline", sub_lists=[
        WordListObject(canonical_form="British Airways", list=["ba", "british"]),
        WordListObject(canonical_form="Lufthansa", list=["lh"])])
    authoring.model.add_prebuilt(app_id, VERSION, ["number", "datetimeV2"])
    results = authoring.examples.batch(app_id, VERSION, [labeled(*example) for example in EXAMPLES])
    failed = [r.value.utterance_text for r in results if r.has_error]
    if failed:
        sys.exit(f"examples refused: {failed}")
    print(f"added {len(results)} labeled examples")

    authoring.train.train_version(app_id, VERSION)
    started = time.monotonic()
    wait_for_training(authoring, app_id, args.timeout)
    print(f"trained in {time.monotonic() - started:.1f} s")
    endpoint = authoring.apps.publish(app_id, version_id=VERSION, is_staging=False)
    print(f"published version {endpoint.version_id} at {endpoint.endpoint_url}")

    runtime = LUISRuntimeClient(args.endpoint, credentials)
    predict(runtime, app_id)
    if wait_for_refinement(authoring, app_id, args.timeout):
        print(f"refined model serving {time.monotonic() - started:.1f} s after Train; the same queries:")
        predict(runtime, app_id)

    exported = authoring.versions.export(app_id, VERSION)
    doc = exported.serialize(keep_readonly=True) | (exported.additional_properties or {})  # the LUIS JSON keys
    print(f"exported {len(doc['utterances'])} utterances, {len(doc['intents'])} intents, "
          f"schema {doc['luis_schema_version']}")
    if args.export:
        with open(args.export, "w", encoding="utf-8") as file:
            json.dump(doc, file, indent=2)
        print(f"wrote {args.export}")


if __name__ == "__main__":
    main()
