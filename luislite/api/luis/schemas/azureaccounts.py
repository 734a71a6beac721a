"""Azure accounts: the Azure prediction resource an app was assigned."""
from marshmallow import fields, validate

from luislite.api.luis.schemas.common import LuisSchema

_PART = {"required": True, "validate": validate.Length(min=1)}  # nothing is stored: no length limit of our own


class AzureAccountInfo(LuisSchema):
    """AzureAccountInfoObject: an Azure resource, by subscription, resource group and name."""
    azureSubscriptionId = fields.String(**_PART)
    resourceGroup = fields.String(**_PART)
    accountName = fields.String(**_PART)
