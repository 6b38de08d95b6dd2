"""Taxonomy of Vietnam's environmental industry: seed data, CPV/HS checks and administrator edits."""
from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..authz import is_admin, require, require_user
from ..errors import NotFound, ValidationError
from ..i18n import _l
from ..models import User
from ..models.catalog import ProductCategory
from . import audit

# HS: a 4-digit heading, then 2-digit groups (6, 8 or 10 digits), dots between groups optional.
_HS = re.compile(r"^(\d{4})(?:\.?(\d{2}))?(?:\.?(\d{2}))?(?:\.?(\d{2}))?$")

# code, abbrev, name_vi, name_en, cpv codes, HS headings, domestic target (min, max) or None,
# description_vi, description_en, sub-categories [(code suffix, name_vi, name_en, cpv codes, hs codes)]
TAXONOMY: list[dict] = [
    {
        "code": "wastewater", "abbrev": "WW",
        "name_vi": "Xử lý nước thải", "name_en": "Wastewater treatment",
        "cpv": ["42996000", "45252100", "45252127", "90400000", "90420000", "42912300"],
        "hs": ["8421.21", "8421.29", "8413.70", "8479.82"], "target": (70, 80),
        "description_vi": "Thiết bị, công nghệ và công trình xử lý nước thải sinh hoạt, đô thị và công nghiệp.",
        "description_en": "Equipment, technologies and works for municipal and industrial wastewater treatment.",
        "children": [
            ("municipal", "Nước thải đô thị và sinh hoạt", "Municipal and domestic wastewater",
             ["45252127", "90420000", "90481000"], ["8421.21"]),
            ("industrial", "Nước thải công nghiệp", "Industrial wastewater",
             ["42996000", "45252130", "42996600"], ["8421.21", "8479.82"]),
            ("sludge", "Xử lý bùn thải", "Sludge treatment",
             ["42996900", "42996200", "90513800"], ["8421.19", "8479.89"]),
        ],
    },
    {
        "code": "air", "abbrev": "AE",
        "name_vi": "Xử lý khí thải và bụi", "name_en": "Flue gas and air-emission treatment",
        "cpv": ["42514000", "42514200", "42514320", "90731000", "90731100"],
        "hs": ["8421.39", "8421.99", "8414.59"], "target": (60, 70),
        "description_vi": "Lọc bụi, khử lưu huỳnh, xử lý khí thải lò hơi, lò đốt và nhà máy công nghiệp.",
        "description_en": "Dust collection, desulphurisation and flue-gas treatment for boilers, kilns and plants.",
        "children": [
            ("dust", "Thiết bị lọc bụi", "Dust collectors", ["42514200", "42514300"], ["8421.39"]),
            ("flue_gas", "Xử lý khí thải lò đốt, lò hơi", "Flue-gas cleaning", ["42514320", "42514000"],
             ["8421.39"]),
        ],
    },
    {
        "code": "solid_waste", "abbrev": "SW",
        "name_vi": "Chất thải rắn", "name_en": "Solid waste management",
        "cpv": ["90500000", "90511000", "90513000", "90513200", "34144511", "34144512", "90531000", "45222110"],
        "hs": ["8705.90", "8474.10", "8479.89"], "target": (50, 60),
        "description_vi": "Thu gom, vận chuyển, phân loại, xử lý và chôn lấp chất thải rắn sinh hoạt và công nghiệp.",
        "description_en": "Collection, transport, sorting, treatment and landfilling of municipal and industrial solid waste.",
        "children": [
            ("collection", "Thu gom và vận chuyển", "Collection and transport",
             ["90511000", "90512000", "34144511", "34144512", "44613800"], ["8705.90"]),
            ("treatment", "Xử lý và chôn lấp", "Treatment and landfill",
             ["90513000", "90513200", "90531000", "45222110"], ["8474.10", "8479.89"]),
        ],
    },
    {
        "code": "hazardous_waste", "abbrev": "HW",
        "name_vi": "Chất thải nguy hại", "name_en": "Hazardous waste management",
        "cpv": ["90520000", "90523000", "90524000", "90524400", "42320000", "90522300"],
        "hs": ["8417.80", "8514.19"], "target": (50, 60),
        "description_vi": "Thu gom, xử lý, tiêu hủy chất thải nguy hại, chất thải y tế và đất ô nhiễm.",
        "description_en": "Collection, treatment and disposal of hazardous and medical waste and contaminated soil.",
        "children": [
            ("medical", "Chất thải y tế", "Medical waste", ["90524000", "90524100", "90524200", "90524400"],
             ["8417.80"]),
            ("industrial", "Chất thải nguy hại công nghiệp", "Industrial hazardous waste",
             ["90523000", "42320000"], ["8417.80"]),
            ("contaminated_soil", "Xử lý đất ô nhiễm", "Contaminated soil", ["90522000", "90522300"], []),
        ],
    },
    {
        "code": "monitoring", "abbrev": "MN",
        "name_vi": "Thiết bị quan trắc và đo lường môi trường",
        "name_en": "Environmental monitoring and measurement equipment",
        "cpv": ["38430000", "38432000", "38344000", "38432100", "38432300", "38421110", "90711500", "90731400"],
        "hs": ["9027", "9027.10", "9026", "9025"], "target": (20, 20),
        "description_vi": "Trạm quan trắc tự động nước thải, khí thải (CEMS), thiết bị phân tích và đo lưu lượng.",
        "description_en": "Automatic water and stack-emission (CEMS) monitoring stations, analysers and flow meters.",
        "children": [
            ("air_cems", "Quan trắc khí thải tự động (CEMS)", "Stack-emission monitoring (CEMS)",
             ["38432100", "38432300", "38344000"], ["9027.10"]),
            ("water", "Quan trắc nước tự động", "Automatic water monitoring",
             ["38430000", "38421110", "90733100"], ["9027", "9026"]),
            ("lab", "Thiết bị phân tích phòng thí nghiệm", "Laboratory analysers",
             ["38432000", "38432200", "38433000"], ["9027"]),
        ],
    },
    {
        "code": "waste_to_energy", "abbrev": "WE",
        "name_vi": "Năng lượng từ chất thải", "name_en": "Waste-to-energy",
        "cpv": ["42320000", "45252300", "90513300", "45251220", "31121200", "09120000"],
        "hs": ["8417.80", "8402", "8502.20"], "target": None,
        "description_vi": "Lò đốt rác phát điện, khí sinh học (biogas), đồng phát nhiệt điện từ sinh khối.",
        "description_en": "Waste incineration with power recovery, biogas and biomass cogeneration.",
        "children": [
            ("incineration", "Đốt rác phát điện", "Incineration with energy recovery",
             ["42320000", "45252300", "90513300"], ["8417.80", "8402"]),
            ("biogas", "Khí sinh học (biogas) và sinh khối", "Biogas and biomass",
             ["09120000", "31121200", "45251220"], ["8502.20"]),
        ],
    },
    {
        "code": "recycling", "abbrev": "RC",
        "name_vi": "Tái chế và kinh tế tuần hoàn", "name_en": "Recycling and circular economy",
        "cpv": ["42914000", "90514000", "45213270", "19600000"],
        "hs": ["8477", "8479.89", "3915"], "target": None,
        "description_vi": "Thiết bị và dịch vụ tái chế nhựa, kim loại, giấy, chất thải hữu cơ; mô hình tuần hoàn.",
        "description_en": "Equipment and services for recycling plastics, metals, paper and organic waste.",
        "children": [
            ("plastics", "Tái chế nhựa", "Plastics recycling", ["42914000", "19640000"], ["8477", "3915"]),
            ("organic", "Ủ phân compost và chất thải hữu cơ", "Composting and organic waste",
             ["90514000"], ["8479.89"]),
        ],
    },
    {
        "code": "services", "abbrev": "ES",
        "name_vi": "Dịch vụ môi trường", "name_en": "Environmental services",
        "cpv": ["90700000", "90720000", "90722000", "90722200", "90730000", "90733000", "90460000", "90470000"],
        "hs": [], "target": None,
        "description_vi": "Vận hành công trình, cải tạo phục hồi môi trường, nạo vét, hút bể phốt, ứng phó sự cố.",
        "description_en": "Plant operation, environmental rehabilitation, dredging, septic services, spill response.",
        "children": [],
    },
    {
        "code": "consulting", "abbrev": "CE",
        "name_vi": "Tư vấn và kỹ thuật môi trường", "name_en": "Environmental consulting and engineering",
        "cpv": ["71313000", "90713000", "90711400", "71313440", "71800000", "90713100", "71320000"],
        "hs": [], "target": None,
        "description_vi": "Đánh giá tác động môi trường (ĐTM), giấy phép môi trường, thiết kế và giám sát kỹ thuật.",
        "description_en": "Environmental impact assessment, environmental permits, engineering design and supervision.",
        "children": [
            ("eia", "Đánh giá tác động môi trường (ĐTM)", "Environmental impact assessment (EIA)",
             ["90711400", "71313440"], []),
            ("design", "Thiết kế và giám sát kỹ thuật", "Engineering design and supervision",
             ["71320000", "71313000"], []),
        ],
    },
]
TOP_CODES = tuple(t["code"] for t in TAXONOMY)


