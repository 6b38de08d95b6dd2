"""Demo data for the techtransfer area: offers, needs, experts, courses, personnel needs, a thread and a deal."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..services import courses, interest, listings

PATENTS = [
    ("tech.imet@demo.vn", True, dict(
        title="Quy trình xử lý bùn thải dệt nhuộm bằng phân hủy kỵ khí hai pha",
        description="Phân hủy kỵ khí hai pha (axit hóa - metan hóa) giảm 45-60% khối lượng bùn sinh học từ trạm xử lý "
                    "nước thải dệt nhuộm, thu hồi khí sinh học. Đã áp dụng thử tại KCN Phố Nối (Hưng Yên), 1.500 m3/ngày.",
        sub_sector="wastewater", cpv_codes=["90481000", "45252127"], province="ha-noi", language="vi",
        technology_type="patent", office="VN", patent_number="1-0023456", ipc_codes=["C02F 11/04", "C02F 3/28"],
        legal_status="granted", filing_date="2017-05-12", expiry_date="2037-05-12", offer_type="exclusive_licence",
        trl=7, asking_price=1_800_000_000, royalty_terms="Hoặc 4% doanh thu thuần trong 5 năm")),
    ("tech.hcmut@demo.vn", True, dict(
        title="Photocatalytic TiO2 filter for VOC removal from industrial flue gas",
        description="A honeycomb TiO2/activated-carbon filter under UV-A light that removes 85-92% of toluene and "
                    "xylene from paint-shop exhaust. Pilot at 5,000 Nm3/h in Binh Duong.",
        sub_sector="air", cpv_codes=["90731000"], province="ho-chi-minh", language="en", technology_type="patent",
        office="WO", patent_number="WO2021/045678", ipc_codes=["B01D 53/86"], legal_status="pending",
        filing_date="2020-08-20", expiry_date="2040-08-20", offer_type="non_exclusive_licence", trl=5,
        royalty_terms="3% of net sales, minimum 200,000,000 VND per year")),
    ("tech.greentech@demo.vn", True, dict(
        title="Bí quyết ủ compost nhanh 21 ngày từ rác hữu cơ chợ đầu mối",
        description="Quy trình ủ hiếu khí cưỡng bức có bổ sung chế phẩm vi sinh bản địa, rút thời gian ủ từ 60 xuống "
                    "21 ngày, sản phẩm đạt QCVN 01-189:2019/BNNPTNT.",
        sub_sector="solid_waste", cpv_codes=["90513000"], province="ha-noi", language="vi",
        technology_type="know_how", ipc_codes=["C05F 17/00", "B09B 3/00"], offer_type="know_how", trl=8,
        asking_price=450_000_000, anonymous=True)),
    ("tech.imet@demo.vn", False, dict(
        title="Phần mềm quan trắc tự động nước thải kết nối IoT",
        description="Thu nhận dữ liệu COD, TSS, pH, lưu lượng từ trạm quan trắc, truyền về Sở theo Thông tư 10/2021/TT-BTNMT.",
        sub_sector="monitoring", cpv_codes=["90711500"], language="vi", technology_type="software",
        ipc_codes=["G01N 33/18"], offer_type="non_exclusive_licence", trl=6, asking_price=250_000_000)),
    ("tech.hcmut@demo.vn", False, dict(
        title="Catalytic pyrolysis of mixed plastic waste to fuel oil",
        description="Fixed-bed catalytic pyrolysis at 420 °C turning mixed PP/PE waste into diesel-range oil.",
        sub_sector="recycling", cpv_codes=["90513000"], language="en", technology_type="patent", office="EP",
        patent_number="EP3456789", ipc_codes=["C10G 1/10"], legal_status="granted", filing_date="2016-02-03",
        expiry_date="2036-02-03", offer_type="joint_development", trl=4)),
]

NEEDS = [
    ("supplier.mekong@demo.vn", dict(
        title="Giảm thể tích bùn tại trạm xử lý nước thải dệt nhuộm 2.000 m3/ngày",
        description="Trạm xử lý nước thải của khách hàng dệt nhuộm tại Cần Thơ phát sinh 12 tấn bùn/ngày (độ ẩm 80%). "
                    "Cần công nghệ giảm ít nhất 40% khối lượng bùn, chi phí vận hành thấp.",
        sub_sector="wastewater", cpv_codes=["90481000"], province="can-tho", language="vi", desired_trl=6,
        budget_min=800_000_000, budget_max=2_500_000_000, deadline="2027-06-30", wants_licence=True,
        wants_expert=True)),
    ("supplier.haiphong@demo.vn", dict(
        title="Giảm phát thải dioxin/furan từ lò đốt chất thải nguy hại 2 tấn/giờ",
        description="Lò đốt hai cấp hiện có cần đạt QCVN 30:2012/BTNMT về dioxin/furan; cần giải pháp xử lý khí thải "
                    "(than hoạt tính, xúc tác) hoặc chuyên gia đánh giá.",
        sub_sector="hazardous_waste", cpv_codes=["90520000", "90731000"], province="hai-phong", language="vi",
        desired_trl=7, budget_min=2_000_000_000, budget_max=5_000_000_000, deadline="2027-03-31",
        wants_licence=True, wants_purchase=True, wants_expert=True)),
    ("supplier.saigonair@demo.vn", dict(
        title="Low-cost continuous emission monitoring for biomass boiler stacks",
        description="We need a CEMS solution (dust, SO2, NOx, CO) for 6 biomass boilers that meets Decree 08/2022 "
                    "reporting, at under 600 million VND per stack.",
        sub_sector="monitoring", cpv_codes=["90731000", "38432000"], province="ho-chi-minh", language="en",
        desired_trl=8, budget_max=3_600_000_000, wants_purchase=True)),
]

EXPERTS = [
    ("expert.lan@demo.vn", dict(
        title="TS. Nguyễn Thị Lan — tư vấn, vận hành và đánh giá trạm xử lý nước thải",
        description="20 năm kinh nghiệm thiết kế, vận hành và cải tạo trạm xử lý nước thải đô thị và công nghiệp "
                    "miền Trung; chuyên gia đánh giá tác động môi trường.",
        sub_sector="consulting", cpv_codes=["71800000", "90714000"], province="hue", language="vi",
        expertise_areas=["wastewater", "monitoring"], services=["consulting", "operation_maintenance", "audit"],
        day_rate=5_000_000, languages=["vi", "en"], regions=["hue", "da-nang", "quang-tri"],
        certifications=["Chứng chỉ hành nghề tư vấn ĐTM", "ISO 14001:2015 Lead Auditor"],
        availability="Từ tháng 01/2027, 10 ngày/tháng")),
    ("expert.hcmut@demo.vn", dict(
        title="Air pollution control design and emission audits (HCMUT team)",
        description="A team of six engineers designing scrubbers, bag filters and CEMS, and auditing industrial "
                    "emissions against QCVN 19 and QCVN 20.",
        sub_sector="consulting", cpv_codes=["90731000", "71313000"], province="ho-chi-minh", language="en",
        is_organisation=True, expertise_areas=["air", "hazardous_waste", "monitoring"],
        services=["design", "audit", "installation_commissioning"], day_rate=8_000_000, languages=["en", "vi"],
        regions=["ho-chi-minh", "dong-nai", "tay-ninh"], certifications=["ISO/IEC 17025 laboratory"],
        availability="Two projects at a time")),
]

COURSES = [
    ("expert.lan@demo.vn", dict(
        title="Vận hành hệ thống xử lý nước thải công nghiệp đạt QCVN 40:2011/BTNMT",
        description="Khóa 5 ngày cho cán bộ vận hành: bùn hoạt tính, xử lý sự cố, lấy mẫu và ghi nhật ký vận hành.",
        sub_sector="wastewater", cpv_codes=["80510000"], province="hue", language="vi", format="in_person",
        start_date="2027-03-08", end_date="2027-03-12", capacity=30, price=4_500_000)),
    ("expert.hcmut@demo.vn", dict(
        title="Continuous Emission Monitoring Systems (CEMS): operation and QA/QC",
        description="Eight online sessions on CEMS components, calibration, data validation and reporting.",
        sub_sector="monitoring", cpv_codes=["80510000"], language="en", format="online",
        start_date="2027-04-05", end_date="2027-04-30", capacity=50, price=3_000_000)),
]

PERSONNEL = [
    ("supplier.biogas@demo.vn", True, dict(
        title="Cần 2 kỹ sư vận hành hầm biogas và máy phát điện khí sinh học",
        description="Nhà máy điện sinh khối tại Thái Nguyên cần kỹ sư vận hành, ưu tiên có kinh nghiệm trại lợn.",
        sub_sector="waste_to_energy", province="thai-nguyen", language="vi",
        skills=["vận hành hầm biogas", "bảo trì máy phát điện khí", "an toàn khí H2S"], headcount=2,
        deadline="2027-02-28")),
    ("supplier.haiphong@demo.vn", False, dict(
        title="5 kỹ thuật viên vận hành lò đốt chất thải nguy hại",
        sub_sector="hazardous_waste", province="hai-phong", language="vi",
        skills=["vận hành lò đốt", "quan trắc khí thải", "PCCC"], headcount=5)),
]


def load(session: Session, context: dict) -> dict:
    """Create offers, needs, experts, courses and personnel needs; publish most; one anonymous; one deal."""
    session.expire_all()  # memberships were added by id; let users load them fresh
    users = context["users"]
    admin = users["admin@demo.vn"]
    created: dict[str, list] = {"patents": [], "needs": [], "experts": [], "courses": [], "personnel": []}

    def add(email: str, kind: str, data: dict, publish: bool):
        listing = listings.create(session, users[email], kind, dict(data), submit=True)
        if publish:
            listings.approve(session, admin, listing.id)
        return listing

    for email, publish, data in PATENTS:
        created["patents"].append(add(email, "patent", data, publish))
    for email, data in NEEDS:
        created["needs"].append(add(email, "technology_need", data, True))
    for email, data in EXPERTS:
        created["experts"].append(add(email, "expert", data, True))
    for email, data in COURSES:
        created["courses"].append(add(email, "course", data, True))
    for email, publish, data in PERSONNEL:
        created["personnel"].append(add(email, "personnel_need", data, publish))

    # A licence deal: the textile-sludge need meets the institute's anaerobic patent.
    mekong, imet = users["supplier.mekong@demo.vn"], users["tech.imet@demo.vn"]
    patent = created["patents"][0]
    thread = interest.express_interest(
        session, mekong, patent.id, "Chúng tôi có trạm 2.000 m3/ngày tại Cần Thơ, muốn li-xăng độc quyền khu vực "
        "Đồng bằng sông Cửu Long. Xin gửi hồ sơ kỹ thuật.")
    interest.move(session, imet, thread.id, "accept")
    interest.post_message(session, imet, thread.id, "Viện đồng ý. Phí li-xăng độc quyền 5 năm: 1,65 tỷ đồng, "
                                                    "kèm 20 ngày chuyên gia hỗ trợ vận hành.")
    interest.post_message(session, mekong, thread.id, "Đồng ý. Chúng tôi sẽ ký hợp đồng vào tuần tới.")
    deal = interest.record_deal(session, mekong, thread.id, {"deal_type": "exclusive_licence",
                                                             "value_vnd": 1_650_000_000, "deal_date": "2026-11-20"})
    # An open expression of interest in the anonymous compost know-how (owner not yet revealed).
    interest.express_interest(session, users["supplier.recycle@demo.vn"], created["patents"][2].id,
                              "Chúng tôi quan tâm áp dụng cho chợ đầu mối Thủ Đức, công suất 30 tấn/ngày.")
    courses.request_enrolment(session, users["supplier.mekong@demo.vn"], created["courses"][0].id,
                              {"participants": 3, "message": "3 cán bộ vận hành trạm xử lý nước thải"})
    return {"techtransfer": created, "techtransfer_deal": deal}
