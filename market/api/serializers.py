"""Plain dict views of models for JSON responses."""
from __future__ import annotations

from ..models import Organisation, User


def organisation(org: Organisation) -> dict:
    return {
        "id": org.id, "kind": org.kind.value, "name": org.name, "tax_code": org.tax_code, "province": org.province,
        "size_class": org.size_class.value, "is_sme": org.is_sme, "domestic_manufacturer": org.domestic_manufacturer,
        "verified": org.is_verified,
    }


def user(u: User) -> dict:
    return {
        "id": u.id, "email": u.email, "name": u.name, "language": u.language,
        "roles": sorted({m.role.value for m in u.memberships}),
        "memberships": [
            {"role": m.role.value, "organisation": organisation(m.organisation) if m.organisation else None}
            for m in u.memberships
        ],
    }
