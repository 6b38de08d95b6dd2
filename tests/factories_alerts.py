"""Rows of the other areas (products, tenders, awards, patents, deals) built through their models, for the
statistics and alerts tests."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from market.models import Organisation, User, utcnow

_seq = itertools.count(1)


def categories(session: Session) -> dict:
    """Seed the catalogue taxonomy once and return top-level categories by code."""
    from market.models.catalog import ProductCategory
    from market.services.categories import seed_categories

    seed_categories(session)
    return {c.code: c for c in session.scalars(select(ProductCategory))}


def product(session: Session, org: Organisation, category: str = "wastewater", *, name: str | None = None,
            made_in_vietnam: bool = True, approved: bool = True, cpv: list[str] | None = None,
            description: str = "", approved_at: datetime | None = None):
    from market.models.catalog import Product, ProductStatus

    cats = categories(session)
    n = next(_seq)
    p = Product(organisation_id=org.id, category_id=cats[category].id, name=name or f"Product {n}",
                description=description, cpv_codes=cpv or [], made_in_vietnam=made_in_vietnam,
                status=ProductStatus.APPROVED if approved else ProductStatus.DRAFT,
                approved_at=(approved_at or utcnow()) if approved else None)
    session.add(p)
    session.commit()
    return p


def tender(session: Session, buyer: Organisation, cpv: list[str], *, title: str | None = None,
           province: str = "ha-noi", published: bool = True, description: str = "",
           published_at: datetime | None = None):
    from market.models.procurement import Tender, TenderStatus

    now = utcnow()
    n = next(_seq)
    t = Tender(buyer_id=buyer.id, title=title or f"Tender {n}", description=description, cpv_codes=cpv,
               cpv_search=" " + " ".join(cpv) + " ", province=province,
               enquiry_end=now + timedelta(days=3), tender_end=now + timedelta(days=10),
               opening_at=now + timedelta(days=10),
               status=TenderStatus.TENDERING if published else TenderStatus.DRAFT,
               published_at=(published_at or now) if published else None)
    session.add(t)
    session.commit()
    t.ocid = f"ocds-test-{t.id}"
    session.commit()
    return t


def award(session: Session, tender_obj, supplier: Organisation, value: int, *, cancelled: bool = False,
          awarded_at: datetime | None = None):
    from market.models.procurement import Award, AwardStatus, Bid, BidStatus

    bid = Bid(tender_id=tender_obj.id, bidder_id=supplier.id, status=BidStatus.AWARDED, total_price=value)
    session.add(bid)
    session.flush()
    at = awarded_at or utcnow()
    a = Award(tender_id=tender_obj.id, bid_id=bid.id, supplier_id=supplier.id, value=value, justification="lowest",
              status=AwardStatus.CANCELLED if cancelled else AwardStatus.ACTIVE, awarded_at=at,
              standstill_end=at + timedelta(days=10))
    session.add(a)
    session.commit()
    return a


def patent(session: Session, org: Organisation, sub_sector: str = "wastewater", *, published: bool = True,
           title: str | None = None):
    from market.models.techtransfer import ListingStatus, OfferType, PatentOffer

    n = next(_seq)
    p = PatentOffer(organisation_id=org.id, title=title or f"Patent {n}", sub_sector=sub_sector,
                    offer_type=OfferType.NON_EXCLUSIVE_LICENCE,
                    status=ListingStatus.PUBLISHED if published else ListingStatus.DRAFT,
                    published_at=utcnow() if published else None)
    session.add(p)
    session.commit()
    return p


def deal(session: Session, listing, provider: Organisation, initiator: User, value: int,
         recipient: Organisation | None = None, deal_date: date | None = None):
    from market.models.techtransfer import Deal, DealType, InterestThread, ThreadState

    thread = InterestThread(listing_id=listing.id, initiator_id=initiator.id, state=ThreadState.DEAL)
    session.add(thread)
    session.flush()
    d = Deal(thread_id=thread.id, listing_id=listing.id, listing_kind=listing.kind, sub_sector=listing.sub_sector,
             deal_type=DealType.NON_EXCLUSIVE_LICENCE, value_vnd=value, deal_date=deal_date or utcnow().date(),
             provider_org_id=provider.id, recipient_org_id=recipient.id if recipient else None)
    session.add(d)
    session.commit()
    return d


def order(session: Session, buyer: Organisation, supplier: Organisation, placed_by: User, cpv: list[str], value: int,
          *, status: str = "accepted"):
    from decimal import Decimal

    from market.models.orders import Order, OrderStatus

    o = Order(buyer_org_id=buyer.id, supplier_org_id=supplier.id, placed_by_id=placed_by.id, title="Đơn hàng",
              cpv_codes=cpv, quantity=Decimal("1"), unit="bộ", price_vnd=value, delivery_province="ha-noi",
              delivery_date=utcnow().date() + timedelta(days=30), status=OrderStatus(status))
    session.add(o)
    session.commit()
    return o
