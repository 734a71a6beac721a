"""What every surface's views share when they succeed: 201 answers, one transaction per write, the public base URL."""
import functools

from flask import current_app, jsonify, request

from luislite.db import db


def created(value, location: str | None = None):
    """201 with a JSON body: a quoted GUID string, a bare integer, or an object."""
    response = jsonify(value)
    response.status_code = 201
    if location:
        response.headers["Location"] = location
    return response


def writes(view):
    """Commit what the view changed, once, after it succeeded: one request, one transaction."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        db.session.commit()
        return response
    return wrapper


def base_url() -> str:
    """The public root URL of this server, as written into endpoint URLs."""
    return (current_app.config["LUISLITE"].public_url or request.host_url).rstrip("/")
