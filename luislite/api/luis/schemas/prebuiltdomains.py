"""Prebuilt domains: the catalogue's entries and the bodies that add a domain or one of its models."""
from marshmallow import fields

from luislite.api.luis.schemas.common import NAME, LuisSchema
from luislite.api.luis.schemas.entities import EntityRole, PrebuiltDomainEntity


class PrebuiltDomainItem(PrebuiltDomainEntity):
    """An intent or entity of a domain, by its name in the domain, as the prebuilt entity catalogue lists one."""


class PrebuiltDomain(PrebuiltDomainItem):
    culture = fields.String(required=True)
    intents = fields.List(fields.Nested(PrebuiltDomainItem), required=True)
    entities = fields.List(fields.Nested(PrebuiltDomainItem), required=True)


class PrebuiltDomainCreateBase(LuisSchema):
    """PrebuiltDomainCreateBaseObject: the domain to add to a version."""
    domainName = NAME


class PrebuiltDomainCreate(PrebuiltDomainCreateBase):
    """PrebuiltDomainCreateObject: the domain and culture of a new app."""
    culture = fields.String(required=True)


class PrebuiltDomainModelCreate(PrebuiltDomainCreateBase):
    """PrebuiltDomainModelCreateObject: one intent or entity of a domain."""
    modelName = NAME


class CustomPrebuiltModel(LuisSchema):
    """An intent or entity a version took from a prebuilt domain (the roles: entities only)."""
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    typeId = fields.Integer(required=True)
    readableType = fields.String(required=True)
    customPrebuiltDomainName = fields.String(required=True)
    customPrebuiltModelName = fields.String(required=True)
    roles = fields.List(fields.Nested(EntityRole))
