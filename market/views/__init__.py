"""HTML blueprints: thin views that parse input, call one service and render or redirect."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import admin, auth, catalog, main, procurement, techtransfer

    for module in (main, auth, admin, procurement, techtransfer, catalog):
        app.register_blueprint(module.bp)
