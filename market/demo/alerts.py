"""Demo saved searches for the demo users, and the listings they would already have caught."""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..indexing import DOCUMENT_MODELS
from ..models.alerts import AlertKind, Frequency, Subscription
from ..services import alerts

log = logging.getLogger("market.demo.alerts")

# email, name, kind, filters, frequency
SUBSCRIPTIONS = [
    ("supplier.mekong@demo.vn", "Gói thầu xử lý nước thải miền Tây", AlertKind.TENDERS,
     {"categories": ["wastewater"], "provinces": ["can-tho", "vinh-long", "an-giang", "dong-thap", "ca-mau"]},
     Frequency.DAILY),
    ("supplier.greentech@demo.vn", "Nước thải công nghiệp (CPV 904, 42996)", AlertKind.TENDERS,
     {"cpv_prefixes": ["904", "42996"]}, Frequency.IMMEDIATE),
    ("supplier.saigonair@demo.vn", "Flue gas and dust tenders", AlertKind.TENDERS,
     {"categories": ["air"], "words": ""}, Frequency.DAILY),
    ("supplier.monitor@demo.vn", "Quan trắc tự động", AlertKind.TENDERS,
     {"categories": ["monitoring"], "words": "quan trac"}, Frequency.DAILY),
    ("supplier.haiphong@demo.vn", "Chất thải nguy hại miền Bắc", AlertKind.TENDERS,
     {"categories": ["hazardous_waste", "solid_waste"], "provinces": ["hai-phong", "quang-ninh", "ha-noi", "bac-ninh"]},
     Frequency.DAILY),
    ("tech.imet@demo.vn", "Nhu cầu công nghệ xử lý nước", AlertKind.TECHNOLOGY_NEEDS,
     {"categories": ["wastewater"]}, Frequency.DAILY),
    ("tech.hcmut@demo.vn", "Technology needs: air and monitoring", AlertKind.TECHNOLOGY_NEEDS,
     {"categories": ["air", "monitoring"]}, Frequency.IMMEDIATE),
    ("buyer.hanoi@demo.vn", "Thiết bị quan trắc sản xuất trong nước", AlertKind.PRODUCTS,
     {"categories": ["monitoring"]}, Frequency.DAILY),
    ("buyer.danang@demo.vn", "Membrane bioreactor offers", AlertKind.TECHNOLOGY_OFFERS,
     {"words": "mbr"}, Frequency.DAILY),
    ("expert.lan@demo.vn", "Bùn thải và nước thải", AlertKind.TECHNOLOGY_NEEDS,
     {"words": "nuoc thai"}, Frequency.DAILY),
]


def load(session: Session, context: dict) -> dict:
    """Create the demo subscriptions, then let them catch the demo listings already published."""
    users = context.get("users", {})
    created: list[Subscription] = []
    for email, name, kind, filters, freq in SUBSCRIPTIONS:
        user = users.get(email)
        if user is None:
            continue
        data = {"name": name, "kind": kind.value, "frequency": freq.value, **filters}
        try:
            values = alerts.clean(session, data)
        except Exception:  # a category the catalogue does not have: keep the demo going with words only
            log.warning("demo subscription %r skipped", name, exc_info=True)
            continue
        sub = Subscription(user_id=user.id, **values)
        session.add(sub)
        created.append(sub)
    session.flush()
    config = session.info.get("config") or {"SECRET_KEY": "demo", "SITE_URL": "http://localhost:5000"}
    caught = 0
    for kind in ("tender", "product", "technology_need", "patent"):
        model = DOCUMENT_MODELS.get(kind)
        if model is None:
            continue
        for obj_id in session.scalars(select(model.id).order_by(model.id)):
            try:
                caught += alerts.check_listing(session, config, kind, obj_id)
            except Exception:  # a listing that cannot be rendered outside a request must not stop the demo
                log.warning("demo alert check failed for %s:%s", kind, obj_id, exc_info=True)
    session.commit()
    return {"subscriptions": created, "alert_hits": caught}
