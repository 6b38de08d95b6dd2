"""Settings: defaults here, every one overridable by a MARKET_* environment variable."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,  # generated once into instance/secret_key when unset
    "DATABASE_URL": None,  # sqlite:///instance/market.db when unset
    "REDIS_URL": None,  # rate-limit storage; memory when unset
    "INSTANCE_PATH": str(PROJECT_ROOT / "instance"),
    # MiniLM and multilingual-e5 together: MiniLM alone barely relates Vietnamese to English (README, matching).
    "ENCODER": "ensemble",
    "OCID_PREFIX": "ocds-vnenv1",
    "BID_KEY": None,  # Fernet key for sealed bids; instance/bid.key when unset (never in the database)
    "DEFAULT_LOCALE": "vi",
    "LOGIN_RATE_LIMIT": "10 per minute",
    "TOKEN_TTL_DAYS": 90,
    "PASSWORD_RESET_MAX_AGE": 3600,
    "SHOW_OUTBOX": None,  # admins may read stored emails; defaults to on outside production
    "ENV": "development",
    "WORKER_POLL_SECONDS": 1.0,
    "MAX_UPLOAD_MB": 20,
    "IMAGE_MAX_PIXELS": 40_000_000,  # width x height of an uploaded image; small files can declare huge canvases
    "INDEX_SAVE_SECONDS": 10.0,  # the worker saves a changed index at most this often
    "EMBEDDING_CACHE_DIR": None,  # memo of CPV label embeddings; instance/emb_cache when unset
    # --- procurement (issue #3): minimum periods in seconds; tests and demos may use a few seconds ---
    "TENDER_MIN_ENQUIRY_SECONDS": 3 * 86400,      # publication -> end of enquiries
    "TENDER_MIN_TENDERING_SECONDS": 7 * 86400,    # end of enquiries -> submission deadline
    "TENDER_MIN_EXTENSION_SECONDS": 4 * 86400,    # after a change during tendering at least this much time remains
    "TENDER_STANDSTILL_SECONDS": 10 * 86400,      # award -> earliest contract signature (Directive 2007/66/EC)
    # --- techtransfer (issue #4): published listings expire after this many days; reminder this many days before ---
    "LISTING_TTL_DAYS": 180,
    "LISTING_REMINDER_DAYS": 14,
    # --- alerts (stats/alerts area) ---
    "SITE_URL": "http://localhost:5000",  # absolute links in emails written by the worker (no request there)
    "ALERTS_DIGEST_HOUR": 7,  # local hour (Vietnam, UTC+7) after which each user's daily digest is sent
}


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_config(overrides: dict | None = None) -> dict[str, object]:
    """Build the settings from defaults, MARKET_* variables and explicit overrides, in that order."""
    cfg: dict[str, object] = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = os.environ.get(f"MARKET_{key}")
        if raw is not None:
            cfg[key] = _coerce(raw, default) if default is not None else raw
    if cfg["DATABASE_URL"] is None and os.environ.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = os.environ["DATABASE_URL"]
    cfg.update(overrides or {})
    instance = Path(str(cfg["INSTANCE_PATH"]))
    instance.mkdir(parents=True, exist_ok=True)
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'market.db'}"
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _read_or_create(instance / "secret_key", lambda: secrets.token_hex(32))
    if not cfg["BID_KEY"]:
        cfg["BID_KEY"] = _read_or_create(instance / "bid.key", _new_fernet_key)
    if cfg["SHOW_OUTBOX"] is None:
        cfg["SHOW_OUTBOX"] = cfg["ENV"] != "production"
    return cfg


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _read_or_create(path: Path, make) -> str:
    """Return the secret stored at path, creating it with owner-only permissions on first use."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
