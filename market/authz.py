"""Who may do what, named after the action; services call these and raise NotAuthorized."""
from __future__ import annotations

from .errors import NotAuthenticated, NotAuthorized
from .models import Organisation, Role, User


def require_user(user: User | None) -> User:
    """Return the user or raise NotAuthenticated for anonymous callers."""
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "id", None) is None:
        raise NotAuthenticated("Please log in.")
    return user


def require(allowed: bool, message: str = "You are not allowed to do this.") -> None:
    """Raise NotAuthorized unless allowed."""
    if not allowed:
        raise NotAuthorized(message)


def is_admin(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", True) and user.has_role(Role.ADMINISTRATOR)


def can_verify_organisation(user: User | None) -> bool:
    return is_admin(user)


def can_read_outbox(user: User | None, outbox_enabled: bool) -> bool:
    return outbox_enabled and is_admin(user)


def can_view_audit_log(user: User | None) -> bool:
    return is_admin(user)


def has_role_in(user: User | None, org: Organisation | int | None, *roles: Role) -> bool:
    """Say whether the user holds one of the roles in the given organisation."""
    if user is None or org is None:
        return False
    org_id = org if isinstance(org, int) else org.id
    return any(m.organisation_id == org_id and m.role in roles for m in user.memberships)


def orgs_where(user: User | None, *roles: Role) -> list[Organisation]:
    """Return the organisations in which the user holds one of the roles."""
    if user is None:
        return []
    return [m.organisation for m in user.memberships if m.role in roles and m.organisation is not None]
