"""The console: the LUIS portal's pages, served by the same app at `/console/`, and at `/` to a browser (`GET /`
answers JSON to other clients, see api/home.py); off with LUISLITE_CONSOLE=0.

Static files only (ES modules, no build step): the pages are a client of the public REST API, calling the
authoring and prediction URLs with the authoring key the user typed, kept in the tab's sessionStorage. No private
endpoint. Every answer here carries a strict Content-Security-Policy: scripts and styles from this origin only, no
inline script or style attribute, nothing loaded from elsewhere.
"""
from pathlib import Path

from flask import Blueprint, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

bp = Blueprint("console", __name__)


@bp.get("/console")
def index():
    """The console's page (what `GET /` answers a browser while the console is on)."""
    return static_file("index.html")


@bp.get("/console/<path:filename>")
def static_file(filename):
    response = send_from_directory(STATIC, filename, max_age=0)
    response.headers.update({"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                             "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"})
    return response
