"""Sealed bids: canonical JSON, sha256 commitment and Fernet encryption with a key kept outside the database."""
from __future__ import annotations

import hashlib
import json
import secrets

from cryptography.fernet import Fernet, InvalidToken


class SealError(Exception):
    """The sealed content could not be decrypted with the configured key."""


def canonical_json(content: dict) -> bytes:
    """Serialise content deterministically (sorted keys, no spaces, UTF-8)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(content: dict) -> str:
    """Return the sha256 commitment of the canonical content."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def with_nonce(content: dict) -> dict:
    """Add a random nonce so the commitment cannot be brute-forced from guessable prices."""
    out = dict(content)
    out["nonce"] = secrets.token_hex(16)
    return out


def seal(key: str | bytes, content: dict) -> tuple[str, str]:
    """Encrypt content; return (token, sha256 commitment)."""
    raw = canonical_json(content)
    token = Fernet(key if isinstance(key, bytes) else key.encode()).encrypt(raw).decode("ascii")
    return token, hashlib.sha256(raw).hexdigest()


def unseal(key: str | bytes, token: str) -> dict:
    """Decrypt a sealed token back into its content."""
    try:
        raw = Fernet(key if isinstance(key, bytes) else key.encode()).decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise SealError("sealed content cannot be decrypted with this key") from exc
    return json.loads(raw.decode("utf-8"))
