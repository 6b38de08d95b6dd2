"""Flask-Login wiring: load users from the request's session."""
from __future__ import annotations

from flask import Flask

from . import db
from .extensions import login_manager
from .i18n import _l
from .models import User


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        user = db.session().get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None
