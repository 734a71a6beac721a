"""Packages: a trained or published version as one self-contained tar.gz, and the apps a prediction-only node
(`luislite serve --package`) serves from them, as LUIS's container did.

A package holds `manifest.json` and, under `model/`, the files serving reads (`store.serving_files`: labels,
rules and the app's adapters; a model of format 1 its tokenizer and ONNX graph). The shared encoder the adapters
run on is not in it: the node has it (a shipped encoder, exported by `luislite encoders`). The manifest says its
format, the luislite that wrote it, the app, version and slot it is (with the app's publish settings) and the
sha256 of every other file. A node checks all of that before serving: a package it cannot serve is refused,
naming the file. Nothing in a package is executed or unpickled: it is JSON, safetensors, a tokenizer and ONNX
graphs.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import zlib
from dataclasses import dataclass, field
from importlib.metadata import version as installed_version
from pathlib import Path, PurePosixPath

from luislite import store
from luislite.db import Publication, db
from luislite.errors import ModelUnavailable, NotFound, NotTrained
from luislite.services.authoring import get_app, get_version

FORMAT = 1
MANIFEST = "manifest.json"
MODEL = "model"
SUFFIX = ".tar.gz"
PLAIN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")  # a file name or artifact id that is no path anywhere
_NOT_PUBLISHED = "The application wasn't found. Please make sure that the application is published to this region."


class PackageError(Exception):
    """A package this node cannot serve: unreadable, tampered with, or written for another luislite."""


# --- writing (the authoring routes) ---------------------------------------------------------------

def published(app_id: str, slot: str) -> tuple[str, bytes]:
    """(file name, tar.gz) of what an app's slot serves; NotFound for an unknown app or an unpublished slot."""
    app = get_app(app_id)
    publication = db.session.get(Publication, (app.id, slot.lower()))
    if publication is None:
        raise NotFound(_NOT_PUBLISHED)
    identity = _identity(app, publication.version_id) | {"slot": publication.slot,
                                                         "publishedDateTime": _iso(publication.published_at)}
    return _file_name(app.id, publication.slot), _package(identity, publication.artifact)


def trained(app_id: str, version_id: str) -> tuple[str, bytes]:
    """(file name, tar.gz) of a version's trained model; NotTrained if it has none."""
    version = get_version(app_id, version_id)
    if version.artifact is None:
        raise NotTrained(f"Cannot package version '{version_id}': it has not been trained. Train it first.")
    identity = _identity(version.app, version.version_id) | {"trainedDateTime": _iso(version.trained_at)}
    return _file_name(version.app_id, f"v{version.version_id}"), _package(identity, version.artifact)


def _file_name(app_id: str, served: str) -> str:
    """`<app id>_<slot or v + version id>.tar.gz`, in characters any file system and HTTP header take."""
    return f"{app_id}_{re.sub(r'[^A-Za-z0-9._-]', '_', served)}{SUFFIX}"


def _identity(app, version_id: str) -> dict:
    return {"appId": app.id, "appName": app.name, "culture": app.culture, "versionId": version_id,
            "publishSettings": app.publish_settings or {}}


