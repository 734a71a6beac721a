"""Settings from LUISLITE_* environment variables, in one place.

LUISLITE_DATA_DIR        where the database, keys and trained models live (default ./data)
LUISLITE_DATABASE_URL    any SQLAlchemy URL (default: SQLite file in the data dir); postgresql://... uses psycopg 3
                         (`pip install 'luislite[postgres]'`)
LUISLITE_AUTHORING_KEYS  comma-separated GUID keys valid for authoring and prediction
LUISLITE_ENDPOINT_KEYS   comma-separated GUID keys valid for prediction only
LUISLITE_BASE_MODEL      a local BERT-family checkpoint dir replacing the packaged encoder
LUISLITE_BASE_MODELS     per culture, a local checkpoint dir for that culture's apps: "zh-cn=/models/zh,ja-jp=/m/ja"
LUISLITE_ENCODER_CACHE   where encoders converted at install or first use live (default: the environment's
                         share/luislite/encoders)
LUISLITE_TRAIN_THREADS   torch threads of a training (default: every core but one)
LUISLITE_TRAIN_RECIPE    JSON of training settings replacing `luislite.nlu.fit.Recipe`'s defaults, e.g.
                         '{"min_steps": 100}' (fewer steps: faster, less accurate) or '{"quick_steps": 0}' (no
                         quick model: Train answers once the full recipe has run, and nothing is refined after)
LUISLITE_PREDICT_THREADS onnxruntime intra-op threads per prediction (default 1)
LUISLITE_MAX_BODY_MB     largest request body accepted (default 32)
LUISLITE_PUBLIC_URL      base URL written into publish responses (default: the request's host)
LUISLITE_EXPECT_WORKER   1: /ready needs a live training worker (`luislite serve` with workers sets it)
LUISLITE_ACCESS_LOG      0: no JSON request log lines on stderr (default 1)
LUISLITE_CONSOLE         0: no web console at / and /console/ (default 1)
LUISLITE_MODEL_STORE     where trained models are kept: "database" (default unless the database is SQLite; nodes
                         share nothing else) or "datadir" (the data dir's models/, shared or on one machine)
LUISLITE_MODEL_MEMORY_MB the loaded models a process keeps at most, estimated (default 1024; the newest always)
LUISLITE_MODEL_CACHE_MB  the local copies of database-stored models a node keeps at most (default 2048)
LUISLITE_PREDICTION_QUOTA  requests a key may make to prediction routes per window, e.g. "50/s", "600/min", "10000/h"
                         (default: off); counted in the database, so shared by every node
LUISLITE_AUTHORING_QUOTA  the same for authoring routes (LUIS: about 5/s)
LUISLITE_METRICS         GET /metrics: "keyed" (default: an authoring key needed), "open" (no key) or "off" (no route)
"""
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path


def _keys(value: str | None) -> list[str]:
    return [k.strip() for k in (value or "").split(",") if k.strip()]


