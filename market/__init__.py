"""Vietnam Environmental Industry Marketplace: the web application."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import PROJECT_ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the application from settings (MARKET_* variables, then `config` overrides)."""
    settings = load_config(config)
    app = Flask(
        __name__,
        instance_path=str(Path(str(settings["INSTANCE_PATH"])).resolve()),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(settings)
    app.config.setdefault("MAX_CONTENT_LENGTH", int(settings["MAX_UPLOAD_MB"]) * 1024 * 1024)
    app.config["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"] or "memory://"
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)

    from . import auth_session, db, errors_http, i18n, templating
    from .extensions import csrf, limiter

    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    auth_session.init_app(app)
    templating.init_app(app)
    errors_http.init_app(app)

    from .api import bp as api_bp, register_modules
    from .views import register_blueprints

    register_modules()
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    register_blueprints(app)
    return app
