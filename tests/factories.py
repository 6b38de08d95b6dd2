"""Plain factory functions with sequences, bound to a session."""
from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from market.demo.accounts import demo_tax_code
from market.models import Membership, Organisation, OrgKind, Role, SizeClass, User, utcnow
from market.security import hash_password

PASSWORD = "Correct-horse-42"
_seq = itertools.count(1)
_HASH = hash_password(PASSWORD)

KIND_FOR_ROLE = {
    Role.PROCUREMENT_OFFICER: OrgKind.PUBLIC_BUYER,
    Role.SUPPLIER_REPRESENTATIVE: OrgKind.ENTERPRISE,
    Role.TECHNOLOGY_HOLDER: OrgKind.RESEARCH_INSTITUTE,
    Role.EXPERT: OrgKind.INDIVIDUAL_EXPERT,
}


class Factories:
    def __init__(self, session: Session):
        self.session = session

    def org(self, kind: OrgKind = OrgKind.ENTERPRISE, *, name: str | None = None, province: str = "ha-noi",
            size: SizeClass = SizeClass.SMALL, verified: bool = True, domestic: bool = True) -> Organisation:
        n = next(_seq)
        org = Organisation(kind=kind, name=name or f"Org {n}", tax_code=demo_tax_code(300_000_000 + n * 13),
                           province=province, size_class=size, is_sme=size != SizeClass.LARGE,
                           domestic_manufacturer=domestic, verified_at=utcnow() if verified else None)
        self.session.add(org)
        self.session.commit()
        return org

    def user(self, role: Role | None = Role.SUPPLIER_REPRESENTATIVE, *, org: Organisation | None = None,
             email: str | None = None, name: str | None = None, language: str = "vi") -> User:
        n = next(_seq)
        user = User(email=email or f"user{n}@example.vn", name=name or f"User {n}", password_hash=_HASH,
                    language=language)
        self.session.add(user)
        self.session.flush()
        if role is not None:
            if org is None and role is not Role.ADMINISTRATOR:
                org = self.org(KIND_FOR_ROLE[role])
            self.session.add(Membership(user_id=user.id, organisation_id=org.id if org else None, role=role))
        self.session.commit()
        self.session.refresh(user)
        return user
