"""Vietnamese (default) and English through flask-babel; catalogues compiled on start-up."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, gettext, lazy_gettext, ngettext
from flask_login import current_user

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
TRANSLATIONS = Path(__file__).parent / "translations"

_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "LANGUAGES", "init_app", "current_language"]


def compile_catalogues() -> list[str]:
    """Compile every .po into .mo when the .mo is missing or older, and return the domain names."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    domains: set[str] = {"messages"}
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        domains.add(po.stem)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as fh:
                catalog = read_po(fh)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as fh:
                write_mo(fh, catalog)
            tmp.replace(mo)
    return sorted(domains, key=lambda d: (d != "messages", d))


def select_locale() -> str:
    """Choose the session's language, then the user's preference, then the default."""
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    if getattr(current_user, "is_authenticated", False) and current_user.language in LANGUAGES:
        return current_user.language
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(list(LANGUAGES))
        if best:
            return best
    return "vi"


def current_language() -> str:
    """Return the language code of the current request."""
    from flask_babel import get_locale

    loc = get_locale()
    return loc.language if loc else "vi"


def init_app(app: Flask) -> None:
    """Set up flask-babel with one domain per catalogue file."""
    domains = compile_catalogues()
    app.config["BABEL_DEFAULT_LOCALE"] = app.config.get("DEFAULT_LOCALE", "vi")
    app.config["BABEL_DOMAIN"] = ";".join(domains)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([str(TRANSLATIONS)] * len(domains))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
