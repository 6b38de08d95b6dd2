"""Valid inputs for each kind of technology-transfer listing, and a helper that publishes one."""
from __future__ import annotations

import io
import zipfile

from market.models import Role
from market.services import listings

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    """A minimal DOCX (a zip with the parts filetype looks for)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def patent_data(**over) -> dict:
    data = {
        "title": "Bể UASB xử lý bùn thải dệt nhuộm", "description": "Anaerobic sludge reduction for textile wastewater",
        "sub_sector": "wastewater", "cpv_codes": ["90481000"], "province": "ha-noi", "language": "vi",
        "technology_type": "patent", "office": "VN", "patent_number": "1-0012345", "ipc_codes": ["C02F 3/28"],
        "legal_status": "granted", "filing_date": "2019-03-01", "expiry_date": "2039-03-01",
        "offer_type": "exclusive_licence", "trl": 7, "asking_price": 1_500_000_000,
    }
    data.update(over)
    return data


def need_data(**over) -> dict:
    data = {"title": "Giảm thể tích bùn tại trạm xử lý nước thải dệt nhuộm 2.000 m3/ngày",
            "description": "Reduce sludge volume at a 2,000 m3/day textile wastewater plant",
            "sub_sector": "wastewater", "province": "bac-ninh", "desired_trl": 6, "budget_min": 500_000_000,
            "budget_max": 2_000_000_000, "deadline": "2027-06-30", "wants_licence": True}
    data.update(over)
    return data


def expert_data(**over) -> dict:
    data = {"title": "Chuyên gia vận hành trạm xử lý nước thải", "description": "15 years of O&M of WWTPs",
            "sub_sector": "wastewater", "expertise_areas": ["wastewater", "monitoring"],
            "services": ["consulting", "operation_maintenance"], "day_rate": 4_000_000, "languages": ["vi", "en"],
            "regions": ["hue", "da-nang"], "certifications": ["ISO 14001 Lead Auditor"], "availability": "from 2027-01"}
    data.update(over)
    return data


def course_data(**over) -> dict:
    data = {"title": "Vận hành hệ thống xử lý khí thải lò hơi", "sub_sector": "air", "format": "blended",
            "start_date": "2027-03-01", "end_date": "2027-03-05", "capacity": 30, "price": 6_000_000,
            "province": "ho-chi-minh"}
    data.update(over)
    return data


def personnel_data(**over) -> dict:
    data = {"title": "Cần 3 kỹ sư vận hành lò đốt chất thải nguy hại", "sub_sector": "hazardous_waste",
            "skills": ["incinerator operation", "flue gas monitoring"], "headcount": 3, "province": "hai-phong"}
    data.update(over)
    return data


DATA = {"patent": patent_data, "technology_need": need_data, "expert": expert_data, "course": course_data,
        "personnel_need": personnel_data}
ROLE_FOR = {"patent": Role.TECHNOLOGY_HOLDER, "technology_need": Role.SUPPLIER_REPRESENTATIVE,
            "expert": Role.EXPERT, "course": Role.EXPERT, "personnel_need": Role.SUPPLIER_REPRESENTATIVE}


def admin(make):
    return make.user(Role.ADMINISTRATOR)


def publish(session, make, kind: str, owner=None, approver=None, **over):
    """Create a listing of the kind as `owner` (a new user when None), submit it and have an admin approve it."""
    owner = owner or make.user(ROLE_FOR[kind])
    approver = approver or admin(make)
    listing = listings.create(session, owner, kind, DATA[kind](**over), submit=True)
    listings.approve(session, approver, listing.id)
    return listing, owner
