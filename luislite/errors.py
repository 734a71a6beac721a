"""The errors a client may see, by meaning; each API surface maps a class to its own error code and status.

Their messages are written for the client. Any other exception is luislite's own failure: a client sees only
that an internal error happened and a reference that finds its traceback in the log.
"""


class LuisliteError(Exception):
    """A failure the client caused or can act on."""


class InvalidRequest(LuisliteError):
    """A request the client got wrong: a missing argument, an unreadable body."""


class AppVersionError(InvalidRequest):
    """App or version content that breaks a LUIS rule: a name, a label, a pattern, an example..."""


class NotFound(LuisliteError):
    """An app, version, model, example... that does not exist."""


class Conflict(LuisliteError):
    """The request contradicts what exists: a name already taken, deleting the only or a published version."""


class LimitReached(LuisliteError):
    """A quota would be exceeded: the number of applications, or of intents, entities... of a version."""


class NotTrained(LuisliteError):
    """The version has no trained model yet where one is needed (to publish it)."""


class ModelUnavailable(LuisliteError):
    """A trained model that cannot be loaded (deleted from disk, or written by an incompatible luislite)."""
