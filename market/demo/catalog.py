"""Demo data for the catalog area: the taxonomy and realistic products of the demo enterprises."""
from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..models import utcnow
from ..models.catalog import CertificateKind, Product, ProductCertificate, ProductKind, ProductStatus
from ..services import product_codes
from ..services.categories import by_code, seed_categories

A, P, D, R = ProductStatus.APPROVED, ProductStatus.PENDING_REVIEW, ProductStatus.DRAFT, ProductStatus.REJECTED
EQ, TECH, SERV = ProductKind.EQUIPMENT, ProductKind.TECHNOLOGY, ProductKind.SERVICE
GREEN = (CertificateKind.VN_GREEN_LABEL, "Nhãn Xanh Việt Nam", "Bộ Nông nghiệp và Môi trường")
ISO14 = (CertificateKind.ISO_14001, "ISO 14001:2015", "QUACERT")
ISO9 = (CertificateKind.ISO_9001, "ISO 9001:2015", "Vinacontrol CE")
QCVN = (CertificateKind.QCVN_CONFORMITY, "Chứng nhận hợp quy QCVN", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng 1")

# org key, status, kind, category, name, description, language, cpv, hs, specs
# (capacity, unit, throughput, unit, efficiency %, power kW), price (min, max) VND, domestic %, made in VN,
# national brand, certificates, rejection reason
PRODUCTS: list[tuple] = [
    ("greentech", A, EQ, "wastewater.municipal", "Hệ thống xử lý nước thải sinh hoạt hợp khối AAO-MBBR GT-50",
     "Trạm xử lý hợp khối bằng thép không gỉ/composite, công nghệ AAO kết hợp giá thể MBBR, đạt QCVN 14:2008/BTNMT "
     "cột A. Lắp đặt trong 5 ngày, vận hành tự động bằng PLC, giám sát từ xa qua điện thoại.", "vi",
     ["42996000", "45252127"], "8421.21", (50, "m3/ngày", None, None, 92, 3.5), (450_000_000, 620_000_000), 78,
     True, False, [GREEN, ISO14], None),
    ("greentech", A, EQ, "wastewater.industrial", "Module màng lọc MBR GreenMem 200 m3/ngày",
     "Module màng sợi rỗng PVDF 0,1 µm cho bể sinh học màng (MBR) xử lý nước thải khu công nghiệp, dệt nhuộm và "
     "chế biến thực phẩm; nước sau xử lý có thể tái sử dụng cho tưới cây và rửa đường.", "vi",
     ["42996000", "42912300"], "8421.21.11", (200, "m3/ngày", None, None, 97, 15), (1_500_000_000, 2_200_000_000),
     72, True, True, [ISO14, ISO9], None),
    ("greentech", A, SERV, "consulting.eia", "Tư vấn lập báo cáo ĐTM và hồ sơ cấp giấy phép môi trường",
     "Lập báo cáo đánh giá tác động môi trường, hồ sơ đề nghị cấp giấy phép môi trường theo Luật Bảo vệ môi trường "
     "2020 và Nghị định 08/2022/NĐ-CP; quan trắc hiện trạng và tham vấn cộng đồng.", "vi",
     ["90711400", "71313000"], None, (None, None, None, None, None, None), (80_000_000, 350_000_000), 100, True,
     False, [], None),
    ("greentech", P, EQ, "wastewater.industrial", "Containerised wastewater treatment plant GT-Box 20",
     "Plug-and-play MBBR plant in a 20-foot container for construction camps, resorts and small industrial sites; "
     "treated water meets QCVN 40:2025/BTNMT column B.", "en", ["42996000", "45252130"], "8421.21",
     (20, "m3/day", None, None, 90, 2.2), (380_000_000, 450_000_000), 70, True, False, [], None),
    ("mekong-water", A, EQ, "wastewater.sludge", "Máy ép bùn băng tải MK-BP1500",
     "Máy ép bùn băng tải khổ 1,5 m, khung inox SUS304, tích hợp bồn hòa trộn polymer; độ khô bùn sau ép 18–25 %. "
     "Phù hợp trạm xử lý nước thải thủy sản, chế biến tinh bột và đô thị.", "vi", ["42996200", "42996900"],
     "8421.29", (None, None, 12, "m3 bùn/giờ", None, 2.2), (420_000_000, 560_000_000), 68, True, False, [QCVN],
     None),
    ("mekong-water", A, EQ, "wastewater.industrial", "Song chắn rác tự động dạng cào MK-SC",
     "Song chắn rác cơ khí dạng cào, khe hở 3–10 mm, bảo vệ bơm và thiết bị phía sau; vận hành theo chênh lệch mực "
     "nước, chế tạo tại Cần Thơ.", "vi", ["42996500"], "8479.89", (None, None, 600, "m3/giờ", None, 0.75),
     (95_000_000, 180_000_000), 85, True, False, [], None),
    ("mekong-water", A, TECH, "wastewater.industrial", "Công nghệ xử lý nước thải chế biến thủy sản UASB-MBBR",
     "Giải pháp trọn gói cho nhà máy chế biến cá tra, tôm: tuyển nổi DAF tách mỡ, UASB thu hồi biogas, MBBR và "
     "khử trùng; công suất 300–2.000 m3/ngày, chi phí vận hành 3.500–5.000 đ/m3.", "vi",
     ["45252127", "90420000", "42996000"], None, (500, "m3/ngày", None, None, 95, 45),
     (6_500_000_000, 12_000_000_000), 74, True, False, [ISO14], None),
    ("mekong-water", P, EQ, "wastewater.municipal", "Bể lắng lamen composite MK-LS",
     "Cụm tấm lắng lamen bằng composite FRP, tăng diện tích lắng gấp 8 lần, dùng cải tạo bể lắng hiện hữu.", "vi",
     ["42996800"], "3925.10", (100, "m3/giờ", None, None, None, None), (120_000_000, 300_000_000), 90, True, False,
     [], None),
    ("saigon-air", A, EQ, "air.dust", "Pulse-jet bag filter dust collector SA-BF 20000",
     "Pulse-jet baghouse for boilers, cement grinding and wood processing; PTFE-membrane bags, outlet dust below "
     "20 mg/Nm3 (well within QCVN 19:2024/BTNMT), PLC-controlled cleaning cycle, fabricated in Binh Duong.", "en",
     ["42514200", "42514300"], "8421.39.90", (None, None, 20_000, "Nm3/h", 99.5, 30), (1_200_000_000, 1_800_000_000),
     65, True, False, [ISO9], None),
    ("saigon-air", A, EQ, "air.flue_gas", "Wet scrubber for boiler flue gas SA-WS",
     "Packed-bed wet scrubber with lime-slurry dosing for coal and biomass boilers: removes SO2, HCl and fine dust; "
     "stainless or FRP body, recirculation tank and pH control included.", "en", ["42514320", "42514000"],
     "8421.39", (None, None, 15_000, "Nm3/h", 95, 22), (900_000_000, 1_400_000_000), 62, True, False, [], None),
    ("saigon-air", P, EQ, "air.dust", "Electrostatic precipitator for biomass boilers SA-ESP",
     "Dry two-field electrostatic precipitator for rice-husk and wood-chip boilers up to 20 t/h steam.", "en",
     ["42514200"], "8421.39", (None, None, 40_000, "Nm3/h", 99, 55), (2_500_000_000, 3_600_000_000), 55, True,
     False, [], None),
    ("saigon-air", D, EQ, "air.flue_gas", "Tháp hấp thụ khử SO2 bằng sữa vôi",
     "Bản nháp: tháp hấp thụ cho lò hơi đốt than 10 tấn hơi/giờ.", "vi", ["42514320"], "8421.39",
     (None, None, 25_000, "Nm3/h", 90, None), (None, None), 60, True, False, [], None),
    ("haiphong-waste", A, EQ, "hazardous_waste.industrial", "Lò đốt chất thải nguy hại công nghiệp HP-INC 500",
     "Lò đốt hai cấp, buồng thứ cấp ≥ 1.050 °C, thời gian lưu khí ≥ 2 giây, hệ xử lý khí thải làm nguội nhanh, "
     "hấp phụ than hoạt tính và lọc túi; đáp ứng QCVN 30:2012/BTNMT.", "vi", ["42320000", "90523000"], "8417.80",
     (500, "kg/giờ", None, None, 99.99, 45), (8_500_000_000, 11_000_000_000), 70, True, True, [ISO14, QCVN], None),
    ("haiphong-waste", A, EQ, "hazardous_waste.medical", "Lò đốt chất thải y tế HP-MED 50",
     "Lò đốt chất thải y tế lây nhiễm cho bệnh viện tuyến huyện, công suất 50 kg/giờ, buồng đốt sơ cấp và thứ cấp, "
     "tháp hấp thụ khí thải; bàn giao kèm đào tạo vận hành.", "vi", ["42320000", "90524400"], "8417.80",
     (50, "kg/giờ", None, None, 99.9, 7.5), (1_100_000_000, 1_600_000_000), 82, True, False, [QCVN], None),
    ("haiphong-waste", A, SERV, "hazardous_waste", "Dịch vụ thu gom, vận chuyển và xử lý chất thải nguy hại",
     "Thu gom, vận chuyển bằng xe chuyên dụng có định vị GPS và xử lý chất thải nguy hại cho doanh nghiệp tại các "
     "tỉnh phía Bắc; có giấy phép môi trường liên tỉnh, chứng từ chất thải nguy hại điện tử.", "vi",
     ["90520000", "90523000"], None, (None, None, 60, "tấn/ngày", None, None), (4_500, 18_000), 100, True, False,
     [ISO14], None),
    ("haiphong-waste", R, EQ, "solid_waste.treatment", "Dây chuyền phân loại rác sinh hoạt HP-SORT",
     "Dây chuyền phân loại rác bằng sàng quay và tuyển từ.", "vi", ["90513000"], "8474.10",
     (200, "tấn/ngày", None, None, None, 110), (14_000_000_000, 15_000_000_000), 60, True, False,
     [], "Thiếu thông số hiệu suất phân loại và hồ sơ hợp quy; vui lòng bổ sung và gửi lại."),
    ("monitor-vn", A, EQ, "monitoring.water", "Trạm quan trắc nước thải tự động liên tục MV-WQ",
     "Trạm quan trắc tự động lưu lượng, pH, nhiệt độ, COD, TSS, amoni; truyền số liệu về Sở Nông nghiệp và Môi "
     "trường theo Thông tư 10/2021/TT-BTNMT; tích hợp lấy mẫu tự động và camera.", "vi",
     ["38430000", "38421110", "90733100"], "9027.80", (None, None, None, None, None, 2), (850_000_000, 1_300_000_000),
     35, True, False, [ISO9], None),
    ("monitor-vn", A, EQ, "monitoring.air_cems", "Hệ thống quan trắc khí thải tự động CEMS MV-CEMS",
     "CEMS đo bụi, SO2, NOx, CO, O2, lưu lượng và nhiệt độ ống khói; tích hợp tại Việt Nam trên nền thiết bị phân "
     "tích nhập khẩu, hiệu chuẩn và kiểm định định kỳ.", "vi", ["38432100", "38344000"], "9027.10",
     (None, None, None, None, None, 3), (1_600_000_000, 2_400_000_000), 22, False, False, [], None),
    ("monitor-vn", P, EQ, "monitoring.lab", "Portable COD/TOC analyser MV-P3",
     "Battery-powered analyser for field checks of COD and TOC in wastewater, 0–1,500 mg/L.", "en",
     ["38432000"], "9027.80", (None, None, None, None, None, 0.05), (75_000_000, 95_000_000), 15, False, False, [],
     None),
    ("binhduong-recycle", P, EQ, "recycling.plastics", "Dây chuyền tái chế hạt nhựa PET 500 kg/giờ",
     "Dây chuyền rửa nóng, nghiền và tạo hạt nhựa PET tái chế đạt tiêu chuẩn sản xuất xơ sợi.", "vi",
     ["42914000"], "8477.80", (None, None, 500, "kg/giờ", None, 180), (3_200_000_000, 4_100_000_000), 80, True,
     False, [], None),
    ("binhduong-recycle", D, EQ, "recycling.plastics", "Máy nghiền nhựa phế liệu BD-300",
     "Máy nghiền dao xoay 300 kg/giờ.", "vi", ["42914000"], "8477.80", (None, None, 300, "kg/giờ", None, 22),
     (160_000_000, 210_000_000), 90, True, False, [], None),
    ("thainguyen-biogas", A, EQ, "waste_to_energy.biogas", "Hầm biogas composite 50 m3 cho trang trại chăn nuôi",
     "Hầm biogas composite đúc sẵn, kín khí, tuổi thọ trên 20 năm, xử lý chất thải 300–500 con lợn; khí dùng đun "
     "nấu và chạy máy phát điện.", "vi", ["09120000", "45251220"], "3925.10", (50, "m3", None, None, 80, None),
     (38_000_000, 55_000_000), 95, True, False, [GREEN], None),
    ("thainguyen-biogas", A, EQ, "waste_to_energy.biogas", "Máy phát điện chạy khí biogas TNB-100",
     "Tổ máy phát điện 100 kVA chạy 100 % biogas, có bộ khử H2S và tách ẩm; lắp ráp tại Thái Nguyên.", "vi",
     ["31121200"], "8502.20", (100, "kVA", None, None, 34, 80), (520_000_000, 690_000_000), 55, True, False, [ISO9],
     None),
    ("thainguyen-biogas", A, EQ, "waste_to_energy", "Lò hơi đốt trấu và mùn cưa TNB-2T",
     "Lò hơi ghi xích đốt sinh khối 2 tấn hơi/giờ, áp suất 10 bar, kèm cyclone và lọc bụi ướt.", "vi",
     ["42160000", "45251220"], "8402.12", (2, "tấn hơi/giờ", None, None, 82, 18), (1_300_000_000, 1_750_000_000), 75,
     True, False, [], None),
    ("thainguyen-biogas", P, EQ, "recycling.organic", "Máy ủ phân compost từ chất thải chăn nuôi",
     "Thiết bị ủ hiếu khí cưỡng bức, đảo trộn tự động, ra phân sau 10–14 ngày.", "vi", ["90514000"], "8436.80",
     (5, "tấn/ngày", None, None, None, 7.5), (350_000_000, 480_000_000), 88, True, False, [], None),
]

_COLOURS = {"wastewater": (30, 110, 170), "air": (120, 130, 150), "solid_waste": (120, 90, 50),
            "hazardous_waste": (180, 60, 40), "monitoring": (40, 140, 120), "waste_to_energy": (200, 140, 20),
            "recycling": (40, 150, 60), "services": (90, 90, 160), "consulting": (110, 70, 150)}


def _placeholder_png(colour: tuple[int, int, int]) -> bytes:
    """A simple illustrative picture (no text) so product pages show thumbnails in the demo."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 420), (245, 248, 246))
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 140, 580, 360), fill=colour)
    draw.ellipse((380, 40, 540, 200), fill=tuple(min(255, c + 60) for c in colour))
    draw.rectangle((120, 200, 220, 360), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def load(session: Session, context: dict) -> dict:
    """Seed the taxonomy and list the demo enterprises' products (most approved with codes, some under review)."""
    from flask import current_app, has_app_context

    from ..models import Role
    from ..services import files

    seed_categories(session)
    orgs = context.get("orgs", {})
    users = context.get("users", {})
    admin = users.get("admin@demo.vn")
    reps = {}
    for user in users.values():
        for m in user.memberships:
            if m.role == Role.SUPPLIER_REPRESENTATIVE and m.organisation_id:
                reps.setdefault(m.organisation_id, user)
    created: dict[str, Product] = {}
    now = utcnow()
    for i, (org_key, status, kind, cat_code, name, description, lang, cpv, hs, specs, price, domestic, made_vn,
            brand, certs, reason) in enumerate(PRODUCTS):
        org = orgs.get(org_key)
        if org is None:
            continue
        cat = by_code(session, cat_code)
        cap, cap_unit, thr, thr_unit, eff, power = specs
        p = Product(organisation_id=org.id, category_id=cat.id, kind=kind, name=name, description=description,
                    language=lang, cpv_codes=list(cpv), hs_code=hs, capacity_value=cap, capacity_unit=cap_unit,
                    throughput_value=thr, throughput_unit=thr_unit, efficiency_pct=eff, power_kw=power,
                    price_min_vnd=price[0], price_max_vnd=price[1], domestic_content_pct=domestic,
                    made_in_vietnam=made_vn, national_brand=brand, status=status,
                    created_by_id=reps[org.id].id if org.id in reps else None,
                    submitted_at=None if status == D else now - timedelta(days=30 - i),
                    rejection_reason=reason)
        if status in (A, R):
            p.reviewed_at = now - timedelta(days=20 - i % 10)
            p.reviewed_by_id = admin.id if admin else None
        session.add(p)
        session.flush()
        for ck, cname, issuer in certs:
            session.add(ProductCertificate(product_id=p.id, kind=ck, name=cname, issuer=issuer,
                                           number=f"{ck.value.upper()[:6]}-{2024 + i % 2}-{1000 + i}",
                                           valid_until=date(2027 + i % 3, 12, 31)))
        session.refresh(p)
        if status == A:
            p.approved_at = p.reviewed_at
            product_codes.issue_for(session, p, admin)
        if has_app_context() and status != D:
            try:
                files.store(session, current_app.config, _placeholder_png(_COLOURS[cat.top.code]), "anh-san-pham.png",
                            owner_kind="product", owner_id=p.id, slot="image", types=files.IMAGE_TYPES,
                            uploaded_by=reps.get(org.id))
            except Exception:  # pictures are decoration; the demo must load without them
                pass
        created[f"{org_key}:{i}"] = p
    session.flush()
    session.commit()
    return {"products": created}
