"""A second API surface beside LUIS's: its URLs answer errors in its own envelope, LUIS's keep theirs.

The surface here is a minimal stand-in for Azure CLU (`/language/...`, errors with an `innererror`), mounted
through the same seam a real one would use (`luislite.api.SURFACES`).
"""
import pytest
from flask import Blueprint, jsonify
from marshmallow import Schema, fields

from luislite import api, create_app
from luislite.api.luis import SURFACE as LUIS
from luislite.api.openapi import operation
from luislite.api.surface import OpenApi, Surface
from luislite.config import Config
from luislite.errors import NotFound

KEY = "00000000-1111-4222-8333-444444444444"


class CluError(Schema):
    error = fields.Dict(required=True)


def clu_error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message, "innererror": {"code": f"Clu{code}"}}})
    response.status_code = status
    return response


def register(app):
    bp = Blueprint("projects", __name__)

    @bp.get("/projects/<name>")
    @operation({"type": "object"})
    def get_project(name):
        """A project that is never there."""
        raise NotFound(f"No project '{name}'.")

    app.register_blueprint(bp, url_prefix="/language/authoring/analyze-conversations")


CLU_KEY = {"cluKey": {"type": "apiKey", "in": "header", "name": "Ocp-Apim-Key"}}
CLU_OPENAPI = OpenApi("Azure CLU, for the test.", CLU_KEY, {"404": ("CluNotFound", "Not there."),
                                                          "default": ("CluError", "Any other error.")},
                      CluError, lambda method: {"type": "object"})
CLU = Surface("clu", "/language", register, clu_error, {NotFound: lambda error: (404, "NotFound", str(error))},
              CLU_OPENAPI)


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "SURFACES", [LUIS, CLU])
    app = create_app(Config(tmp_path, f"sqlite:///{tmp_path / 'luislite.db'}", [KEY], access_log=False))
    return app.test_client()


def test_each_surface_answers_errors_in_its_own_envelope(client):
    clu = client.get("/language/authoring/analyze-conversations/projects/travel")
    assert clu.status_code == 404
    assert clu.json == {"error": {"code": "NotFound", "message": "No project 'travel'.",
                                  "innererror": {"code": "CluNotFound"}}}
    unknown = client.get("/language/nothing/here")  # a routing error, under CLU's root
    assert unknown.status_code == 404 and unknown.json["error"]["innererror"] == {"code": "CluNotFound"}
    luis = client.get("/luis/authoring/v3.0-preview/apps/nope", headers={"Ocp-Apim-Subscription-Key": KEY})
    assert luis.status_code == 404 and luis.json == {
        "error": {"code": "NotFound", "message": "Cannot find an application with the specified ID."}}
    assert client.get("/nothing").json == {"error": {"code": "NotFound", "message": "Resource not found."}}


def test_the_openapi_document_holds_both_surfaces(client):
    document = client.get("/openapi.json").json
    assert "Azure CLU, for the test." in document["info"]["description"]
    clu = document["paths"]["/language/authoring/analyze-conversations/projects/{name}"]["get"]
    assert clu["security"] == [{"cluKey": []}] and clu["tags"] == ["test_surfaces"]
    assert clu["responses"]["404"] == {"$ref": "#/components/responses/CluNotFound"}
    luis = document["paths"]["/luis/authoring/v3.0-preview/apps"]["get"]
    assert luis["security"] == [{"subscriptionKeyHeader": []}, {"subscriptionKeyQuery": []}]
    assert luis["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
