"""Liveness and readiness answers: the routes every surface shares."""
from marshmallow import fields, validate

from luislite.api.luis.schemas.common import LuisSchema


class Liveness(LuisSchema):
    status = fields.String(required=True)


class Readiness(LuisSchema):
    status = fields.String(required=True, validate=validate.OneOf(["ready", "unavailable"]))
    checks = fields.Dict(fields.String(), fields.String(), required=True)
