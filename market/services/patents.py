"""Patent and technology offers: the fields of the listing and their rules."""
from __future__ import annotations

from ..i18n import _l
from ..models import Role
from ..models.techtransfer import LegalStatus, OfferType, PatentOffer, TechnologyType
from . import patent_numbers
from .listing_fields import Fields

KIND = "patent"
MODEL = PatentOffer
ROLES = (Role.TECHNOLOGY_HOLDER, Role.SUPPLIER_REPRESENTATIVE, Role.EXPERT)
INPUT = {"technology_type": "technology_type", "office": "office", "patent_number": "patent_number",
         "ipc_codes": "ipc_codes", "legal_status": "legal_status", "filing_date": "filing_date",
         "expiry_date": "expiry_date", "offer_type": "offer_type", "trl": "trl", "asking_price": "price_vnd",
         "royalty_terms": "royalty_terms"}


def clean(f: Fields) -> dict:
    """Check a technology offer's own fields and return the column values."""
    tech = f.choice("technology_type", [t.value for t in TechnologyType], default=TechnologyType.PATENT.value)
    values: dict = {
        "technology_type": TechnologyType(tech) if tech else None,
        "ipc_codes": f.ipc_codes("ipc_codes"),
        "offer_type": f.choice("offer_type", [o.value for o in OfferType], required=True),
        "trl": f.trl("trl", required=True),
        "price_vnd": f.money("asking_price"),
        "royalty_terms": f.text("royalty_terms", max_len=500),
        "filing_date": f.day("filing_date"),
        "expiry_date": f.day("expiry_date"),
    }
    if values["offer_type"]:
        values["offer_type"] = OfferType(values["offer_type"])
    status = f.choice("legal_status", [s.value for s in LegalStatus])
    office = f.choice("office", patent_numbers.OFFICES)
    number = f.text("patent_number", max_len=40)
    values.update(office=None, patent_number=None, number_kind=None, legal_status=None)
    if tech == TechnologyType.PATENT.value:
        if not number:
            f.err("patent_number", _l("A patent offer needs the patent or application number."))
        if not office and "office" not in f.errors:
            f.err("office", _l("Choose the patent office."))
        if not status and "legal_status" not in f.errors:
            f.err("legal_status", _l("Choose the legal status."))
        if number and office:
            number = patent_numbers.normalise_number(number)
            kind = patent_numbers.classify(office, number)
            if kind is None:
                f.err("patent_number", _l("This is not a valid %(office)s number (for example %(example)s).",
                                          office=office, example=patent_numbers.example(office)))
            elif kind == "granted" and status == LegalStatus.PENDING.value:
                f.err("legal_status", _l("A granted patent number cannot have the status pending."))
            values.update(office=office, patent_number=number, number_kind=kind)
        values["legal_status"] = LegalStatus(status) if status else None
        if number and not values["filing_date"] and "filing_date" not in f.errors:
            f.err("filing_date", _l("Enter the filing date."))
    elif tech and number:
        f.err("patent_number", _l("Leave the number empty for know-how, software or a process."))
    if values["filing_date"] and values["expiry_date"] and values["expiry_date"] <= values["filing_date"]:
        f.err("expiry_date", _l("The expiry date must be after the filing date."))
    return values


def public(obj: PatentOffer) -> dict:
    return {"technology_type": obj.technology_type.value, "office": obj.office, "patent_number": obj.patent_number,
            "number_kind": obj.number_kind, "ipc_codes": list(obj.ipc_codes or []),
            "legal_status": obj.legal_status.value if obj.legal_status else None,
            "filing_date": obj.filing_date.isoformat() if obj.filing_date else None,
            "expiry_date": obj.expiry_date.isoformat() if obj.expiry_date else None,
            "offer_type": obj.offer_type.value, "trl": obj.trl, "asking_price": obj.price_vnd,
            "royalty_terms": obj.royalty_terms}
