"""Registration, login, passwords, API tokens and organisation verification."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import authz
from ..errors import NotFound, ValidationError
from ..i18n import _l
from ..models import ApiToken, Membership, Organisation, OrgKind, Role, SizeClass, User, utcnow
from ..provinces import normalise_province
from ..security import hash_password, new_token, token_digest, verify_password
from ..validators import email_error, normalise_email, password_error, tax_code_error
from ..indexing import reindex
from . import audit, outbox

# Which roles a self-registering user may take in each kind of organisation.
ROLES_BY_KIND: dict[OrgKind, tuple[Role, ...]] = {
    OrgKind.PUBLIC_BUYER: (Role.PROCUREMENT_OFFICER,),
    OrgKind.ENTERPRISE: (Role.SUPPLIER_REPRESENTATIVE, Role.TECHNOLOGY_HOLDER),
    OrgKind.RESEARCH_INSTITUTE: (Role.TECHNOLOGY_HOLDER, Role.EXPERT),
    OrgKind.INDIVIDUAL_EXPERT: (Role.EXPERT, Role.TECHNOLOGY_HOLDER),
}
LANGUAGES = ("vi", "en")


def _enum(value: Any, enum_cls, field: str, errors: dict[str, str]):
    try:
        return enum_cls(value)
    except ValueError:
        errors[field] = str(_l("Choose one of the listed options."))
        return None


def register(session: Session, data: dict[str, Any]) -> User:
    """Create a user with a new organisation and a role in it; validate everything before writing anything."""
    errors: dict[str, str] = {}
    email = normalise_email(str(data.get("email") or ""))
    name = str(data.get("name") or "").strip()
    password = str(data.get("password") or "")
    language = str(data.get("language") or "vi")
    if err := email_error(email):
        errors["email"] = err
    elif session.scalar(select(User.id).where(func.lower(User.email) == email)):
        errors["email"] = str(_l("An account with this email already exists."))
    if not name:
        errors["name"] = str(_l("Enter your name."))
    elif len(name) > 200:
        errors["name"] = str(_l("Name must be at most 200 characters long."))
    if err := password_error(password, email, name):
        errors["password"] = err
    if language not in LANGUAGES:
        errors["language"] = str(_l("Choose Vietnamese or English."))

    org_name = str(data.get("organisation_name") or "").strip()
    tax_code = str(data.get("tax_code") or "").strip()
    kind = _enum(data.get("organisation_kind"), OrgKind, "organisation_kind", errors)
    size = _enum(data.get("size_class"), SizeClass, "size_class", errors)
    role = _enum(data.get("role"), Role, "role", errors)
    province = normalise_province(str(data.get("province") or ""))
    if not org_name:
        errors["organisation_name"] = str(_l("Enter the organisation's name."))
    elif len(org_name) > 300:
        errors["organisation_name"] = str(_l("Name must be at most 300 characters long."))
    if err := tax_code_error(tax_code):
        errors["tax_code"] = err
    elif session.scalar(select(Organisation.id).where(Organisation.tax_code == tax_code)):
        errors["tax_code"] = str(_l("An organisation with this tax code is already registered; ask one of its members to add you."))
    if province is None:
        errors["province"] = str(_l("Choose a province or city of Vietnam."))
    if kind and role and role not in ROLES_BY_KIND[kind]:
        errors["role"] = str(_l("This role is not available for this kind of organisation."))
    if errors:
        raise ValidationError(errors)

    user = User(email=email, name=name, password_hash=hash_password(password), language=language)
    org = Organisation(
        kind=kind, name=org_name, tax_code=tax_code, province=province, size_class=size,
        is_sme=size != SizeClass.LARGE, domestic_manufacturer=bool(data.get("domestic_manufacturer")),
    )
    session.add_all([user, org])
    session.flush()
    session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    audit.record(session, "user.registered", actor_id=user.id, subject_type="user", subject_id=user.id,
                 detail={"organisation_id": org.id, "role": role.value})
    session.commit()
    session.refresh(user)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user for valid credentials, recording the attempt either way."""
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    ok = user is not None and user.is_active and verify_password(user.password_hash, password)
    audit.record(session, "auth.login" if ok else "auth.login_failed", actor_id=user.id if ok and user else None,
                 subject_type="user", subject_id=user.id if user else None, detail={"email": email})
    session.commit()
    return user if ok else None


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one."""
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = str(_l("Current password is not correct."))
    if err := password_error(new, user.email, user.name):
        errors["new_password"] = err
    if errors:
        raise ValidationError(errors)
    user.password_hash = hash_password(new)
    audit.record(session, "auth.password_changed", actor_id=user.id, subject_type="user", subject_id=user.id)
    session.commit()


def _reset_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="password-reset")


def request_password_reset(session: Session, email: str, secret: str, link_for: Callable[[str], str]) -> None:
    """Email a reset link if the address belongs to a user; say nothing either way to the caller."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    # Binding the token to the current hash makes it single-use: a reset changes the hash.
    token = _reset_serializer(secret).dumps({"uid": user.id, "ph": user.password_hash[-16:]})
    body = str(_l("Open this link within an hour to choose a new password: %(link)s", link=link_for(token)))
    outbox.send_email(session, user, str(_l("Reset your password")), body)
    audit.record(session, "auth.password_reset_requested", subject_type="user", subject_id=user.id)
    session.commit()


