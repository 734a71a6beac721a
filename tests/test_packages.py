"""Packages for prediction-only nodes: the SDK's two gzip downloads, and `luislite serve --package` answering
predictions identical to the server the packages came from, with no database and no authoring routes; packages
that cannot be served (truncated, tampered with, unsafe entries, another format, a newer luislite) are refused."""
import hashlib
import io
import json
import tarfile
import uuid
from pathlib import Path

import pytest
import requests

from conftest import Http, luislite_process
from tiny_app import EXAMPLES, V2, V3, train, trained_travel_app

CITIES = ["paris", "london", "berlin", "rome", "madrid", "oslo", "tokyo", "lisbon", "vienna", "prague", "dublin",
          "athens", "warsaw", "cairo", "lima", "seoul", "delhi", "sydney", "toronto", "new york"]
PREFIXES = ["", "please ", "hey, ", "could you "]


def utterances() -> list[str]:
    """A few hundred variations of the tiny travel app's examples: other cities, other openings."""
    texts = []
    for text, _, city in EXAMPLES:
        for prefix in PREFIXES:
            texts += [prefix + text.replace(city, other) for other in CITIES] if city else [prefix + text]
    return texts


@pytest.fixture(scope="module")
def source(tiny_server):
    """The tiny server, with a travel app trained and published, and the id of an app never trained."""
    with Http(tiny_server, tiny_server.key) as http:
        untrained = http.post("/apps/", json={"name": f"untrained-{uuid.uuid4().hex[:8]}", "culture": "en-us"})
        return tiny_server, trained_travel_app(http), untrained.json()


@pytest.fixture(scope="module")
def downloads(source, tmp_path_factory) -> dict[str, Path]:
    """Both packages of the travel app, downloaded with the official SDK."""
    from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
    from msrest.authentication import CognitiveServicesCredentials

    server, app_id, _ = source
    client = LUISAuthoringClient(server.url, CognitiveServicesCredentials(server.key))
    folder = tmp_path_factory.mktemp("packages")
    streams = {"production": client.apps.package_published_application_as_gzip(app_id, "production"),
               "0.1": client.apps.package_trained_application_as_gzip(app_id, "0.1")}
    for name, chunks in streams.items():
        (folder / f"{name}.tar.gz").write_bytes(b"".join(chunks))
    return {name: folder / f"{name}.tar.gz" for name in streams}


@pytest.fixture(scope="module")
def node(start_server, downloads, tmp_path_factory):
    """A prediction-only node on an empty data dir, serving both packages."""
    return start_server("--package", str(downloads["production"]), "--package", str(downloads["0.1"]),
                        data_dir=tmp_path_factory.mktemp("node"))


