"""Answers of the routes every surface shares: what this server is, liveness and readiness."""
from marshmallow import Schema, fields, validate


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
