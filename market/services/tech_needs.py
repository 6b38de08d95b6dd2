"""Technology needs: a problem to solve by a licence, a purchase or an expert."""
from __future__ import annotations

from ..i18n import _l
from ..models import Role
from ..models.techtransfer import TechnologyNeed
from .listing_fields import Fields

KIND = "technology_need"
MODEL = TechnologyNeed
ROLES = tuple(r for r in Role if r is not Role.ADMINISTRATOR)
INPUT = {"desired_trl": "trl", "budget_min": "budget_min", "budget_max": "budget_max", "deadline": "deadline",
         "wants_licence": "wants_licence", "wants_purchase": "wants_purchase", "wants_expert": "wants_expert"}


def clean(f: Fields) -> dict:
    """Check a need's own fields and return the column values."""
    values = {"trl": f.trl("desired_trl"), "budget_min": f.money("budget_min"), "budget_max": f.money("budget_max"),
              "deadline": f.day("deadline"), "wants_licence": f.flag("wants_licence"),
              "wants_purchase": f.flag("wants_purchase"), "wants_expert": f.flag("wants_expert")}
    if values["budget_min"] is not None and values["budget_max"] is not None \
            and values["budget_max"] < values["budget_min"]:
        f.err("budget_max", _l("The maximum budget must not be less than the minimum."))
    values["price_vnd"] = values["budget_max"] if values["budget_max"] is not None else values["budget_min"]
    return values


def public(obj: TechnologyNeed) -> dict:
    return {"desired_trl": obj.trl, "budget_min": obj.budget_min, "budget_max": obj.budget_max,
            "deadline": obj.deadline.isoformat() if obj.deadline else None, "wants_licence": obj.wants_licence,
            "wants_purchase": obj.wants_purchase, "wants_expert": obj.wants_expert}
