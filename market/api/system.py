"""Health of the service."""
from __future__ import annotations

from flask import jsonify

from .. import db
from ..services import health as health_service
from . import route


@route("/health", summary="Database and index status", tags=("system",), responses={503: "Degraded"})
def health():
    report = health_service.check(db.session())
    return jsonify(report), (200 if report["status"] == "ok" else 503)
