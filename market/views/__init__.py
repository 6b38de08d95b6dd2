"""HTML blueprints: thin views that parse input, call one service and render or redirect."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import admin, alerts, auth, catalog, main, matching, opendata, orders, organisations, procurement, stats, techtransfer

    for module in (main, auth, admin, procurement, techtransfer, catalog, matching, organisations, orders, stats, alerts, opendata):
        app.register_blueprint(module.bp)
