"""Expert profiles: an individual or an organisation offering services."""
from __future__ import annotations

from ..models import Role
from ..models.techtransfer import SUB_SECTORS, ExpertProfile
from .listing_fields import Fields

KIND = "expert"
MODEL = ExpertProfile
ROLES = (Role.EXPERT, Role.TECHNOLOGY_HOLDER, Role.SUPPLIER_REPRESENTATIVE)
SERVICES = ("consulting", "design", "installation_commissioning", "operation_maintenance", "audit")
LANGUAGES = ("vi", "en", "fr", "ja", "ko", "zh", "de", "ru")
INPUT = {"is_organisation": "is_organisation", "expertise_areas": "expertise_areas", "services": "services",
         "day_rate": "price_vnd", "languages": "languages", "regions": "regions",
         "certifications": "certifications", "availability": "availability"}


def clean(f: Fields) -> dict:
    """Check an expert profile's own fields and return the column values."""
    return {"is_organisation": f.flag("is_organisation"),
            "expertise_areas": f.choices("expertise_areas", SUB_SECTORS, required=True),
            "services": f.choices("services", SERVICES, required=True),
            "price_vnd": f.money("day_rate"),
            "languages": f.choices("languages", LANGUAGES) or ["vi"],
            "regions": f.provinces("regions"),
            "certifications": f.strings("certifications", max_items=20),
            "availability": f.text("availability", max_len=300)}


def public(obj: ExpertProfile) -> dict:
    return {"is_organisation": obj.is_organisation, "expertise_areas": list(obj.expertise_areas or []),
            "services": list(obj.services or []), "day_rate": obj.price_vnd, "languages": list(obj.languages or []),
            "regions": list(obj.regions or []), "certifications": list(obj.certifications or []),
            "availability": obj.availability}
