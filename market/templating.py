"""Template helpers: navigation per role, province names, formatting."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from .i18n import _l, current_language
from .models import Role
from .provinces import province_name

# (endpoint, label, roles that see it; empty = every logged-in user). Areas append their own entries.
NAVIGATION: list[tuple[str, object, tuple[Role, ...]]] = [
    ("main.dashboard", _l("Dashboard"), ()),
    ("admin.organisations", _l("Verify organisations"), (Role.ADMINISTRATOR,)),
    ("admin.outbox", _l("Email outbox"), (Role.ADMINISTRATOR,)),
    ("admin.audit", _l("Audit log"), (Role.ADMINISTRATOR,)),
]
PUBLIC_NAVIGATION: list[tuple[str, object]] = []
# (template, roles that see it; empty = everyone logged in). Areas add panels to the dashboard here.
DASHBOARD_PANELS: list[tuple[str, tuple[Role, ...]]] = []


def _dashboard_panels() -> list[str]:
    roles = current_user.roles() if current_user.is_authenticated else set()
    return [tpl for tpl, need in DASHBOARD_PANELS if not need or roles & set(need)]


def _nav_items() -> list[tuple[str, object]]:
    if not current_user.is_authenticated:
        return list(PUBLIC_NAVIGATION)
    roles = current_user.roles()
    items = list(PUBLIC_NAVIGATION)
    items += [(ep, label) for ep, label, need in NAVIGATION if not need or roles & set(need)]
    return items


def format_vnd(value) -> str:
    """Format an amount in đồng with dot thousands separators, as Vietnamese readers expect."""
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", ".") + " ₫"


def init_app(app: Flask) -> None:
    from .forms import ORG_KIND_LABELS, ROLE_LABELS, SIZE_LABELS

    app.jinja_env.globals["nav_items"] = _nav_items
    app.jinja_env.globals["dashboard_panels"] = _dashboard_panels
    app.jinja_env.globals["role_label"] = lambda r: ROLE_LABELS.get(r, r)
    app.jinja_env.globals["org_kind_label"] = lambda k: ORG_KIND_LABELS.get(k, k)
    app.jinja_env.globals["size_label"] = lambda k: SIZE_LABELS.get(k, k)
    app.jinja_env.filters["province"] = lambda code: province_name(code, current_language())
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["dt"] = lambda d: d.strftime("%d/%m/%Y %H:%M UTC") if d else "—"
