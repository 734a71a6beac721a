"""An API surface: one family of URLs served over the shared domain code, with its own HTTP conventions.

LUIS's surface (`api/luis/`) is the only one today; another (Azure CLU under `/language/...`) would be a package
`api/<name>/` declaring a `Surface` of its own and listed in `api.SURFACES`. A surface declares:

* `root`: the URL prefix all its routes share. Errors under it, routing errors included, answer in its envelope;
  a URL under no root answers in the envelope of the first surface listed.
* `register`: mounts its blueprints on the app, under its own prefixes, each checking keys by its own policy
  (against the keys store of `api/auth.py`).
* `error_response` and `errors`: its error envelope, and how it answers the exceptions domain and service code
  raises (by exception class, along the class hierarchy). `api/errors.py` answers the rest alike for all.
* `openapi`: its part of the OpenAPI document of `api/openapi.py`.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response

Answer = tuple[int, str, str]  # an error as HTTP: status, code, message


@dataclass(frozen=True)
class OpenApi:
    """A surface's part of the OpenAPI document.

    `security`: its key policy as security schemes. `errors`: status (or "default") -> (name of a shared response
    component, description), each answered with `error_schema`. `default_answer`: what an operation that declares
    none answers, by HTTP method. `aliases`: URL prefixes serving the same views again, left out of the document.
    """
    description: str
    security: dict[str, dict]
    errors: dict[str, tuple[str, str]]
    error_schema: type
    default_answer: Callable[[str], object]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Surface:
    name: str
    root: str
    register: Callable[[Flask], None]
    error_response: Callable[[int, str, str], Response]
    errors: dict[type, Callable[[Exception], Answer]]
    openapi: OpenApi

    def owns(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root + "/")


def surface_of(path: str, surfaces: list[Surface]) -> Surface:
    """The surface whose root `path` is under; the first one for a path under none (`/health`, unknown URLs)."""
    return next((s for s in surfaces if s.owns(path)), surfaces[0])
