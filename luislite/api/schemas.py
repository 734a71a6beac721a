"""Shapes of the routes every surface shares: what this server is, liveness and readiness, and run-time keys."""
from marshmallow import Schema, fields, validate

from luislite.api.luis.schemas.common import Time


class Liveness(Schema):
    status = fields.String(required=True)


class ServiceInfo(Schema):
    service = fields.String(required=True)
    version = fields.String(required=True)
    description = fields.String(required=True)
    authoring = fields.List(fields.String(), required=True)
    prediction = fields.Dict(fields.String(), fields.List(fields.String()), required=True)
    keys = fields.String(required=True)
    openapi = fields.String(required=True)
    health = fields.String(required=True)
    ready = fields.String(required=True)
    docs = fields.String(required=True)


class Readiness(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ready", "unavailable"]))
    checks = fields.Dict(fields.String(), fields.String(), required=True)


class KeyRequest(Schema):
    kind = fields.String(load_default="authoring", validate=validate.OneOf(["authoring", "endpoint"]))
    name = fields.String(load_default="", validate=validate.Length(max=100))


class KeyInfo(Schema):
    """A key as listed: its id (the first 12 hex digits of its sha256), never the key."""
    id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(["environment", "database"]))
    created = Time(allow_none=True)
    revoked = Time(allow_none=True)


class NewKey(KeyInfo):
    """A key just created: the only answer that holds the key itself."""
    key = fields.String(required=True)
