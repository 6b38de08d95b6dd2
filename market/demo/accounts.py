"""Demo organisations and users for every role."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Membership, Organisation, OrgKind, Role, SizeClass, User, utcnow
from ..security import hash_password
from ..services import audit
from ..validators import mst_check_digit
from . import DEMO_PASSWORD


def demo_tax_code(seed: int) -> str:
    """Return a well-formed tax code (valid check digit) derived from a seed."""
    base = seed
    while True:
        nine = f"{base:09d}"[-9:]
        check = mst_check_digit(nine)
        if check is not None:
            return nine + str(check)
        base += 1


# key, kind, name, province, size, domestic manufacturer, verified
ORGANISATIONS = [
    ("hn-doe", OrgKind.PUBLIC_BUYER, "Sở Nông nghiệp và Môi trường Hà Nội", "ha-noi", SizeClass.LARGE, False, True),
    ("hcm-urenco", OrgKind.PUBLIC_BUYER, "Ban Quản lý dự án Đầu tư xây dựng công trình Hạ tầng đô thị TP.HCM", "ho-chi-minh", SizeClass.LARGE, False, True),
    ("dn-water", OrgKind.PUBLIC_BUYER, "Ban Quản lý các dự án nước và môi trường Đà Nẵng", "da-nang", SizeClass.LARGE, False, True),
    ("bn-ip", OrgKind.PUBLIC_BUYER, "Ban Quản lý các khu công nghiệp Bắc Ninh", "bac-ninh", SizeClass.LARGE, False, True),
    ("greentech", OrgKind.ENTERPRISE, "Công ty CP Công nghệ Môi trường Xanh (GreenTech Vietnam)", "ha-noi", SizeClass.SMALL, True, True),
    ("mekong-water", OrgKind.ENTERPRISE, "Công ty TNHH Thiết bị Xử lý Nước Mê Kông", "can-tho", SizeClass.MEDIUM, True, True),
    ("saigon-air", OrgKind.ENTERPRISE, "Saigon Air Pollution Control JSC", "ho-chi-minh", SizeClass.MEDIUM, True, True),
    ("haiphong-waste", OrgKind.ENTERPRISE, "Công ty CP Xử lý Chất thải Công nghiệp Hải Phòng", "hai-phong", SizeClass.LARGE, True, True),
    ("monitor-vn", OrgKind.ENTERPRISE, "Công ty TNHH Thiết bị Quan trắc Môi trường Việt", "da-nang", SizeClass.SMALL, False, True),
    ("binhduong-recycle", OrgKind.ENTERPRISE, "Công ty TNHH Tái chế Nhựa Bình Dương", "ho-chi-minh", SizeClass.MICRO, True, False),
    ("thainguyen-biogas", OrgKind.ENTERPRISE, "Công ty CP Năng lượng Sinh khối Thái Nguyên", "thai-nguyen", SizeClass.SMALL, True, True),
    ("imet", OrgKind.RESEARCH_INSTITUTE, "Viện Công nghệ Môi trường (demo)", "ha-noi", SizeClass.MEDIUM, False, True),
    ("hcmut-env", OrgKind.RESEARCH_INSTITUTE, "Trung tâm Nghiên cứu Công nghệ Môi trường - ĐH Bách khoa TP.HCM (demo)", "ho-chi-minh", SizeClass.SMALL, False, True),
    ("expert-lan", OrgKind.INDIVIDUAL_EXPERT, "TS. Nguyễn Thị Lan - Chuyên gia xử lý nước thải", "hue", SizeClass.MICRO, False, True),
]

# email, name, language, org key (None: platform), role
# What each organisation says about itself; matching reads these profiles.
DESCRIPTIONS = {
    "greentech": "Thiết kế, chế tạo và lắp đặt hệ thống xử lý nước thải công nghiệp và sinh hoạt theo công nghệ "
                 "MBBR, AAO và màng MBR; bể lọc sinh học, máy thổi khí, thiết bị khử trùng. Chuyển giao công nghệ "
                 "xử lý nước thải dệt nhuộm.",
    "mekong-water": "Sản xuất thiết bị xử lý nước cấp và nước thải: bồn lọc áp lực, hệ thống lắng lamella, trạm xử "
                    "lý nước thải module hợp khối cho khu dân cư, bệnh viện và nhà máy chế biến thủy sản.",
    "saigon-air": "Flue gas and air-emission treatment: bag filters, electrostatic precipitators, wet scrubbers and "
                  "flue gas desulphurisation for boilers, cement kilns and steel plants; continuous emission "
                  "monitoring integration.",
    "haiphong-waste": "Thu gom, vận chuyển và xử lý chất thải nguy hại và chất thải rắn công nghiệp; lò đốt chất "
                      "thải công nghiệp, hóa rắn bùn thải, xử lý dầu thải.",
    "monitor-vn": "Trạm quan trắc tự động nước thải và khí thải liên tục, thiết bị đo pH, COD, TSS, bụi, SO2, NOx; "
                  "truyền dữ liệu về Sở Nông nghiệp và Môi trường theo quy định.",
    "binhduong-recycle": "Tái chế nhựa phế liệu PET và HDPE thành hạt nhựa tái sinh; dây chuyền rửa, nghiền và tạo hạt "
                         "nhựa; thu mua phế liệu nhựa.",
    "thainguyen-biogas": "Hầm biogas và lò đốt sinh khối phát điện từ chất thải chăn nuôi và phụ phẩm nông nghiệp; "
                         "waste-to-energy, máy phát điện khí sinh học.",
    "imet": "Nghiên cứu và chuyển giao công nghệ môi trường: xử lý nước thải giàu nitơ, xử lý bùn thải, công nghệ "
            "sinh học, quan trắc môi trường; đào tạo cán bộ vận hành.",
    "hcmut-env": "Research centre for environmental technology: membrane bioreactors, anaerobic digestion, air "
                 "pollution modelling, consulting and training for industrial zones.",
    "expert-lan": "Chuyên gia tư vấn thiết kế và vận hành trạm xử lý nước thải công nghiệp, đánh giá tác động môi "
                  "trường, kiểm toán môi trường.",
}

USERS = [
    ("admin@demo.vn", "Quản trị viên Sàn", "vi", None, Role.ADMINISTRATOR),
    ("buyer.hanoi@demo.vn", "Trần Văn Minh", "vi", "hn-doe", Role.PROCUREMENT_OFFICER),
    ("buyer.hcm@demo.vn", "Lê Thị Hồng", "vi", "hcm-urenco", Role.PROCUREMENT_OFFICER),
    ("buyer.danang@demo.vn", "Phạm Quốc Bảo", "en", "dn-water", Role.PROCUREMENT_OFFICER),
    ("buyer.bacninh@demo.vn", "Đỗ Thu Trang", "vi", "bn-ip", Role.PROCUREMENT_OFFICER),
    ("supplier.greentech@demo.vn", "Nguyễn Hoàng Nam", "vi", "greentech", Role.SUPPLIER_REPRESENTATIVE),
    ("supplier.mekong@demo.vn", "Võ Thanh Tâm", "vi", "mekong-water", Role.SUPPLIER_REPRESENTATIVE),
    ("supplier.saigonair@demo.vn", "Michael Tran", "en", "saigon-air", Role.SUPPLIER_REPRESENTATIVE),
    ("supplier.haiphong@demo.vn", "Bùi Đức Thắng", "vi", "haiphong-waste", Role.SUPPLIER_REPRESENTATIVE),
    ("supplier.monitor@demo.vn", "Hồ Ngọc Anh", "vi", "monitor-vn", Role.SUPPLIER_REPRESENTATIVE),
    ("supplier.recycle@demo.vn", "Đặng Văn Phúc", "vi", "binhduong-recycle", Role.SUPPLIER_REPRESENTATIVE),
    ("supplier.biogas@demo.vn", "Lý Thị Mai", "vi", "thainguyen-biogas", Role.SUPPLIER_REPRESENTATIVE),
    ("tech.greentech@demo.vn", "Nguyễn Hoàng Nam (R&D)", "vi", "greentech", Role.TECHNOLOGY_HOLDER),
    ("tech.imet@demo.vn", "PGS. Hoàng Văn Đức", "vi", "imet", Role.TECHNOLOGY_HOLDER),
    ("tech.hcmut@demo.vn", "Dr. Sarah Nguyen", "en", "hcmut-env", Role.TECHNOLOGY_HOLDER),
    ("expert.lan@demo.vn", "TS. Nguyễn Thị Lan", "vi", "expert-lan", Role.EXPERT),
    ("expert.hcmut@demo.vn", "Dr. Sarah Nguyen (consulting)", "en", "hcmut-env", Role.EXPERT),
]


def load(session: Session, context: dict) -> dict:
    """Create the demo organisations and users; return them by key and email."""
    password_hash = hash_password(DEMO_PASSWORD)
    orgs: dict[str, Organisation] = {}
    for i, (key, kind, name, province, size, domestic, verified) in enumerate(ORGANISATIONS):
        org = Organisation(kind=kind, name=name, tax_code=demo_tax_code(10_234_500 + i * 7_919), province=province,
                           size_class=size, is_sme=size != SizeClass.LARGE, domestic_manufacturer=domestic,
                           verified_at=utcnow() if verified else None, description=DESCRIPTIONS.get(key))
        session.add(org)
        orgs[key] = org
    session.flush()
    users: dict[str, User] = {}
    for email, name, lang, org_key, role in USERS:
        user = users.get(email) or User(email=email, name=name, language=lang, password_hash=password_hash)
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, organisation_id=orgs[org_key].id if org_key else None, role=role))
        users[email] = user
    session.flush()
    audit.record(session, "demo.loaded", subject_type="demo", detail={"organisations": len(orgs), "users": len(users)})
    session.commit()
    return {"orgs": orgs, "users": users}
