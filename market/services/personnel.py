"""Personnel needs: skills and the number of people an enterprise needs."""
from __future__ import annotations

from ..models import Role
from ..models.techtransfer import PersonnelNeed
from .listing_fields import Fields

KIND = "personnel_need"
MODEL = PersonnelNeed
ROLES = tuple(r for r in Role if r is not Role.ADMINISTRATOR)
INPUT = {"skills": "skills", "headcount": "headcount", "deadline": "deadline"}


def clean(f: Fields) -> dict:
    """Check a personnel need's own fields and return the column values."""
    return {"skills": f.strings("skills", required=True, max_items=30),
            "headcount": f.integer("headcount", lo=1, hi=10000, required=True), "deadline": f.day("deadline")}


def public(obj: PersonnelNeed) -> dict:
    return {"skills": list(obj.skills or []), "headcount": obj.headcount,
            "deadline": obj.deadline.isoformat() if obj.deadline else None}
