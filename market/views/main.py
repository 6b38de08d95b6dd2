"""Home page, dashboard and language switch."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import db
from ..i18n import LANGUAGES
from ..models import Organisation
from ..services import accounts

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    s = db.session()
    counts = {
        "organisations": s.scalar(select(func.count(Organisation.id))),
        "verified": s.scalar(select(func.count(Organisation.id)).where(Organisation.verified_at.is_not(None))),
    }
    return render_template("main/index.html", counts=counts)


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template("main/dashboard.html")


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "vi")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            accounts.set_language(db.session(), current_user, lang)
    target = request.form.get("next") or url_for("main.index")
    # Only follow local paths, never an attacker-chosen host.
    if urlparse(target).netloc or not target.startswith("/"):
        target = url_for("main.index")
    return redirect(target)
