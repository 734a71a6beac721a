"""Liveness and readiness answers: the routes every surface shares."""
from marshmallow import Schema, fields, validate


class Liveness(Schema):
    status = fields.String(required=True)


class Readiness(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ready", "unavailable"]))
    checks = fields.Dict(fields.String(), fields.String(), required=True)
