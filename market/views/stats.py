"""Public statistics dashboard: server-drawn SVG charts, data tables and CSV downloads."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from .. import db
from ..i18n import _l, current_language
from ..services import stats
from ..templating import PUBLIC_NAVIGATION

bp = Blueprint("stats", __name__, url_prefix="/stats")
PUBLIC_NAVIGATION.append(("stats.index", _l("Statistics")))


@bp.get("")
def index():
    session = db.session()
    results = stats.run_all(session)
    label = stats.labeler(session, current_language())
    panels = [{"result": r, "chart": stats.chart(r, label)} for r in results]
    return render_template("stats/index.html", panels=panels, label=label)


@bp.get("/<name>.csv")
def download(name: str):
    if name not in stats.INDICATORS:
        abort(404)
    result = stats.run(db.session(), name)
    return csv_response(result)


def csv_response(result: stats.Result) -> Response:
    """Send an indicator's rows as a CSV attachment."""
    return Response(stats.to_csv(result), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{result.indicator.name}.csv"'})
