"""Shapes every LUIS resource shares (the base schema, names, paging, operation status, the error envelope), and
the two field helpers response schemas use: `Time` and `derived`."""
from collections.abc import Callable

from marshmallow import EXCLUDE, Schema, fields, missing, validate

from luislite.domain.appversion import inheritance


NAME = fields.String(required=True, validate=validate.Length(min=1, max=500))


class LuisSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # LUIS ignores fields it does not know, and the SDK sends extras


class Time(fields.DateTime):
    """A UTC time as LUIS writes it, to the second (`2024-01-31T12:00:00Z`); documented as a date-time."""

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def derived(field: fields.Field, value: Callable) -> fields.Field:
    """`field`, its value `value(obj)` rather than an attribute of the object: dumped and documented as `field`.

    `value` may answer `missing` to leave the key out.
    """
    field.get_value = lambda obj, attr, accessor=None, default=missing: value(obj)
    return field


OPERATION_SUCCESS = {"code": "Success", "message": "Operation Successful"}


class OperationStatus(LuisSchema):
    code = fields.String(required=True, validate=validate.OneOf(["Success", "Failed"]))
    message = fields.String(required=True)


class ErrorBody(LuisSchema):
    code = fields.String(required=True, metadata={"description": "BadArgument, NotFound, 401, 414..."})
    message = fields.String(required=True)


class ErrorResponse(LuisSchema):
    error = fields.Nested(ErrorBody, required=True)


class PagingQuery(LuisSchema):
    skip = fields.Integer(validate=validate.Range(0, 2 ** 31 - 1), metadata={"description": "Entries to skip."})
    take = fields.Integer(validate=validate.Range(0, 500), metadata={"description": "Entries to return (100)."})


STRING_LIST = fields.List(fields.String(validate=validate.Length(min=1, max=500)), required=True)


class ModelName(LuisSchema):
    name = NAME


class ModelInfo(LuisSchema):
    """An intent or entity of any kind, as listed by `/models`."""
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    typeId = fields.Integer(required=True, attribute="type_id")
    readableType = fields.String(required=True, attribute="readable_type")
    customPrebuiltDomainName = derived(fields.String(metadata={"description": "The prebuilt domain it came from."}),
                                       lambda model: inheritance(model).get("domain_name", missing))
    customPrebuiltModelName = derived(fields.String(metadata={"description": "Its name in that domain."}),
                                      lambda model: inheritance(model).get("model_name", missing))
