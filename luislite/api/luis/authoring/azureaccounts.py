"""Azure accounts: answered as LUIS answered for an app that has none assigned.

LUIS's endpoint keys came from Azure prediction resources assigned to an app (checked with the caller's
`ArmToken` header). luislite has no Azure subscriptions: its own endpoint keys reach every published app. So no
account is ever assigned or listed; assigning or removing one is accepted and changes nothing, so scripts written for
LUIS run on. `ArmToken` is neither required nor read.
"""
from flask import jsonify

from luislite.services import authoring
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import load
from luislite.api.openapi import operation
from luislite.api.responses import created
from luislite.api.luis.schemas.azureaccounts import AzureAccountInfo
from luislite.api.luis.schemas.common import OPERATION_SUCCESS, OperationStatus

bp = authoring_blueprint("azureaccounts")
APP_ACCOUNTS = "/apps/<app_id>/azureaccounts"


@bp.get("/azureaccounts")
@operation([AzureAccountInfo])
def list_user_accounts():
    """The caller's LUIS Azure accounts: none."""
    return jsonify([])


@bp.get(APP_ACCOUNTS)
@operation([AzureAccountInfo])
def assigned_accounts(app_id):
    """The Azure accounts assigned to the app: none."""
    authoring.get_app(app_id)
    return jsonify([])


@bp.post(APP_ACCOUNTS)
@operation(OperationStatus, body=AzureAccountInfo)
def assign_account(app_id):
    """Assign an Azure account to the app: accepted (201), nothing assigned."""
    _check_request(app_id)
    return created(OPERATION_SUCCESS)


@bp.delete(APP_ACCOUNTS)
@operation(body=AzureAccountInfo)
def remove_account(app_id):
    """Remove an Azure account from the app: accepted, none was assigned."""
    _check_request(app_id)
    return operation_success()


def _check_request(app_id) -> None:
    """The app exists (else 404) and the body names an Azure account (else 400), as LUIS checked them."""
    authoring.get_app(app_id)
    load(AzureAccountInfo())
