"""Map domain errors and HTTP errors to JSON for the API and friendly pages for people."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .errors import DomainError
from .i18n import _


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, code: str, message: str, fields: dict | None = None):
    return jsonify({"error": {"code": code, "message": message, "fields": fields or {}}}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        if _wants_json():
            return _json_error(exc.status, exc.code, str(exc.message), {k: str(v) for k, v in exc.fields.items()})
        return render_template("error.html", status=exc.status, message=str(exc.message),
                               fields=exc.fields), exc.status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_template("error.html", status=400,
                               message=_("Your form expired or was sent from elsewhere. Please try again.")), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        if exc.code == 429:
            message = _("Too many attempts. Please wait a minute and try again.")
        else:
            message = exc.description or exc.name
        if _wants_json():
            return _json_error(exc.code or 500, code, str(message))
        return render_template("error.html", status=exc.code, message=message), exc.code