@lru_cache(maxsize=1)
def _taxonomy():
    from matching import default_taxonomy

    return default_taxonomy()


def normalise_hs(value: str) -> str | None:
    """Return an HS code in dotted form ('8421.21.00') or None when it is not 4, 6, 8 or 10 digits."""
    m = _HS.match((value or "").strip())
    if not m:
        return None
    groups = [g for g in m.groups() if g]
    return ".".join(groups)


def hs_error(value: str) -> str | None:
    """Return why an HS code is malformed, or None."""
    if normalise_hs(value) is None:
        return str(_l("HS code must have 4, 6, 8 or 10 digits, e.g. 8421.21 or 8421.21.00."))
    return None


def clean_cpv_codes(codes, field: str = "cpv_codes") -> tuple[list[str], dict[str, str]]:
    """Validate CPV codes ('90400000' or '90400000-1'); return the bare codes and field errors."""
    if isinstance(codes, str):
        codes = [c for c in re.split(r"[\s,;|]+", codes) if c]
    tax = _taxonomy()
    out: list[str] = []
    for raw in codes or []:
        v = tax.validate(str(raw).strip())
        if not v.ok:
            return [], {field: str(_l("%(code)s is not a valid CPV code (8 digits, optionally -check digit, "
                                      "from CPV 2008).", code=str(raw)[:20]))}
        if v.code not in out:
            out.append(v.code)
    if len(out) > 20:
        return [], {field: str(_l("Give at most 20 CPV codes."))}
    return out, {}


