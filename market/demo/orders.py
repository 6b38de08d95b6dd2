"""Demo direct orders, taken through the real services so events, audit, emails and open data exist too."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ..services import orders as service
from ..services.orders import today_in_vietnam


def _product_ref(context: dict, org_key: str) -> str | None:
    for key, product in (context.get("products") or {}).items():
        if key.startswith(org_key + ":") and getattr(product, "id", None):
            return f"product:{product.id}"
    return None


def load(session: Session, context: dict) -> dict:
    """Place five orders between demo buyers and domestic suppliers and move them to different stages."""
    from flask import current_app, has_app_context, has_request_context

    if has_app_context() and not has_request_context():
        # The services' messages are translated lazily, which needs a request (the CLI has only an app context).
        with current_app.test_request_context():
            return _load(session, context)
    return _load(session, context)


def _load(session: Session, context: dict) -> dict:
    orgs, users = context.get("orgs", {}), context.get("users", {})
    needed = ("hn-doe", "hcm-urenco", "dn-water", "bn-ip", "greentech", "saigon-air", "mekong-water",
              "haiphong-waste", "thainguyen-biogas")
    if any(k not in orgs for k in needed):
        return {}
    today = today_in_vietnam()

    def place(buyer_email: str, supplier_key: str, days: int, **data):
        return service.place_order(session, users[buyer_email], {
            "supplier_org_id": orgs[supplier_key].id, "delivery_date": (today + timedelta(days=days)).isoformat(),
            **data})

    created = {}
    created["wastewater"] = place(
        "buyer.hanoi@demo.vn", "greentech", 45, kind="product",
        title="Trạm xử lý nước thải hợp khối 20 m³/ngày cho trạm y tế xã",
        description="Cung cấp, lắp đặt và chuyển giao vận hành 03 trạm xử lý nước thải hợp khối công nghệ AAO cho "
                    "trạm y tế các xã ngoại thành; nước sau xử lý đạt QCVN 28:2010/BTNMT cột A.",
        cpv_codes=["42912300", "45252100"], product_ref=_product_ref(context, "greentech"), quantity=3, unit="trạm",
        price_vnd=1_350_000_000, delivery_province="ha-noi")

    air = place("buyer.hcm@demo.vn", "saigon-air", 60, kind="product",
                title="Trạm quan trắc không khí tự động cho khu dân cư gần bãi chôn lấp",
                description="02 trạm quan trắc PM2.5, PM10, NO2, SO2, O3, CO có truyền dữ liệu về Sở theo Thông tư "
                            "10/2021/TT-BTNMT.",
                cpv_codes=["38432000"], quantity=2, unit="trạm", price_vnd=2_400_000_000,
                delivery_province="ho-chi-minh")
    service.counter(session, users["supplier.saigonair@demo.vn"], air.id, {
        "price_vnd": 2_580_000_000, "delivery_date": (today + timedelta(days=75)).isoformat(),
        "note": "The price includes a 24-month maintenance contract and sensor calibration at our HCMC lab."})
    created["air"] = air

    water = place("buyer.danang@demo.vn", "mekong-water", 30, kind="product",
                  title="Containerised drinking-water treatment units for island communes",
                  description="Two 5 m³/h ultrafiltration units in 20-ft containers, solar-ready, for Cu Lao Cham.",
                  cpv_codes=["42912300"], product_ref=_product_ref(context, "mekong-water"), quantity=2, unit="unit",
                  price_vnd=980_000_000, delivery_province="da-nang")
    service.accept(session, users["supplier.mekong@demo.vn"], water.id, "Chúng tôi giao hàng trong 30 ngày.")
    created["water"] = water

    sludge = place("buyer.bacninh@demo.vn", "haiphong-waste", 90, kind="development",
                   title="Nhiệm vụ phát triển: dây chuyền thử nghiệm ổn định hóa bùn thải nguy hại",
                   description="Thiết kế, chế tạo và chạy thử dây chuyền 1 tấn/giờ ổn định hóa bùn thải mạ điện của "
                               "các khu công nghiệp Bắc Ninh; báo cáo kết quả thử nghiệm và hồ sơ công nghệ.",
                   cpv_codes=["90500000"], quantity=1, unit="gói", price_vnd=3_200_000_000,
                   delivery_province="bac-ninh")
    service.counter(session, users["supplier.haiphong@demo.vn"], sludge.id,
                    {"price_vnd": 3_450_000_000, "note": "Bổ sung hệ thống xử lý khí thải cho dây chuyền."})
    service.accept_counter(session, users["buyer.bacninh@demo.vn"], sludge.id)
    service.fulfil(session, users["buyer.bacninh@demo.vn"], sludge.id, "Đã nghiệm thu chạy thử 72 giờ.")
    created["sludge"] = sludge

    biogas = place("buyer.hanoi@demo.vn", "thainguyen-biogas", 20, kind="product",
                   title="Hầm biogas composite 50 m³ cho hợp tác xã chăn nuôi",
                   description="Cung cấp 10 hầm biogas composite kèm lắp đặt.",
                   cpv_codes=["09120000"], quantity=10, unit="hầm", price_vnd=650_000_000,
                   delivery_province="ha-noi")
    service.decline(session, users["supplier.biogas@demo.vn"], biogas.id,
                    "Lịch sản xuất đã kín đến hết quý; đề nghị đặt lại sau 3 tháng.")
    created["biogas"] = biogas
    return {"orders": created}
