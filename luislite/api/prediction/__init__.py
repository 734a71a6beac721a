"""LUIS prediction API: v3.0 and v2.0 endpoints and their renderers."""
from flask import Flask


def register(app: Flask) -> None:
    pass
