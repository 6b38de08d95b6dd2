"""A public page pointing to the open data: OCDS packages and CSV exports."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..i18n import _l
from ..templating import PUBLIC_NAVIGATION

bp = Blueprint("opendata", __name__)

PUBLIC_NAVIGATION.append(("opendata.index", _l("Open data")))


@bp.get("/open-data")
def index():
    return render_template("orders/open_data.html", ocid_prefix=current_app.config.get("OCID_PREFIX"))