def reset_password(session: Session, token: str, new_password: str, secret: str, max_age: int) -> User:
    """Set a new password from a valid, unexpired, unused reset token."""
    invalid = ValidationError({"token": str(_l("This reset link is invalid or has expired."))})
    try:
        data = _reset_serializer(secret).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        raise invalid from None
    user = session.get(User, data.get("uid"))
    if user is None or user.password_hash[-16:] != data.get("ph"):
        raise invalid
    if err := password_error(new_password, user.email, user.name):
        raise ValidationError({"password": err})
    user.password_hash = hash_password(new_password)
    audit.record(session, "auth.password_reset", actor_id=user.id, subject_type="user", subject_id=user.id)
    session.commit()
    return user


def issue_token(session: Session, user: User, name: str = "api", ttl_days: int = 90) -> tuple[ApiToken, str]:
    """Create a bearer token; the raw value is returned once and only its digest is stored."""
    raw = new_token()
    token = ApiToken(user_id=user.id, token_hash=token_digest(raw), prefix=raw[:12], name=name[:100] or "api",
                     expires_at=utcnow() + timedelta(days=ttl_days))
    session.add(token)
    session.flush()
    audit.record(session, "auth.token_issued", actor_id=user.id, subject_type="api_token", subject_id=token.id)
    session.commit()
    return token, raw


def user_for_token(session: Session, raw: str) -> User | None:
    """Return the active user owning an unrevoked, unexpired token."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at < now):
        return None
    if not token.user.is_active:
        return None
    return token.user


def revoke_token(session: Session, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "auth.token_revoked", actor_id=user.id, subject_type="api_token", subject_id=token.id)
        session.commit()


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def set_language(session: Session, user: User, language: str) -> None:
    """Store the user's preferred language."""
    if language not in LANGUAGES:
        raise ValidationError({"language": str(_l("Choose Vietnamese or English."))})
    user.language = language
    session.commit()


def verify_organisation(session: Session, actor: User, org_id: int) -> Organisation:
    """Mark an organisation verified; administrators only."""
    authz.require(authz.can_verify_organisation(actor))
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("No such organisation.")
    if org.verified_at is None:
        org.verified_at = utcnow()
        org.verified_by_id = actor.id
        audit.record(session, "organisation.verified", actor_id=actor.id, subject_type="organisation",
                     subject_id=org.id)
        reindex(session, "organisation", org.id)  # verified suppliers become visible to matching
        for m in org.memberships:
            outbox.send_email(session, m.user, str(_l("Your organisation has been verified")),
                              str(_l("%(org)s is now verified on the marketplace.", org=org.name)))
        session.commit()
    return org


def list_organisations(session: Session, *, unverified_only: bool = False) -> list[Organisation]:
    """Return organisations, unverified first when asked."""
    q = select(Organisation).order_by(Organisation.verified_at.is_not(None), Organisation.name)
    if unverified_only:
        q = q.where(Organisation.verified_at.is_(None))
    return list(session.scalars(q))


def add_platform_admin(session: Session, email: str, name: str, password: str) -> User:
    """Create a platform administrator (CLI and demo only)."""
    errors = {}
    email = normalise_email(email)
    if err := email_error(email):
        errors["email"] = err
    elif session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = str(_l("An account with this email already exists."))
    if err := password_error(password, email, name):
        errors["password"] = err
    if errors:
        raise ValidationError(errors)
    user = User(email=email, name=name, password_hash=hash_password(password), language="vi")
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, organisation_id=None, role=Role.ADMINISTRATOR))
    audit.record(session, "user.admin_created", subject_type="user", subject_id=user.id)
    session.commit()
    return user