def clean_hs_codes(codes, field: str = "hs_codes") -> tuple[list[str], dict[str, str]]:
    """Validate a list of HS codes and return them in dotted form with field errors."""
    if isinstance(codes, str):
        codes = [c for c in re.split(r"[\s,;|]+", codes) if c]
    out = []
    for raw in codes or []:
        norm = normalise_hs(str(raw))
        if norm is None:
            return [], {field: hs_error(str(raw))}
        if norm not in out:
            out.append(norm)
    return out, {}


def seed_categories(session: Session) -> int:
    """Create the missing taxonomy categories (idempotent, never overwrites admin edits); return how many were added."""
    existing = {c.code: c for c in session.scalars(select(ProductCategory))}
    added = 0
    for order, top in enumerate(TAXONOMY):
        parent = existing.get(top["code"])
        if parent is None:
            target = top["target"] or (None, None)
            parent = ProductCategory(code=top["code"], abbrev=top["abbrev"], name_vi=top["name_vi"],
                                     name_en=top["name_en"], description_vi=top["description_vi"],
                                     description_en=top["description_en"], cpv_codes=list(top["cpv"]),
                                     hs_codes=list(top["hs"]), domestic_target_min=target[0],
                                     domestic_target_max=target[1], sort_order=(order + 1) * 10)
            session.add(parent)
            session.flush()
            existing[parent.code] = parent
            added += 1
        for sub_order, (suffix, name_vi, name_en, cpv, hs) in enumerate(top["children"]):
            code = f"{top['code']}.{suffix}"
            if code in existing:
                continue
            child = ProductCategory(code=code, parent_id=parent.id, name_vi=name_vi, name_en=name_en,
                                    cpv_codes=list(cpv), hs_codes=list(hs), sort_order=sub_order + 1)
            session.add(child)
            existing[code] = child
            added += 1
    session.flush()
    session.commit()
    return added


