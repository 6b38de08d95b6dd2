"""Uploads: content must match the extension, size is limited, versions are kept, sealed files are encrypted."""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from market.errors import ValidationError
from market.models import StoredFile
from market.services import files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 400), (20, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_accepts_a_pdf_and_a_docx(app, session):
    a = files.store(session, app.config, PDF, "ho-so.pdf", owner_kind="tender", owner_id=1)
    b = files.store(session, app.config, _docx(), "spec.docx", owner_kind="tender", owner_id=1)
    session.commit()
    assert a.content_type == "application/pdf" and b.content_type.endswith("wordprocessingml.document")
    assert files.read(app.config, a) == PDF


@pytest.mark.parametrize("name,data,fragment", [
    ("fake.pdf", b"this is plain text, not a pdf", "not a PDF"),
    ("spec.docx", PDF, "not a DOCX"),
    ("run.exe", PDF, "file types"),
    ("empty.pdf", b"", "empty"),
])
def test_rejects_mistyped_or_empty_files_and_stores_nothing(app, session, name, data, fragment):
    with pytest.raises(ValidationError) as err:
        files.store(session, app.config, data, name, owner_kind="tender", owner_id=1, field="document")
    assert fragment in err.value.fields["document"]
    session.rollback()
    assert session.query(StoredFile).count() == 0


def test_rejects_files_over_the_size_limit(app, session):
    with pytest.raises(ValidationError) as err:
        files.store(session, app.config, PDF + b"0" * 2048, "big.pdf", owner_kind="tender", owner_id=1, max_bytes=1024)
    assert "larger" in err.value.fields["file"]


def test_a_replacement_becomes_a_new_version_and_the_old_one_is_kept(app, session):
    first = files.store(session, app.config, PDF, "HSMT.pdf", owner_kind="tender", owner_id=7)
    second = files.store(session, app.config, PDF + b"% v2\n", "hsmt.pdf", owner_kind="tender", owner_id=7)
    session.commit()
    assert (second.version, second.replaces_id) == (2, first.id)
    assert [f.version for f in files.versions(session, "tender", 7)] == [2, 1]
    assert [f.id for f in files.current(session, "tender", 7)] == [second.id]
    assert files.read(app.config, first) == PDF


def test_sealed_files_are_encrypted_on_disk(app, session, tmp_path):
    stored = files.store(session, app.config, PDF, "gia-du-thau.pdf", owner_kind="bid", owner_id=3, encrypt=True)
    session.commit()
    on_disk = (tmp_path / "instance" / "files" / stored.storage_path).read_bytes()
    assert b"%PDF" not in on_disk
    assert files.read(app.config, stored) == PDF


def test_images_are_checked_and_thumbnailed(app, session):
    with pytest.raises(ValidationError):
        files.store(session, app.config, PDF, "photo.png", owner_kind="product", owner_id=1, types=files.IMAGE_TYPES)
    img = files.store(session, app.config, _png(), "photo.png", owner_kind="product", owner_id=1, types=files.IMAGE_TYPES)
    with Image.open(io.BytesIO(files.thumbnail(app.config, img, 200))) as thumb:
        assert max(thumb.size) == 200