def _iso(moment) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _package(identity: dict, artifact: str) -> bytes:
    """The tar.gz of an artifact's serving files and their manifest."""
    try:
        directory = store.current().open_for_serving(artifact)
    except store.ArtifactNotFound:
        raise ModelUnavailable("The trained model cannot be found. Train (and publish) the version again.") from None
    files = {f"{MODEL}/{path.name}": path.read_bytes() for path in store.serving_files(directory)}
    manifest = {"format": FORMAT, "luislite": installed_version("luislite"), "artifact": artifact, **identity,
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in {MANIFEST: json.dumps(manifest, indent=1).encode(), **files}.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# --- reading (the prediction-only node) -----------------------------------------------------------

@dataclass
class Catalog:
    """What a prediction-only node serves, from its packages: each app's packaged slots and versions."""
    # ("slot" or "version", app id, slot or version id) -> (artifact, the package file serving it)
    served: dict[tuple[str, str, str], tuple[str, Path]] = field(default_factory=dict)

    def slot(self, app_id: str, slot: str) -> str:
        """The artifact of a packaged slot; NotFound as for an unpublished one."""
        return self._artifact(("slot", app_id.lower(), slot.lower()), _NOT_PUBLISHED)

    def version(self, app_id: str, version_id: str) -> str:
        """The artifact of a packaged version (a published package serves its version too)."""
        missing = f"The version '{version_id}' is not served here."
        return self._artifact(("version", app_id.lower(), version_id), missing)

    def _artifact(self, key: tuple[str, str, str], missing: str) -> str:
        if key not in self.served:
            raise NotFound(missing)
        return self.served[key][0]

    def artifacts(self) -> set[str]:
        return {artifact for artifact, _ in self.served.values()}

    def add(self, file: Path, manifest: dict) -> None:
        """Serve a package's version (and slot); a PackageError if another package serves them with another model."""
        app_id, artifact = manifest["appId"].lower(), manifest["artifact"]
        keys = [("version", app_id, manifest["versionId"])] + (
            [("slot", app_id, manifest["slot"].lower())] if manifest.get("slot") else [])
        for key in keys:
            served, origin = self.served.setdefault(key, (artifact, file))
            if served != artifact:
                raise PackageError(f"{file}: {key[0]} {key[2]} of app {app_id} is also in {origin}, another model.")


def package_files(paths: list[Path]) -> list[Path]:
    """The package files named: files as they are, and every `*.tar.gz` of a directory."""
    found = []
    for path in paths:
        found += sorted(path.glob(f"*{SUFFIX}")) if path.is_dir() else [path]
    if not found:
        raise PackageError(f"No package ({SUFFIX}) in {', '.join(map(str, paths))}.")
    return found


def load(paths: list[Path], models: Path) -> Catalog:
    """Check the packages of `paths` and extract their models into `models/<artifact>/`; the catalog they make."""
    catalog = Catalog()
    for file in package_files(paths):
        try:
            manifest = _extract(file, models)
        except (OSError, EOFError, tarfile.TarError, zlib.error, ValueError, KeyError, TypeError) as error:
            raise PackageError(f"{file}: not a readable luislite package ({type(error).__name__}: {error}).") from None
        catalog.add(file, manifest)
    return catalog


def _extract(file: Path, models: Path) -> dict:
    """The package's manifest, once its model files are checked and written into `models/<artifact>/`."""
    with tarfile.open(file, mode="r:gz") as tar:
        members = {_member_name(file, member): member for member in tar.getmembers()}
        if MANIFEST not in members:
            raise PackageError(f"{file}: no {MANIFEST}: not a luislite package.")
        manifest = json.loads(tar.extractfile(members.pop(MANIFEST)).read())
        _check_manifest(file, manifest, set(members))
        target = models / manifest["artifact"]
        target.mkdir(parents=True, exist_ok=True)
        for name, member in members.items():
            data = tar.extractfile(member).read()
            if hashlib.sha256(data).hexdigest() != manifest["files"][name]:
                raise PackageError(f"{file}: {name} does not match its sha256 in the manifest (changed or damaged).")
            (target / PurePosixPath(name).name).write_bytes(data)
    if not (target / json.loads((target / "labels.json").read_text())["serve"]).is_file():
        raise PackageError(f"{file}: missing the model file its labels.json serves.")
    return manifest


def _member_name(file: Path, member: tarfile.TarInfo) -> str:
    """A member's name, if it is a plain file at `manifest.json` or `model/<file>`; else a PackageError."""
    path = PurePosixPath(member.name)
    if not member.isfile() or path.parts not in ((MANIFEST,), (MODEL, path.name)) or not PLAIN.fullmatch(path.name):
        raise PackageError(f"{file}: unexpected entry {member.name!r} (only plain files, {MANIFEST} and "
                           f"{MODEL}/<file>, belong in a package).")
    return member.name


def _check_manifest(file: Path, manifest: dict, names: set[str]) -> None:
    """The package is of this format, no newer than this luislite, and holds exactly the files it lists."""
    if manifest.get("format") != FORMAT:
        raise PackageError(f"{file}: package format {manifest.get('format')!r}; this luislite serves format {FORMAT}.")
    if _release(manifest["luislite"]) > _release(installed_version("luislite")):
        raise PackageError(f"{file}: written by luislite {manifest['luislite']}, newer than this one "
                           f"({installed_version('luislite')}): upgrade luislite to serve it.")
    if not PLAIN.fullmatch(manifest["artifact"]):
        raise PackageError(f"{file}: the manifest's artifact id {manifest['artifact']!r} is not a plain name.")
    missing = (set(manifest["files"]) | {f"{MODEL}/labels.json"}) - names
    if missing:
        raise PackageError(f"{file}: missing {', '.join(sorted(missing))}.")
    if names - set(manifest["files"]):
        raise PackageError(f"{file}: {', '.join(sorted(names - set(manifest['files'])))} not in the manifest.")


def _release(version: str) -> tuple[int, ...]:
    """A version's leading numbers, to compare: "0.10.1rc1" -> (0, 10, 1)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])