def members(package: Path) -> dict[str, bytes]:
    with tarfile.open(package, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def test_the_sdk_downloads_both_packages(source, downloads):
    _, app_id, _ = source
    for name, package in downloads.items():
        files = members(package)
        manifest = json.loads(files.pop("manifest.json"))
        assert manifest["format"] == 1 and manifest["luislite"] and manifest["appId"] == app_id
        assert manifest["versionId"] == "0.1" and manifest["culture"] == "en-us"
        assert manifest.get("slot") == ("production" if name == "production" else None)
        assert set(files) == {"model/labels.json", "model/rules.json", "model/adapters.safetensors"}  # the app's own
        assert manifest["files"] == {f: hashlib.sha256(data).hexdigest() for f, data in files.items()}


def test_the_node_predicts_exactly_as_the_source(source, node):
    server, app_id, _ = source
    texts = utterances()
    assert len(texts) > 300
    paths = [(V3, f"/apps/{app_id}/slots/production/predict", "query", {"verbose": "true",
                                                                       "show-all-intents": "true"}),
             (V2, f"/apps/{app_id}", "q", {"verbose": "true"}),
             (V3, f"/apps/{app_id}/versions/0.1/predict", "query", {})]
    with requests.Session() as session:
        session.headers["Ocp-Apim-Subscription-Key"] = server.endpoint_key
        for n, text in enumerate(texts):
            prefix, path, name, options = paths[n % 3]
            answers = [session.get(f"{url}{prefix}{path}", params={name: text, **options}, timeout=30)
                       for url in (server.url, node.url)]
            assert [a.status_code for a in answers] == [200, 200], answers[1].text
            assert answers[0].json() == answers[1].json(), text


def test_the_node_has_no_authoring_and_refuses_other_keys(source, node):
    _, app_id, _ = source
    with Http(node, node.key) as http:
        for path in ("/apps/", f"/apps/{app_id}/versions", f"/package/{app_id}/slot/production/gzip"):
            response = http.get(path)
            assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound", path
        assert http.get(http.url("/luislite/keys", prefix="")).status_code == 404
        assert http.get(http.url("/language/authoring/analyze-conversations/projects", prefix="")).status_code == 404
        predict = http.url(f"/apps/{app_id}/slots/production/predict", prefix=V3)
        assert http.get(predict, params={"query": "hi"}).status_code == 200
        assert http.get(http.url(f"/apps/{app_id}/slots/staging/predict", prefix=V3),
                        params={"query": "hi"}).status_code == 404
        assert http.get(predict, params={"query": "hi"}, headers={
            "Ocp-Apim-Subscription-Key": str(uuid.uuid4())}).status_code == 401
        assert http.get(http.url("/ready", prefix="")).json()["status"] == "ready"
        assert http.get(http.url("/", prefix="")).json()["authoring"] == []
        assert "luislite_requests_total" in http.get(http.url("/metrics", prefix="")).text
        paths = set(http.get(http.url("/openapi.json", prefix="")).json()["paths"])
        assert f"{V3}/apps/{{appId}}/slots/{{slot}}/predict" in paths and not [p for p in paths if "authoring" in p]
        assert not list(node.data_dir.glob("*.db"))


@pytest.mark.parametrize("path, status, code", [
    ("/package/{app}/slot/staging/gzip", 404, "NotFound"),
    ("/package/{missing}/slot/production/gzip", 404, "NotFound"),
    ("/package/{app}/versions/9.9/gzip", 404, "NotFound"),
    ("/package/{untrained}/versions/0.1/gzip", 400, "BadArgument"),
    ("/package/{missing}/versions/0.1/gzip", 404, "NotFound")])
def test_package_errors(source, path, status, code):
    server, app_id, untrained = source
    with Http(server, server.key) as http:
        response = http.get(path.format(app=app_id, untrained=untrained, missing=uuid.uuid4()))
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    with Http(server, server.endpoint_key) as http:  # an endpoint key does not author
        assert http.get(path.format(app=app_id, untrained=untrained, missing=uuid.uuid4())).status_code == 401


def test_any_version_id_downloads(source, tmp_path):
    server, app_id, _ = source
    with Http(server, server.key) as http:
        assert http.post(f"/apps/{app_id}/versions/0.1/clone", json={"version": '0.2 "β"'}).status_code == 201
        train(http, app_id, '0.2 "β"')
        response = http.get(f'/package/{app_id}/versions/0.2 "β"/gzip')
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/gzip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{app_id}_v0.2____.tar.gz"'
    (tmp_path / "p.tar.gz").write_bytes(response.content)
    assert json.loads(members(tmp_path / "p.tar.gz")["manifest.json"])["versionId"] == '0.2 "β"'


def repack(package: Path, target: Path, change=lambda files: files, extra: tarfile.TarInfo | None = None) -> Path:
    """A copy of `package` with its files changed by `change` (name -> bytes), and `extra` entry added."""
    with tarfile.open(target, "w:gz") as tar:
        for name, data in change(members(package)).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if extra is not None:
            tar.addfile(extra, io.BytesIO(b"x" * extra.size) if extra.isfile() else None)
    return target


def manifest_with(**changes):
    def change(files):
        return files | {"manifest.json": json.dumps(json.loads(files["manifest.json"]) | changes).encode()}
    return change


def _entry(name: str, kind: bytes = tarfile.REGTYPE, size: int = 1) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, size if kind == tarfile.REGTYPE else 0, "/etc/passwd"
    return info


BAD = {
    "tampered": ({"change": lambda f: f | {"model/rules.json": f["model/rules.json"] + b" "}}, "sha256"),
    "traversal": ({"extra": _entry("../evil.txt")}, "unexpected entry '../evil.txt'"),
    "absolute": ({"extra": _entry("/tmp/evil.txt")}, "unexpected entry"),
    "nested": ({"extra": _entry("model/sub/evil.txt")}, "unexpected entry"),
    "backslash": ({"extra": _entry("model/..\\evil.txt")}, "unexpected entry"),
    "symlink": ({"change": lambda f: {k: v for k, v in f.items() if k != "model/adapters.safetensors"},
                 "extra": _entry("model/adapters.safetensors", tarfile.SYMTYPE)}, "unexpected entry"),
    "missing": ({"change": lambda f: {k: v for k, v in f.items() if k != "model/adapters.safetensors"}},
                "missing model/adapters.safetensors"),
    "unlisted": ({"extra": _entry("model/extra.bin")}, "not in the manifest"),
    "format": ({"change": manifest_with(format=2)}, "package format 2"),
    "newer": ({"change": manifest_with(luislite="999.0.0")}, "newer than this one"),
    "artifact": ({"change": manifest_with(artifact="../x")}, "not a plain name"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_packages_are_refused_naming_the_file(downloads, tmp_path, case):
    from luislite.services import packages

    options, message = BAD[case]
    bad = repack(downloads["production"], tmp_path / f"{case}.tar.gz", **options)
    with pytest.raises(packages.PackageError, match=message) as refused:
        packages.load([bad], tmp_path / "models")
    assert str(bad) in str(refused.value)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


def test_truncated_and_foreign_files_are_refused(downloads, tmp_path):
    from luislite.services import packages

    data = downloads["production"].read_bytes()
    for name, content in (("truncated", data[:len(data) // 2]), ("text", b"not a package"), ("empty", b"")):
        (tmp_path / f"{name}.tar.gz").write_bytes(content)
        with pytest.raises(packages.PackageError, match="not a readable luislite package"):
            packages.load([tmp_path / f"{name}.tar.gz"], tmp_path / "models")


def test_serve_refuses_a_bad_package_at_start(downloads, tmp_path):
    data = downloads["0.1"].read_bytes()
    bad = tmp_path / "cut.tar.gz"
    bad.write_bytes(data[:len(data) // 3])
    process = luislite_process(tmp_path / "serve.log", tmp_path, "serve", "--port", "1", "--package", str(bad))
    assert process.wait(timeout=120) == 2
    output = (tmp_path / "serve.log").read_text()
    assert f"error: {bad}: not a readable luislite package" in output


def test_quotas_need_a_database(downloads, tmp_path):
    from luislite import create_prediction_app
    from luislite.config import Config

    config = Config.from_env({"LUISLITE_DATA_DIR": str(tmp_path), "LUISLITE_PREDICTION_QUOTA": "5/s"})
    with pytest.raises(ValueError, match="LUISLITE_PREDICTION_QUOTA"):
        create_prediction_app([downloads["0.1"]], config)


def test_a_directory_serves_every_package_in_it(source, downloads, tmp_path):
    from luislite.services import packages

    _, app_id, _ = source
    catalog = packages.load([downloads["0.1"].parent], tmp_path)
    assert set(catalog.served) == {("slot", app_id, "production"), ("version", app_id, "0.1")}
    assert catalog.slot(app_id.upper(), "Production") == catalog.version(app_id, "0.1")
