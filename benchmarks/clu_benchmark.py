"""The same model through CLU's runtime and LUIS's prediction API: accuracy (they must agree) and HTTP latency.

Imports `{dataset}/train_luis_app.json` (or its fixed small sample) through LUIS, trains and publishes it to
production (http_benchmark.py), then predicts every test utterance through LUIS v3.0 POST and through CLU's
`POST /language/:analyze-conversations` on the deployment `production` (the same slot, so the same model), and
prints intent accuracy, slot F1 (exact span and type), exact match and latency p50/p95 for each surface.

    LUISLITE_TRAIN_THREADS=1 .venv/bin/python benchmarks/clu_benchmark.py --dataset snips --per-intent 20
"""
import json
import time

import requests

from http_benchmark import dataset_split, evaluate, percentiles, served_app


def evaluate_clu(session: requests.Session, url: str, project: str, test: list[dict]) -> dict:
    analyze = f"{url}/language/:analyze-conversations"
    intents_right = exact = tp = fp = fn = 0
    latencies = []
    for example in test:
        task = {"kind": "Conversation", "analysisInput": {"conversationItem": {
            "id": "1", "participantId": "1", "text": example["text"]}}, "parameters": {
            "projectName": project, "deploymentName": "production", "stringIndexType": "UnicodeCodePoint"}}
        started = time.perf_counter()
        response = session.post(analyze, params={"api-version": "2023-04-01"}, json=task)
        latencies.append((time.perf_counter() - started) * 1000)
        prediction = response.json()["result"]["prediction"]
        gold = {(e["startPos"], e["endPos"] + 1, e["entity"]) for e in example["entities"]}
        found = {(e["offset"], e["offset"] + e["length"], e["category"]) for e in prediction["entities"]}
        intent_right = prediction["topIntent"] == example["intent"]
        intents_right += intent_right
        exact += intent_right and found == gold
        tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    p50, p95 = percentiles(latencies)
    return {"intent_accuracy": round(100 * intents_right / len(test), 2),
            "slot_f1": round(100 * 2 * precision * recall / max(precision + recall, 1e-9), 2),
            "exact_match": round(100 * exact / len(test), 2), "latency_ms_p50": p50, "latency_ms_p95": p95}


def main():
    args, app, test = dataset_split(__doc__.splitlines()[0])
    with served_app(app) as served:
        session, url, app_id, train_seconds = served.session, served.url, served.app_id, served.refined_seconds
        project = session.get(f"{url}/luis/authoring/v3.0-preview/apps/{app_id}").json()["name"]
        result = {"dataset": args.dataset, "train_utterances": len(app["utterances"]),
                  "train_seconds": round(train_seconds, 1), "luis": evaluate(session, url, app_id, test),
                  "clu": evaluate_clu(session, url, project, test)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
