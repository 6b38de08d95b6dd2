"""Maintain translation catalogues: find strings with no Vietnamese translation, merge new ones in."""
from __future__ import annotations

from pathlib import Path

from .config import PROJECT_ROOT
from .i18n import TRANSLATIONS

KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def extract_ids() -> set[str]:
    """Return every message id used in the code and templates."""
    from babel.messages.extract import extract_from_dir

    method_map = [("market/**.py", "python"), ("templates/**.html", "jinja2")]
    ids: set[str] = set()
    for _fname, _lineno, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map, keywords=KEYWORDS, options_map={"templates/**.html": {}}):
        if message:
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def translated_ids(locale: str = "vi") -> set[str]:
    """Return message ids with a non-empty translation in any of the locale's catalogues."""
    from babel.messages.pofile import read_po

    ids: set[str] = set()
    for po in (TRANSLATIONS / locale / "LC_MESSAGES").glob("*.po"):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string and (msg.string if isinstance(msg.string, str) else all(msg.string)):
                    ids.add(msg.id if isinstance(msg.id, str) else msg.id[0])
    return ids


def missing(locale: str = "vi") -> list[str]:
    """Return the ids that have no translation yet, sorted."""
    return sorted(extract_ids() - translated_ids(locale))


def write_catalogue(path: Path, translations: dict[str, str], locale: str = "vi") -> None:
    """Write (or extend) a .po file with the given id -> translation pairs."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
    else:
        catalog = Catalog(locale=locale, project="envmarket")
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
