"""An organisation's public profile, kept up to date by its own members."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .. import authz
from ..errors import NotFound, ValidationError
from ..i18n import _l
from ..indexing import reindex
from ..models import Organisation, SizeClass, User
from ..provinces import normalise_province
from . import audit

EDITABLE = ("name", "description", "website", "province", "size_class", "domestic_manufacturer")


def can_edit_profile(user: User | None, org: Organisation) -> bool:
    """Members of the organisation (any role) and administrators keep its profile."""
    return authz.is_admin(user) or any(m.organisation_id == org.id for m in getattr(user, "memberships", []))


def update_profile(session: Session, actor: User, org_id: int, data: dict[str, Any]) -> Organisation:
    """Change the profile fields given; validate all of them before writing any."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(str(_l("Organisation not found.")))
    authz.require(can_edit_profile(actor, org), str(_l("Only members of this organisation can edit its profile.")))
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if "tax_code" in data and data["tax_code"] != org.tax_code:
        errors["tax_code"] = str(_l("The tax code identifies the organisation and cannot be changed."))
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not 2 <= len(name) <= 300:
            errors["name"] = str(_l("Enter a name of 2 to 300 characters."))
        changes["name"] = name
    if "description" in data:
        text = str(data["description"] or "").strip()
        if len(text) > 4000:
            errors["description"] = str(_l("At most 4,000 characters."))
        changes["description"] = text or None
    if "website" in data:
        site = str(data["website"] or "").strip()
        if site and not (site.startswith("http://") or site.startswith("https://")) or len(site) > 300:
            errors["website"] = str(_l("Enter a web address starting with http:// or https://."))
        changes["website"] = site or None
    if "province" in data:
        code = normalise_province(str(data["province"] or ""))
        if code is None:
            errors["province"] = str(_l("Choose a province or city of Vietnam."))
        changes["province"] = code
    if "size_class" in data:
        try:
            changes["size_class"] = SizeClass(data["size_class"])
        except ValueError:
            errors["size_class"] = str(_l("Choose one of the listed options."))
    if "domestic_manufacturer" in data:
        if not isinstance(data["domestic_manufacturer"], bool):
            errors["domestic_manufacturer"] = str(_l("Must be true or false."))
        changes["domestic_manufacturer"] = bool(data["domestic_manufacturer"])
    if errors:
        raise ValidationError(errors)
    before = {k: _plain(getattr(org, k)) for k in changes}
    for key, value in changes.items():
        setattr(org, key, value)
    if "size_class" in changes:
        org.is_sme = org.size_class != SizeClass.LARGE
    after = {k: _plain(getattr(org, k)) for k in changes}
    changed = {k: [before[k], after[k]] for k in changes if before[k] != after[k]}
    if changed:
        audit.record(session, "organisation.profile_changed", actor_id=actor.id, subject_type="organisation",
                     subject_id=org.id, detail=changed)
        reindex(session, "organisation", org.id)
    session.commit()
    return org


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)
