"""Statistics API: every indicator as JSON, and each one as CSV."""
from __future__ import annotations

from flask import jsonify, url_for

from .. import db
from ..errors import NotFound
from ..i18n import current_language
from ..services import stats
from . import route


def _serialise(result: stats.Result, label) -> dict:
    ind = result.indicator
    return {
        "name": ind.name, "title": str(ind.title), "description": str(ind.description), "area": ind.area,
        "chart": ind.chart, "status": result.status,
        "columns": [{"key": k, "title": str(h)} for k, h in ind.columns],
        "rows": result.rows if result.has_data else [],
        "labels": [label(ind.label, r.get(ind.label)) for r in result.rows] if ind.label and result.has_data else [],
        "csv": url_for("api.stats_csv", name=ind.name),
    }


@route("/stats", summary="All statistical indicators (status 'no_data' when an area has nothing yet)",
       tags=("stats",), responses={200: "Indicators"})
def stats_index():
    session = db.session()
    label = stats.labeler(session, current_language())
    return jsonify({"indicators": [_serialise(r, label) for r in stats.run_all(session)]})


@route("/stats/<name>", summary="One statistical indicator", tags=("stats",),
       responses={200: "Indicator", 404: "Unknown"})
def stats_one(name: str):
    if name not in stats.INDICATORS:
        raise NotFound("Unknown indicator.")
    session = db.session()
    return jsonify(_serialise(stats.run(session, name), stats.labeler(session, current_language())))


@route("/stats/<name>.csv", summary="One statistical indicator as CSV", tags=("stats",),
       responses={200: "text/csv", 404: "Unknown"})
def stats_csv(name: str):
    if name not in stats.INDICATORS:
        raise NotFound("Unknown indicator.")
    from ..views.stats import csv_response

    return csv_response(stats.run(db.session(), name))
