"""Keys managed at run time (`/luislite/keys`, an authoring key needed): create, list and revoke, effective on every
node within half a second (`services/keys.py`). `luislite keys ...` is their command line."""
from flask import Blueprint, jsonify

from luislite.api.body import load
from luislite.api.luis.auth import require_key
from luislite.api.luis.authoring import operation_success
from luislite.api.luis.schemas.common import OperationStatus
from luislite.api.openapi import operation
from luislite.api.responses import created, writes
from luislite.api.schemas import KeyInfo, KeyRequest, NewKey
from luislite.services import keys

bp = Blueprint("keys", __name__, url_prefix="/luislite/keys")
bp.before_request(lambda: require_key(prediction=False))


@bp.after_request
def _count_at_once(response):
    """A change through this process counts in it at once; elsewhere within half a second."""
    keys.forget()
    return response


@bp.get("")
@operation([KeyInfo])
def list_keys():
    """Every key, by id: the environment's, then those created at run time, revoked ones included."""
    return jsonify(KeyInfo(many=True).dump(keys.listing()))


@bp.post("")
@operation(NewKey, status=201, body=KeyRequest)
@writes
def create_key():
    """Create an authoring or endpoint key; the answer is the only place it is ever shown."""
    request = load(KeyRequest())
    key, row = keys.create(request["kind"], request["name"])
    return created(NewKey().dump({"id": row.key_hash[:keys.ID_DIGITS], "key": key, "kind": row.kind,
                                  "name": row.name, "source": "database", "created": row.created}))


@bp.delete("/<key_id>")
@operation(OperationStatus)
@writes
def revoke_key(key_id):
    """Revoke a key by its id: refused with a 401 on every node within half a second."""
    keys.revoke(key_id)
    return operation_success()
