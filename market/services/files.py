"""Store uploaded documents and images: type checked by content, size-limited, hashed, versioned, optionally sealed."""
from __future__ import annotations

import hashlib
import io
import os
import uuid
from pathlib import Path
from typing import Mapping

import filetype
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..i18n import _l
from ..models import StoredFile, User

# extension -> content type; the extension must agree with what the bytes are.
DOCUMENT_TYPES: Mapping[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
IMAGE_TYPES: Mapping[str, str] = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
# filetype reports "jpg" for every JPEG.
_DETECTED_AS = {"jpeg": "jpg"}


def _max_bytes(config: Mapping | None, max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    mb = (config or {}).get("MAX_UPLOAD_MB", 20)
    return int(float(mb) * 1024 * 1024)


def check_upload(filename: str, data: bytes, *, types: Mapping[str, str] = DOCUMENT_TYPES,
                 max_bytes: int = 20 * 1024 * 1024, field: str = "file") -> tuple[str, str]:
    """Return (extension, content type) of an acceptable upload, or raise a field error saying what is wrong."""
    name = (filename or "").strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = ", ".join(sorted({e.upper() for e in types}))
    if not data:
        raise ValidationError({field: str(_l("The file is empty."))})
    if len(data) > max_bytes:
        raise ValidationError({field: str(_l("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1048576, 1)))})
    if ext not in types:
        raise ValidationError({field: str(_l("Upload one of these file types: %(types)s.", types=allowed))})
    kind = filetype.guess(data)
    detected = kind.extension if kind else None
    if detected != _DETECTED_AS.get(ext, ext):
        raise ValidationError({field: str(_l("The file's content is not a %(ext)s file.", ext=ext.upper()))})
    return ext, types[ext]


def _root(config: Mapping) -> Path:
    return Path(str(config["INSTANCE_PATH"])) / "files"


def store(session: Session, config: Mapping, data: bytes, filename: str, *, owner_kind: str, owner_id: int,
          slot: str = "document", uploaded_by: User | None = None, encrypt: bool = False,
          types: Mapping[str, str] = DOCUMENT_TYPES, max_bytes: int | None = None, field: str = "file") -> StoredFile:
    """Validate and save an upload; the row joins the caller's transaction and a same-named upload is a new version."""
    ext, content_type = check_upload(filename, data, types=types, max_bytes=_max_bytes(config, max_bytes), field=field)
    clean_name = os.path.basename(filename.replace("\\", "/")).strip()[:255]
    digest = hashlib.sha256(data).hexdigest()
    payload = Fernet(str(config["BID_KEY"]).encode()).encrypt(data) if encrypt else data
    rel = f"{owner_kind}/{uuid.uuid4().hex}.{ext}" + (".sealed" if encrypt else "")
    path = _root(config) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(payload)
    tmp.replace(path)
    previous = session.scalars(
        select(StoredFile).where(StoredFile.owner_kind == owner_kind, StoredFile.owner_id == owner_id,
                                 StoredFile.slot == slot, func.lower(StoredFile.filename) == clean_name.lower())
        .order_by(StoredFile.version.desc()).limit(1)).first()
    stored = StoredFile(owner_kind=owner_kind, owner_id=owner_id, slot=slot, filename=clean_name,
                        content_type=content_type, size=len(data), sha256=digest,
                        version=(previous.version + 1) if previous else 1,
                        replaces_id=previous.id if previous else None, encrypted=encrypt, storage_path=rel,
                        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None)
    session.add(stored)
    session.flush()
    return stored


def read(config: Mapping, stored: StoredFile) -> bytes:
    """Return a stored file's bytes, decrypting sealed ones, and check them against the stored hash."""
    raw = (_root(config) / stored.storage_path).read_bytes()
    data = Fernet(str(config["BID_KEY"]).encode()).decrypt(raw) if stored.encrypted else raw
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise ValueError(f"stored file {stored.id} does not match its sha256")
    return data


def versions(session: Session, owner_kind: str, owner_id: int, slot: str | None = None) -> list[StoredFile]:
    """Return every version of the owner's files, newest version of each name first."""
    q = select(StoredFile).where(StoredFile.owner_kind == owner_kind, StoredFile.owner_id == owner_id)
    if slot is not None:
        q = q.where(StoredFile.slot == slot)
    return list(session.scalars(q.order_by(StoredFile.slot, func.lower(StoredFile.filename), StoredFile.version.desc())))


def current(session: Session, owner_kind: str, owner_id: int, slot: str | None = None) -> list[StoredFile]:
    """Return only the latest version of each of the owner's files."""
    latest: dict[tuple[str, str], StoredFile] = {}
    for f in versions(session, owner_kind, owner_id, slot):
        latest.setdefault((f.slot, f.filename.lower()), f)
    return list(latest.values())


def thumbnail(config: Mapping, stored: StoredFile, size: int = 320) -> bytes:
    """Return a PNG thumbnail of a stored image, at most size pixels on its longer side."""
    from PIL import Image

    with Image.open(io.BytesIO(read(config, stored))) as img:
        img.thumbnail((size, size))
        out = io.BytesIO()
        img.convert("RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB").save(out, format="PNG")
    return out.getvalue()