def all_categories(session: Session, active_only: bool = False) -> list[ProductCategory]:
    """Return every category, top-level sectors first in their order, each followed by its children."""
    cats = list(session.scalars(select(ProductCategory).order_by(ProductCategory.sort_order, ProductCategory.id)))
    tops = [c for c in cats if c.parent_id is None]
    out: list[ProductCategory] = []
    for top in tops:
        if active_only and not top.is_active:
            continue
        out.append(top)
        out += [c for c in cats if c.parent_id == top.id and (c.is_active or not active_only)]
    return out


def get_category(session: Session, category_id: int) -> ProductCategory:
    cat = session.get(ProductCategory, category_id)
    if cat is None:
        raise NotFound(str(_l("Category not found.")))
    return cat


def by_code(session: Session, code: str) -> ProductCategory | None:
    """Return the category with this stable code, or None."""
    return session.scalar(select(ProductCategory).where(ProductCategory.code == code))


def descendant_ids(session: Session, category: ProductCategory) -> list[int]:
    """Return the ids of a category and all its sub-categories (for filters)."""
    ids = [category.id]
    frontier = [category.id]
    while frontier:
        frontier = list(session.scalars(select(ProductCategory.id).where(ProductCategory.parent_id.in_(frontier))))
        ids += frontier
    return ids


EDITABLE = ("name_vi", "name_en", "description_vi", "description_en", "cpv_codes", "hs_codes",
            "domestic_target_min", "domestic_target_max", "is_active", "sort_order")


def update_category(session: Session, user: User | None, category_id: int, data: dict) -> ProductCategory:
    """Let an administrator change a category's names, descriptions, CPV/HS mapping, targets or visibility."""
    require_user(user)
    require(is_admin(user), str(_l("Only administrators can edit the taxonomy.")))
    cat = get_category(session, category_id)
    errors: dict[str, str] = {}
    changes: dict = {}
    for key in EDITABLE:
        if key not in data:
            continue
        value = data[key]
        if key in ("name_vi", "name_en"):
            value = (value or "").strip()
            if not value or len(value) > 200:
                errors[key] = str(_l("Enter a name of 1 to 200 characters."))
        elif key in ("description_vi", "description_en"):
            value = (value or "").strip() or None
        elif key == "cpv_codes":
            value, errs = clean_cpv_codes(value, key)
            errors.update(errs)
        elif key == "hs_codes":
            value, errs = clean_hs_codes(value, key)
            errors.update(errs)
        elif key in ("domestic_target_min", "domestic_target_max"):
            if value in ("", None):
                value = None
            else:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    value = -1
                if not 0 <= value <= 100:
                    errors[key] = str(_l("Enter a percentage between 0 and 100."))
        elif key == "is_active":
            value = bool(value)
        elif key == "sort_order":
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[key] = str(_l("Enter a whole number."))
        changes[key] = value
    lo = changes.get("domestic_target_min", cat.domestic_target_min)
    hi = changes.get("domestic_target_max", cat.domestic_target_max)
    if not errors and lo is not None and hi is not None and lo > hi:
        errors["domestic_target_min"] = str(_l("The minimum target must not exceed the maximum."))
    if errors:
        raise ValidationError(errors)
    for key, value in changes.items():
        setattr(cat, key, value)
    audit.record(session, "catalog.category_updated", actor_id=user.id, subject_type="product_category",
                 subject_id=cat.id, detail={k: v for k, v in changes.items()})
    session.commit()
    return cat


def category_dict(cat: ProductCategory, lang: str = "vi") -> dict:
    """Serialise a category for the API and exports."""
    return {
        "id": cat.id, "code": cat.code, "parent": cat.parent.code if cat.parent else None, "abbrev": cat.abbrev,
        "name": cat.name(lang), "name_vi": cat.name_vi, "name_en": cat.name_en,
        "description_vi": cat.description_vi, "description_en": cat.description_en,
        "cpv_codes": list(cat.cpv_codes or []), "hs_codes": list(cat.hs_codes or []),
        "domestic_target_min": cat.domestic_target_min, "domestic_target_max": cat.domestic_target_max,
        "is_active": cat.is_active,
    }
