"""Open data: OCDS release and record packages, CSV exports of tenders and awards (public, no token)."""
from __future__ import annotations

from flask import Response, jsonify, request, url_for

from .. import db
from ..errors import NotFound, ValidationError
from ..i18n import _l
from ..jobs import ocds as _ocds_jobs  # noqa: F401  (register the backfill tick)
from ..services import ocds, open_data_csv
from . import route

MAX_PER_PAGE = 100


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: str(_l("Must be a whole number."))}) from None
    if not low <= value <= high:
        raise ValidationError({name: str(_l("Must be between %(low)d and %(high)d.", low=low, high=high))})
    return value


@route("/ocds/releases", summary="OCDS 1.1 release package: every published change, oldest first",
       query={"since": "only releases on or after this date / date-time (ISO 8601)",
              "until": "only releases on or before this date / date-time (a bare date includes the whole day)",
              "ocid": "only this contracting process", "page": "page number, from 1",
              "per_page": f"releases per page, at most {MAX_PER_PAGE}"},
       tags=("open data",), responses={422: "A bad date or page"})
def ocds_releases():
    since = ocds.parse_bound(request.args.get("since"), "since")
    until = ocds.parse_bound(request.args.get("until"), "until", end=True)
    page = _int_arg("page", 1, 1, 1_000_000)
    per_page = _int_arg("per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    args = {k: v for k, v in request.args.items() if k in ("since", "until", "ocid")} | {"per_page": per_page}
    package, more = ocds.release_package(
        db.session(), base_url=request.host_url, package_uri=request.url, since=since, until=until,
        ocid=request.args.get("ocid") or None, page=page, per_page=per_page)
    links = {}
    if more:
        links["next"] = url_for("api.ocds_releases", _external=True, page=page + 1, **args)
    if page > 1:
        links["prev"] = url_for("api.ocds_releases", _external=True, page=page - 1, **args)
    if links:
        package["links"] = links
    return jsonify(package)


@route("/ocds/records/<path:ocid>", summary="OCDS record package of one contracting process, with its compiled release",
       tags=("open data",), responses={404: "No such contracting process"})
def ocds_record(ocid: str):
    package = ocds.record_package(db.session(), ocid, base_url=request.host_url, package_uri=request.url)
    if package is None:
        raise NotFound(str(_l("No published contracting process has this ocid.")))
    return jsonify(package)


def _csv(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@route("/exports/tenders.csv", summary="CSV of every published tender", tags=("open data",))
def export_tenders_csv():
    return _csv(open_data_csv.tenders_csv(db.session()), "tenders.csv")


@route("/exports/awards.csv", summary="CSV of every award and every direct order that became a contract",
       tags=("open data",))
def export_awards_csv():
    return _csv(open_data_csv.awards_csv(db.session()), "awards.csv")