def _with_driver(url: str) -> str:
    """A PostgreSQL URL without a driver gets psycopg 3, the one `luislite[postgres]` installs."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+psycopg://{rest}" if sep and scheme in ("postgresql", "postgres") else url


def _base_models(value: str | None) -> dict[str, Path]:
    """culture -> checkpoint dir, from "zh-cn=/path,ja-jp=/other" (cultures lowercased)."""
    models = {}
    for item in _keys(value):
        culture, equals, path = item.partition("=")
        if not equals or not culture.strip() or not path.strip():
            raise ValueError(f"LUISLITE_BASE_MODELS: '{item}' is not culture=/checkpoint/dir.")
        models[culture.strip().lower()] = Path(path.strip()).expanduser()
    return models


def _recipe(value: str | None) -> dict:
    """Training settings from a JSON object; the names are checked when a training starts."""
    try:
        recipe = json.loads(value or "{}")
    except ValueError as error:
        raise ValueError(f"LUISLITE_TRAIN_RECIPE is not JSON: {error}") from None
    if not isinstance(recipe, dict):
        raise ValueError("LUISLITE_TRAIN_RECIPE must be a JSON object of training settings.")
    return recipe


METRICS_MODES = ("keyed", "open", "off")
_WINDOWS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


@dataclass(frozen=True)
class Quota:
    """At most `limit` requests per key in each fixed window of `seconds`."""
    limit: int
    seconds: int


def _quota(name: str, value: str | None) -> Quota | None:
    """A quota from "50/s", "600/min" or "10000/h"; None when unset or "off"."""
    value = (value or "").strip().lower()
    if value in ("", "off"):
        return None
    limit, _, window = value.partition("/")
    if not limit.strip().isdigit() or int(limit) < 1 or window.strip() not in _WINDOWS:
        raise ValueError(f"{name} must be requests per window, such as 50/s, 600/min or 10000/h; not {value!r}.")
    return Quota(int(limit), _WINDOWS[window.strip()])


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str:
    """`value` lowercased if it is one of `choices`, the first when unset; else a ValueError naming the setting."""
    value = (value or choices[0]).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


@dataclass
class Config:
    data_dir: Path
    database_url: str
    authoring_keys: list[str] = field(default_factory=list)
    endpoint_keys: list[str] = field(default_factory=list)
    max_body_mb: int = 32
    public_url: str | None = None
    expect_worker: bool = False
    access_log: bool = True
    base_model: Path | None = None  # None: the packaged encoder
    train_threads: int | None = None  # None: every core but one
    predict_threads: int = 1
    console: bool = True
    model_store: str = ""  # "database" or "datadir"; "" chooses by the database (see luislite.store)
    model_cache_mb: int = 2048
    model_memory_mb: int = 1024
    base_models: dict[str, Path] = field(default_factory=dict)  # culture -> its apps' base model
    encoder_cache: Path | None = None  # None: luislite.nlu.encoder.default_cache()
    train_recipe: dict = field(default_factory=dict)  # Recipe fields -> values
    metrics: str = "keyed"  # GET /metrics: keyed, open or off
    prediction_quota: Quota | None = None  # per key; None: no limit
    authoring_quota: Quota | None = None

    @classmethod
    def from_env(cls, env=os.environ) -> "Config":
        data_dir = Path(env.get("LUISLITE_DATA_DIR") or "data").resolve()
        url = _with_driver(env.get("LUISLITE_DATABASE_URL") or f"sqlite:///{data_dir / 'luislite.db'}")
        base_model = env.get("LUISLITE_BASE_MODEL")
        return cls(data_dir, url, _keys(env.get("LUISLITE_AUTHORING_KEYS")), _keys(env.get("LUISLITE_ENDPOINT_KEYS")),
                   int(env.get("LUISLITE_MAX_BODY_MB") or 32), env.get("LUISLITE_PUBLIC_URL") or None,
                   env.get("LUISLITE_EXPECT_WORKER", "0") == "1", env.get("LUISLITE_ACCESS_LOG", "1") != "0",
                   Path(base_model).expanduser() if base_model else None,
                   int(env.get("LUISLITE_TRAIN_THREADS") or 0) or None, int(env.get("LUISLITE_PREDICT_THREADS") or 1),
                   env.get("LUISLITE_CONSOLE", "1") != "0",
                   env.get("LUISLITE_MODEL_STORE", "").lower(), int(env.get("LUISLITE_MODEL_CACHE_MB") or 2048),
                   int(env.get("LUISLITE_MODEL_MEMORY_MB") or 1024),
                   _base_models(env.get("LUISLITE_BASE_MODELS")),
                   Path(env["LUISLITE_ENCODER_CACHE"]).expanduser() if env.get("LUISLITE_ENCODER_CACHE") else None,
                   _recipe(env.get("LUISLITE_TRAIN_RECIPE")),
                   _choice("LUISLITE_METRICS", env.get("LUISLITE_METRICS"), METRICS_MODES),
                   _quota("LUISLITE_PREDICTION_QUOTA", env.get("LUISLITE_PREDICTION_QUOTA")),
                   _quota("LUISLITE_AUTHORING_QUOTA", env.get("LUISLITE_AUTHORING_QUOTA")))

    def base_model_for(self, culture: str) -> Path | None:
        """The checkpoint an app of `culture` trains on: its culture's, else LUISLITE_BASE_MODEL's (None: the
        culture's encoder in `luislite.nlu.encoder`)."""
        return self.base_models.get(culture.lower(), self.base_model)

    def ensure_keys(self) -> str | None:
        """Check the configured keys are GUIDs; with none configured, load or create one in the data dir.

        Returns the key when it was generated now (the caller says so, without printing it).
        """
        for name, keys in (("AUTHORING", self.authoring_keys), ("ENDPOINT", self.endpoint_keys)):
            if not all(is_guid(key) for key in keys):  # the key itself is never printed
                raise ValueError(f"LUIS keys must be GUID-shaped (Bot Framework refuses others): "
                                 f"LUISLITE_{name}_KEYS holds one that is not.")
        if self.authoring_keys:
            return None
        path = self.data_dir / "authoring-key.json"
        created = None
        if not path.exists():
            created = str(uuid.uuid4())
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:  # owner only
                file.write(json.dumps({"authoringKey": created}))
        self.authoring_keys = [json.loads(path.read_text())["authoringKey"]]
        return created
