"""Demo data for public procurement: tenders in several states, questions, sealed and opened bids, an award.

Everything goes through the services so the demo obeys the same rules as users; the passing of time is
simulated by moving a tender's dates back and running the worker tick, as the tests do.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ..config import DEFAULTS
from ..models import utcnow

DAY = 86400


def _config() -> dict:
    from flask import current_app, has_app_context

    cfg = dict(DEFAULTS)
    if has_app_context():
        cfg.update(current_app.config)
    return cfg


def _dates(cfg: dict, enquiry_days: float = 0) -> dict:
    """Dates that satisfy the configured minimum periods, counted from now."""
    now = utcnow()
    enquiry_end = now + timedelta(seconds=int(cfg["TENDER_MIN_ENQUIRY_SECONDS"]) + 3600 + enquiry_days * DAY)
    tender_end = enquiry_end + timedelta(seconds=int(cfg["TENDER_MIN_TENDERING_SECONDS"]) + 3600)
    return {"enquiry_end": enquiry_end.isoformat(), "tender_end": tender_end.isoformat(),
            "opening_at": (tender_end + timedelta(hours=1)).isoformat()}


TENDERS = {
    "wastewater": dict(
        title="Cung cấp, lắp đặt thiết bị trạm xử lý nước thải tập trung KCN Quế Võ II (công suất 3.000 m³/ngày đêm)",
        description="Gói thầu mua sắm thiết bị cho trạm xử lý nước thải tập trung: bể sinh học MBR, máy thổi khí, "
                    "hệ thống định lượng hóa chất, tủ điện điều khiển SCADA. Ưu tiên thiết bị sản xuất trong nước "
                    "theo Quyết định 1894/QĐ-TTg về phát triển ngành công nghiệp môi trường.",
        language="vi", cpv_codes=["42996000", "45252000"], method="open", province="bac-ninh",
        award_criteria="lowest_price", domestic_margin_pct=7.5, domestic_threshold_pct=25,
        lots=[{"title": "Module màng MBR và máy thổi khí", "quantity": 1, "unit": "hệ thống",
               "estimated_value": 18_500_000_000},
              {"title": "Tủ điện điều khiển và phần mềm SCADA", "quantity": 1, "unit": "bộ",
               "estimated_value": 2_400_000_000}]),
    "fluegas": dict(
        title="Hệ thống xử lý khí thải lò đốt rác phát điện Sóc Sơn - bổ sung tháp hấp thụ và lọc bụi túi",
        description="Thiết kế, cung cấp và lắp đặt tháp hấp thụ bán khô, bộ lọc bụi túi vải và hệ thống quan trắc "
                    "khí thải tự động liên tục truyền dữ liệu về Sở Nông nghiệp và Môi trường.",
        language="vi", cpv_codes=["42514000", "38432000"], method="open", province="ha-noi",
        award_criteria="price_quality", price_weight=70, quality_weight=30, domestic_margin_pct=7.5,
        domestic_threshold_pct=30,
        lots=[{"title": "Tháp hấp thụ và lọc bụi túi vải", "quantity": 2, "unit": "dây chuyền",
               "estimated_value": 42_000_000_000}]),
    "solidwaste": dict(
        title="Mua sắm xe ép rác và thùng chứa rác phân loại tại nguồn cho TP. Hồ Chí Minh năm 2026",
        description="Mua sắm xe ép rác 7 tấn và thùng chứa rác 660 lít phục vụ phân loại chất thải rắn sinh hoạt "
                    "tại nguồn theo Luật Bảo vệ môi trường 2020. Dành cho doanh nghiệp nhỏ và vừa.",
        language="vi", cpv_codes=["34144511", "34928480"], method="rfq", province="ho-chi-minh",
        award_criteria="lowest_price", domestic_margin_pct=0, domestic_threshold_pct=0, sme_set_aside=True,
        lots=[{"title": "Xe ép rác 7 tấn", "quantity": 6, "unit": "xe", "estimated_value": 9_600_000_000},
              {"title": "Thùng rác nhựa HDPE 660 lít", "quantity": 800, "unit": "thùng",
               "estimated_value": 2_800_000_000}]),
    "monitoring": dict(
        title="Automatic surface water quality monitoring stations for the Cu De and Han rivers",
        description="Supply, installation and two years of operation of four automatic surface water monitoring "
                    "stations (pH, DO, TSS, COD, NH4+, temperature) with data transmission to the Da Nang "
                    "environmental data centre. Domestic integrators are encouraged.",
        language="en", cpv_codes=["38432000", "90700000"], method="open", province="da-nang",
        award_criteria="lowest_price", domestic_margin_pct=7.5, domestic_threshold_pct=25,
        lots=[{"title": "Monitoring station with analysers and shelter", "quantity": 4, "unit": "stations",
               "estimated_value": 11_200_000_000}]),
    "draft": dict(
        title="Thiết bị xử lý nước thải y tế cho Trung tâm Y tế huyện (bản nháp)",
        description="Hệ thống xử lý nước thải y tế công suất 50 m³/ngày đêm, công nghệ AAO kết hợp khử trùng UV.",
        language="vi", cpv_codes=["42996000"], method="rfq", province="bac-ninh", award_criteria="lowest_price",
        domestic_margin_pct=7.5, domestic_threshold_pct=25,
        lots=[{"title": "Hệ thống xử lý nước thải y tế 50 m³/ngày", "quantity": 1, "unit": "hệ thống",
               "estimated_value": 1_900_000_000}]),
}


def load(session: Session, context: dict) -> dict:
    """Create demo tenders in several states; return them by key."""
    from ..jobs.procurement import advance_tenders
    from ..services import bids, evaluation, questions
    from ..services import tenders as svc

    users = context.get("users") or {}
    needed = ("buyer.bacninh@demo.vn", "buyer.hanoi@demo.vn", "buyer.hcm@demo.vn", "buyer.danang@demo.vn",
              "supplier.greentech@demo.vn", "supplier.mekong@demo.vn", "supplier.saigonair@demo.vn")
    if any(e not in users for e in needed):
        return {}
    cfg = _config()
    created = {}
    session.flush()
    session.expire_all()   # memberships were added after the users were loaded

    def tick() -> None:
        session.expire_all()
        advance_tenders(session, config=cfg)
        session.commit()

    def shift(tender, seconds: float) -> None:
        svc.shift_timeline(session, tender.id, -seconds)
        tick()

    def make(key: str, buyer: str, publish: bool = True):
        t = svc.create_tender(session, users[buyer], {**TENDERS[key], **_dates(cfg)}, config=cfg)
        if publish:
            svc.publish_tender(session, users[buyer], t.id, config=cfg)
        created[key] = t
        return t

    enquiry_gap = int(cfg["TENDER_MIN_ENQUIRY_SECONDS"]) + 2 * 3600
    tendering_gap = int(cfg["TENDER_MIN_TENDERING_SECONDS"]) + 3 * 3600

    def offer(t, prices, domestic, days, text):
        return {"lots": [{"lot_id": lot.id, "price": p} for lot, p in zip(t.lots, prices)],
                "domestic_content_pct": domestic, "delivery_days": days, "technical_proposal": text}

    # 1. Wastewater plant: opened, evaluated, awarded (in standstill).
    ww = make("wastewater", "buyer.bacninh@demo.vn")
    questions.answer_question(session, users["buyer.bacninh@demo.vn"], questions.ask_question(
        session, users["supplier.mekong@demo.vn"], ww.id,
        "Màng MBR có bắt buộc xuất xứ G7 không, hay chấp nhận màng PVDF sản xuất trong nước?").id,
        "Không bắt buộc xuất xứ G7; màng sản xuất trong nước đạt TCVN tương đương được chấp nhận.")
    shift(ww, enquiry_gap)
    bids.submit_bid(session, users["supplier.greentech@demo.vn"], ww.id, offer(
        ww, [17_350_000_000, 2_150_000_000], 68, 150,
        "Module MBR màng PVDF sản xuất tại Hà Nội, máy thổi khí Root, SCADA nội địa; bảo hành 36 tháng."), config=cfg)
    bids.submit_bid(session, users["supplier.mekong@demo.vn"], ww.id, offer(
        ww, [16_900_000_000, 2_300_000_000], 45, 180,
        "Công nghệ MBBR kết hợp màng, lắp ráp tại Cần Thơ; đào tạo vận hành 2 tuần."), config=cfg)
    bids.submit_bid(session, users["supplier.saigonair@demo.vn"], ww.id, offer(
        ww, [16_200_000_000, 2_250_000_000], 15, 210,
        "Imported MBR modules (EU), local installation; 24-month warranty."), config=cfg)
    shift(ww, tendering_gap)
    session.refresh(ww)
    officer = users["buyer.bacninh@demo.vn"]
    for b in ww.bids:
        evaluation.qualify_bid(session, officer, ww.id, b.id, True)
    session.refresh(ww)
    for lot in ww.lots:
        best = min((v for b in ww.bids for v in b.lot_values if v.lot_id == lot.id), key=lambda v: v.rank or 99)
        evaluation.award(session, officer, ww.id, best.bid_id,
                         "Giá đánh giá thấp nhất sau khi áp dụng ưu đãi hàng sản xuất trong nước 7,5%; "
                         "hồ sơ đáp ứng yêu cầu kỹ thuật.", lot_id=lot.id, config=cfg)

    # 2. Flue gas: open for bids, two sealed bids.
    fg = make("fluegas", "buyer.hanoi@demo.vn")
    shift(fg, enquiry_gap)
    bids.submit_bid(session, users["supplier.saigonair@demo.vn"], fg.id, offer(
        fg, [39_800_000_000], 52, 240, "Semi-dry scrubber and PTFE bag filters made in Binh Duong; CEMS included."),
        config=cfg)
    bids.submit_bid(session, users["supplier.greentech@demo.vn"], fg.id, offer(
        fg, [40_500_000_000], 61, 210, "Tháp hấp thụ bán khô chế tạo trong nước, túi lọc PTFE, hệ CEMS."),
        config=cfg)

    # 3. Solid waste (SME set-aside): enquiry period with a question.
    sw = make("solidwaste", "buyer.hcm@demo.vn")
    questions.ask_question(session, users["supplier.greentech@demo.vn"], sw.id,
                           "Xe ép rác có yêu cầu tiêu chuẩn khí thải Euro 5 không?")

    # 4. Monitoring stations (English notice): enquiry period, answered question.
    mon = make("monitoring", "buyer.danang@demo.vn")
    questions.answer_question(session, users["buyer.danang@demo.vn"], questions.ask_question(
        session, users["supplier.saigonair@demo.vn"], mon.id,
        "Is a local data logger acceptable if it follows Circular 10/2021/TT-BTNMT?").id,
        "Yes. Data loggers must comply with Circular 10/2021/TT-BTNMT and transmit via FTP to the data centre.")

    # 5. A draft still being prepared.
    make("draft", "buyer.bacninh@demo.vn", publish=False)
    session.commit()
    return {"tenders": created}
