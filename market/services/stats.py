"""Statistical indicators of the environmental industry: a registry of small functions, one per indicator.

Each indicator is `compute(session) -> list[dict]` plus how to show it (title, columns, chart kind). An indicator
whose source area is not installed yet (missing model or table) raises `NoDataYet`; `run()` turns that, and an
empty result, into status "no_data" so the dashboard says "no data yet" instead of failing.

Definitions used on the page (kept here so the API and CSV say the same thing):
- Sector of a product: the top-level catalogue category of its category. Sector of a tender or award: the
  catalogue category whose CPV codes share the longest prefix with the tender's CPV codes.
- Domestic share of products: approved products flagged "made in Vietnam", divided by all approved products.
- Domestic share of awarded value: value of awards (not cancelled) won by domestic manufacturers
  (organisations flagged as manufacturing in Vietnam), divided by all awarded value.
- SME share of awarded value: value of awards won by SMEs, divided by all awarded value.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..i18n import _l
from ..models import Organisation, OrgKind, utcnow

log = logging.getLogger("market.stats")
MONTHS = 12


class NoDataYet(Exception):
    """The indicator's source area is not available (model or table missing)."""


@dataclass(frozen=True)
class Indicator:
    """How one statistic is computed and shown."""

    name: str
    title: object
    description: object
    compute: Callable[[Session], list[dict]]
    chart: str  # "figures" | "bar" | "target" | "line"
    columns: tuple[tuple[str, object], ...]
    area: str
    label: str = ""  # the column naming each bar / x position
    value: str = ""  # the column a bar chart draws
    series: tuple[str, ...] = ()  # the columns a line chart draws
    unit: str = ""


@dataclass
class Result:
    indicator: Indicator
    rows: list[dict] = field(default_factory=list)
    status: str = "ok"  # "ok" or "no_data"

    @property
    def has_data(self) -> bool:
        return self.status == "ok"


INDICATORS: dict[str, Indicator] = {}


def indicator(name: str, *, title, description, chart: str, columns, area: str, label: str = "", value: str = "",
              series: tuple[str, ...] = (), unit: str = "") -> Callable:
    """Register a compute function as a named indicator."""

    def decorate(fn: Callable[[Session], list[dict]]):
        INDICATORS[name] = Indicator(name, title, description, fn, chart, tuple(columns), area, label, value,
                                     tuple(series), unit)
        return fn

    return decorate


def run(session: Session, name: str) -> Result:
    """Compute one indicator; a missing source or an empty result gives status 'no_data', never an error."""
    ind = INDICATORS[name]
    try:
        rows = ind.compute(session)
    except NoDataYet:
        return Result(ind, [], "no_data")
    except SQLAlchemyError:
        # A table not created yet (area not migrated): roll back the failed statement and show "no data yet".
        session.rollback()
        log.warning("indicator %s unavailable", name, exc_info=True)
        return Result(ind, [], "no_data")
    if not rows or not _meaningful(ind, rows):
        return Result(ind, rows, "no_data")
    return Result(ind, rows, "ok")


def _meaningful(ind: Indicator, rows: list[dict]) -> bool:
    if ind.chart == "line":
        return any(r.get(c) for r in rows for c in ind.series)
    if ind.chart == "figures":
        return any(r.get("value") for r in rows)
    return True


def run_all(session: Session) -> list[Result]:
    """Compute every registered indicator in registry order, reading each source table once."""
    session.info["stats_cache"] = {}
    try:
        return [run(session, name) for name in INDICATORS]
    finally:
        session.info.pop("stats_cache", None)


def _cached(session: Session, key: str, fn: Callable[[], object]):
    """Memoise a source query for the duration of one run_all (several indicators read the same rows)."""
    cache = session.info.get("stats_cache")
    if cache is None:
        return fn()
    if key not in cache:
        try:
            cache[key] = ("ok", fn())
        except (NoDataYet, SQLAlchemyError) as exc:
            cache[key] = ("error", exc)
    status, value = cache[key]
    if status == "error":
        raise value
    return value


def to_csv(result: Result) -> str:
    """Render an indicator's rows as CSV (UTF-8 with a BOM so spreadsheet programs read Vietnamese correctly)."""
    buf = io.StringIO()
    keys = [k for k, _h in result.indicator.columns]
    writer = csv.DictWriter(buf, fieldnames=keys, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in result.rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in keys})
    return "\ufeff" + buf.getvalue()


# ------------------------------------------------------------------ helpers

def _model(module: str, name: str):
    """Return another area's model class, or raise NoDataYet when that area does not provide it."""
    import importlib

    try:
        return getattr(importlib.import_module(f"market.models.{module}"), name)
    except (ImportError, AttributeError) as exc:
        raise NoDataYet(f"{module}.{name}") from exc


def month_keys(now: datetime | None = None, months: int = MONTHS) -> list[str]:
    """Return the last `months` months as 'YYYY-MM', oldest first, ending with the current month."""
    now = now or utcnow()
    y, m = now.year, now.month
    out = []
    for _ in range(months):
        out.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return list(reversed(out))


def _month(value: datetime | date | None) -> str | None:
    return None if value is None else f"{value.year:04d}-{value.month:02d}"


def pct(part: float, whole: float) -> float | None:
    """Return part/whole in percent with one decimal, or None when the whole is zero."""
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Sector:
    code: str
    name_vi: str
    name_en: str
    target: tuple[int, int] | None
    cpv: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def sectors(session: Session) -> list[Sector]:
    """Return the top-level sectors with names, targets and every CPV code of the sector and its sub-categories."""
    return _cached(session, "sectors", lambda: _sectors_uncached(session))


def _sectors_uncached(session: Session) -> list[Sector]:
    found: list[Sector] = []
    try:
        Category = _model("catalog", "ProductCategory")
        cats = list(session.scalars(select(Category).order_by(Category.sort_order, Category.id)))
    except NoDataYet:
        cats = []
    except SQLAlchemyError:  # table not created yet
        session.rollback()
        cats = []
    if cats:
        by_id = {c.id: c for c in cats}
        codes: dict[int, list[str]] = defaultdict(list)
        for c in cats:
            top = c
            while top.parent_id is not None and top.parent_id in by_id:
                top = by_id[top.parent_id]
            codes[top.id] += list(c.cpv_codes or [])
        for c in cats:
            if c.parent_id is None:
                target = None
                if c.domestic_target_min is not None or c.domestic_target_max is not None:
                    lo = c.domestic_target_min if c.domestic_target_min is not None else c.domestic_target_max
                    hi = c.domestic_target_max if c.domestic_target_max is not None else lo
                    target = (int(lo), int(hi))
                found.append(Sector(c.code, c.name_vi, c.name_en, target, tuple(codes[c.id])))
        return found
    try:
        from .categories import TAXONOMY
    except ImportError:
        return []
    for top in TAXONOMY:
        cpv = list(top.get("cpv", ()))
        for child in top.get("children", ()):
            cpv += list(child[3])
        target = tuple(top["target"]) if top.get("target") else None
        found.append(Sector(top["code"], top["name_vi"], top["name_en"], target, tuple(cpv)))
    return found


def _significant(code: str) -> str:
    return code[:8].rstrip("0") or code[:2]


class SectorMatcher:
    """Map CPV codes to a sector: the sector code whose CPV codes share the longest significant prefix."""

    def __init__(self, secs: Iterable[Sector]):
        self.prefixes: list[tuple[str, str]] = []
        for s in secs:
            for c in s.cpv:
                self.prefixes.append((_significant(str(c)), s.code))
        self.prefixes.sort(key=lambda p: -len(p[0]))

    def sector(self, codes: Iterable[str]) -> str | None:
        best: tuple[int, str] | None = None
        for code in codes or ():
            code = str(code)
            sig = _significant(code)
            for prefix, sector in self.prefixes:
                # A code inside a category's code, or (for specific enough codes) a parent of one.
                if code.startswith(prefix) or (len(sig) >= 4 and prefix.startswith(sig)):
                    if best is None or len(prefix) > best[0]:
                        best = (len(prefix), sector)
                    break
        return best[1] if best else None


def _product_rows(session: Session):
    """Approved products with their sector, province, maker flags and approval month."""
    return _cached(session, "products", lambda: _product_rows_uncached(session))


def _product_rows_uncached(session: Session):
    Product = _model("catalog", "Product")
    Status = _model("catalog", "ProductStatus")
    Category = _model("catalog", "ProductCategory")
    cats = {c.id: c for c in session.scalars(select(Category))}

    def top_code(cid: int) -> str:
        c = cats.get(cid)
        while c is not None and c.parent_id is not None and c.parent_id in cats:
            c = cats[c.parent_id]
        return c.code if c is not None else "other"

    q = (select(Product.category_id, Product.made_in_vietnam, Product.approved_at, Product.organisation_id,
                Organisation.province, Organisation.domestic_manufacturer)
         .join(Organisation, Organisation.id == Product.organisation_id)
         .where(Product.status == Status.APPROVED))
    return [{"sector": top_code(cid), "made_in_vietnam": bool(miv), "approved_at": at, "org_id": oid,
             "province": prov, "domestic_org": bool(dom)} for cid, miv, at, oid, prov, dom in session.execute(q)]


def _award_rows(session: Session):
    """Awards that stand (not cancelled) with value, supplier flags, sector of the tender and month."""
    return _cached(session, "awards", lambda: _award_rows_uncached(session))


def _award_rows_uncached(session: Session):
    Award = _model("procurement", "Award")
    AwardStatus = _model("procurement", "AwardStatus")
    Tender = _model("procurement", "Tender")
    matcher = SectorMatcher(sectors(session))
    q = (select(Award.value, Award.awarded_at, Tender.cpv_codes, Organisation.domestic_manufacturer,
                Organisation.is_sme)
         .join(Tender, Tender.id == Award.tender_id)
         .join(Organisation, Organisation.id == Award.supplier_id)
         .where(Award.status != AwardStatus.CANCELLED))
    return [{"value": int(v or 0), "awarded_at": at, "sector": matcher.sector(codes or []) or "other",
             "domestic": bool(dom), "sme": bool(sme)} for v, at, codes, dom, sme in session.execute(q)]


def _published_tenders(session: Session):
    return _cached(session, "tenders", lambda: _published_tenders_uncached(session))


def _published_tenders_uncached(session: Session):
    Tender = _model("procurement", "Tender")
    matcher = SectorMatcher(sectors(session))
    q = select(Tender.published_at, Tender.cpv_codes).where(Tender.published_at.is_not(None))
    return [{"published_at": at, "sector": matcher.sector(codes or []) or "other"} for at, codes in session.execute(q)]


def _listings(session: Session, class_name: str):
    return _cached(session, f"listings:{class_name}", lambda: _listings_uncached(session, class_name))


def _listings_uncached(session: Session, class_name: str):
    Listing = _model("techtransfer", class_name)
    Status = _model("techtransfer", "ListingStatus")
    q = select(Listing.published_at, Listing.sub_sector).where(Listing.published_at.is_not(None),
                                                              Listing.status == Status.PUBLISHED)
    return [{"published_at": at, "sector": sec} for at, sec in session.execute(q)]


def _deals(session: Session):
    return _cached(session, "deals", lambda: _deals_uncached(session))


def _deals_uncached(session: Session):
    Deal = _model("techtransfer", "Deal")
    return [{"date": d, "sector": s, "value": int(v or 0)}
            for d, s, v in session.execute(select(Deal.deal_date, Deal.sub_sector, Deal.value_vnd))]


def _orders(session: Session):
    return _cached(session, "orders", lambda: _orders_uncached(session))


def _orders_uncached(session: Session):
    """Direct orders the supplier accepted (or delivered), with value, sector from CPV codes and supplier flags."""
    Order = _model("orders", "Order")
    Status = _model("orders", "OrderStatus")
    matcher = SectorMatcher(sectors(session))
    q = (select(Order.price_vnd, Order.created_at, Order.cpv_codes, Organisation.domestic_manufacturer,
                Organisation.is_sme)
         .join(Organisation, Organisation.id == Order.supplier_org_id)
         .where(Order.status.in_([Status.ACCEPTED, Status.FULFILLED])))
    return [{"value": int(v or 0), "at": at, "sector": matcher.sector(codes or []) or "other", "domestic": bool(dom),
             "sme": bool(sme)} for v, at, codes, dom, sme in session.execute(q)]


def _try(fn: Callable, session: Session, default=None):
    """Run a source query, giving `default` when its area is missing."""
    try:
        return fn(session)
    except NoDataYet:
        return default
    except SQLAlchemyError:
        session.rollback()
        return default


# ------------------------------------------------------------------ indicators

@indicator("key_figures", title=_l("Key figures"), chart="figures", area="all",
           description=_l("Headline numbers of the marketplace, all time."),
           columns=(("metric", _l("Metric")), ("value", _l("Value")), ("unit", _l("Unit"))))
def key_figures(session: Session) -> list[dict]:
    enterprises = session.scalar(select(func.count(Organisation.id)).where(
        Organisation.kind == OrgKind.ENTERPRISE, Organisation.verified_at.is_not(None))) or 0
    rows = [{"metric": "enterprises", "value": enterprises, "unit": "count"}]
    products = _try(_product_rows, session)
    if products is not None:
        rows.append({"metric": "products_approved", "value": len(products), "unit": "count"})
    tenders = _try(_published_tenders, session)
    if tenders is not None:
        rows.append({"metric": "tenders_published", "value": len(tenders), "unit": "count"})
    awards = _try(_award_rows, session)
    if awards is not None:
        total = sum(a["value"] for a in awards)
        domestic = sum(a["value"] for a in awards if a["domestic"])
        sme = sum(a["value"] for a in awards if a["sme"])
        rows += [{"metric": "awarded_value", "value": total, "unit": "VND"},
                 {"metric": "domestic_share_awarded", "value": pct(domestic, total), "unit": "%"},
                 {"metric": "sme_share_awarded", "value": pct(sme, total), "unit": "%"}]
    orders = _try(_orders, session)
    if orders is not None:
        rows += [{"metric": "orders_agreed", "value": len(orders), "unit": "count"},
                 {"metric": "orders_value", "value": sum(o["value"] for o in orders), "unit": "VND"}]
    patents = _try(lambda s: _listings(s, "PatentOffer"), session)
    if patents is not None:
        rows.append({"metric": "patents_listed", "value": len(patents), "unit": "count"})
    deals = _try(_deals, session)
    if deals is not None:
        rows += [{"metric": "deals_made", "value": len(deals), "unit": "count"},
                 {"metric": "deal_value", "value": sum(d["value"] for d in deals), "unit": "VND"}]
    return rows


@indicator("enterprises_by_province", title=_l("Enterprises by province"), chart="bar", area="organisations",
           description=_l("Verified enterprises registered on the marketplace, by the province of their head office."),
           columns=(("province", _l("Province")), ("enterprises", _l("Enterprises")),
                    ("domestic_manufacturers", _l("Domestic manufacturers")), ("smes", _l("SMEs"))),
           label="province", value="enterprises")
def enterprises_by_province(session: Session) -> list[dict]:
    q = (select(Organisation.province, func.count(Organisation.id),
                func.count(Organisation.id).filter(Organisation.domestic_manufacturer.is_(True)),
                func.count(Organisation.id).filter(Organisation.is_sme.is_(True)))
         .where(Organisation.kind == OrgKind.ENTERPRISE, Organisation.verified_at.is_not(None))
         .group_by(Organisation.province))
    rows = [{"province": p, "enterprises": n, "domestic_manufacturers": d, "smes": s}
            for p, n, d, s in session.execute(q)]
    return sorted(rows, key=lambda r: (-r["enterprises"], r["province"]))


@indicator("enterprises_by_category", title=_l("Enterprises by category"), chart="bar", area="catalog",
           description=_l("Enterprises with at least one approved product in the sector."),
           columns=(("category", _l("Category")), ("enterprises", _l("Enterprises"))),
           label="category", value="enterprises")
def enterprises_by_category(session: Session) -> list[dict]:
    orgs: dict[str, set[int]] = defaultdict(set)
    for p in _product_rows(session):
        orgs[p["sector"]].add(p["org_id"])
    order = [s.code for s in sectors(session)]
    return [{"category": code, "enterprises": len(orgs[code])} for code in _ordered(order, orgs)]


def _ordered(order: list[str], present: Iterable[str]) -> list[str]:
    present = set(present)
    return [c for c in order if c in present] + sorted(present - set(order))


@indicator("products_by_category", title=_l("Approved products by category"), chart="bar", area="catalog",
           description=_l("Approved (published) products and services in each sector."),
           columns=(("category", _l("Category")), ("products", _l("Products")),
                    ("made_in_vietnam", _l("Made in Vietnam"))),
           label="category", value="products")
def products_by_category(session: Session) -> list[dict]:
    count, miv = Counter(), Counter()
    for p in _product_rows(session):
        count[p["sector"]] += 1
        miv[p["sector"]] += p["made_in_vietnam"]
    order = [s.code for s in sectors(session)]
    return [{"category": c, "products": count[c], "made_in_vietnam": miv[c]} for c in _ordered(order, count)]


@indicator("products_by_province", title=_l("Approved products by province"), chart="bar", area="catalog",
           description=_l("Approved products by the province of the enterprise that lists them."),
           columns=(("province", _l("Province")), ("products", _l("Products"))),
           label="province", value="products")
def products_by_province(session: Session) -> list[dict]:
    count = Counter(p["province"] for p in _product_rows(session))
    return [{"province": k, "products": v} for k, v in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))]


_SHARE_COLUMNS = (("category", _l("Category")), ("share_pct", _l("Domestic share (%)")),
                  ("target_min_pct", _l("Target from (%)")), ("target_max_pct", _l("Target to (%)")))


@indicator("domestic_share_products", title=_l("Domestic supply share of products against the programme's targets"),
           chart="target", area="catalog", label="category", value="share_pct",
           description=_l("Share of approved products in each sector that are made in Vietnam; the shaded band is "
                          "the programme's target for 2030."),
           columns=(_SHARE_COLUMNS[0], ("products", _l("Products")), ("domestic", _l("Made in Vietnam")),
                    *_SHARE_COLUMNS[1:]))
def domestic_share_products(session: Session) -> list[dict]:
    rows = _product_rows(session)
    total, dom = Counter(), Counter()
    for p in rows:
        total[p["sector"]] += 1
        dom[p["sector"]] += p["made_in_vietnam"]
    return _share_rows(session, total, dom, "products", "domestic")


@indicator("domestic_share_awards", title=_l("Domestic supply share of awarded value against the programme's targets"),
           chart="target", area="procurement", label="category", value="share_pct",
           description=_l("Share of the value of awarded contracts in each sector won by domestic manufacturers; "
                          "the shaded band is the programme's target for 2030."),
           columns=(_SHARE_COLUMNS[0], ("awarded_value", _l("Awarded value (VND)")),
                    ("domestic_value", _l("Won by domestic manufacturers (VND)")), *_SHARE_COLUMNS[1:]))
def domestic_share_awards(session: Session) -> list[dict]:
    total, dom = Counter(), Counter()
    for a in _award_rows(session):
        total[a["sector"]] += a["value"]
        dom[a["sector"]] += a["value"] if a["domestic"] else 0
    if not total:
        return []
    return _share_rows(session, total, dom, "awarded_value", "domestic_value")


def _share_rows(session: Session, total: Counter, dom: Counter, total_key: str, dom_key: str) -> list[dict]:
    out = []
    secs = sectors(session)
    for s in secs:
        # Sectors with a programme target are always shown (with "no data" when empty); others when present.
        if s.target is None and not total[s.code]:
            continue
        out.append({"category": s.code, total_key: total[s.code], dom_key: dom[s.code],
                    "share_pct": pct(dom[s.code], total[s.code]),
                    "target_min_pct": s.target[0] if s.target else None,
                    "target_max_pct": s.target[1] if s.target else None})
    known = {s.code for s in secs}
    for code in sorted(set(total) - known):
        out.append({"category": code, total_key: total[code], dom_key: dom[code],
                    "share_pct": pct(dom[code], total[code]), "target_min_pct": None, "target_max_pct": None})
    return out if any(r[total_key] for r in out) else []


@indicator("tenders_by_category", title=_l("Tenders and awarded value by category"), chart="bar",
           area="procurement", label="category", value="awarded_value", unit=" ₫",
           description=_l("Published tenders and the value of their awards, by sector (from the tenders' CPV codes)."),
           columns=(("category", _l("Category")), ("tenders_published", _l("Tenders published")),
                    ("awarded_value", _l("Awarded value (VND)")), ("domestic_share_pct", _l("Domestic share (%)")),
                    ("sme_share_pct", _l("SME share (%)"))))
def tenders_by_category(session: Session) -> list[dict]:
    tenders = Counter(t["sector"] for t in _published_tenders(session))
    value, dom, sme = Counter(), Counter(), Counter()
    for a in _award_rows(session):
        value[a["sector"]] += a["value"]
        dom[a["sector"]] += a["value"] if a["domestic"] else 0
        sme[a["sector"]] += a["value"] if a["sme"] else 0
    order = [s.code for s in sectors(session)]
    return [{"category": c, "tenders_published": tenders[c], "awarded_value": value[c],
             "domestic_share_pct": pct(dom[c], value[c]), "sme_share_pct": pct(sme[c], value[c])}
            for c in _ordered(order, set(tenders) | set(value))]


@indicator("award_shares", title=_l("Domestic and SME share of awarded value"), chart="target",
           area="procurement", label="group", value="share_pct",
           description=_l("Share of all awarded value won by domestic manufacturers and by small and medium "
                          "enterprises."),
           columns=(("group", _l("Group")), ("value", _l("Awarded value (VND)")), ("share_pct", _l("Share (%)"))))
def award_shares(session: Session) -> list[dict]:
    awards = _award_rows(session)
    total = sum(a["value"] for a in awards)
    if not total:
        return []
    dom = sum(a["value"] for a in awards if a["domestic"])
    sme = sum(a["value"] for a in awards if a["sme"])
    return [{"group": "domestic", "value": dom, "share_pct": pct(dom, total)},
            {"group": "sme", "value": sme, "share_pct": pct(sme, total)}]


@indicator("orders_by_category", title=_l("Direct orders by category"), chart="bar", area="orders",
           label="category", value="value", unit=" ₫",
           description=_l("Direct orders accepted by suppliers, by sector (from the orders' CPV codes), with the share "
                          "of their value going to domestic manufacturers."),
           columns=(("category", _l("Category")), ("orders", _l("Direct orders")), ("value", _l("Value (VND)")),
                    ("domestic_share_pct", _l("Domestic share (%)"))))
def orders_by_category(session: Session) -> list[dict]:
    count, value, dom = Counter(), Counter(), Counter()
    for o in _orders(session):
        count[o["sector"]] += 1
        value[o["sector"]] += o["value"]
        dom[o["sector"]] += o["value"] if o["domestic"] else 0
    order = [s.code for s in sectors(session)]
    return [{"category": c, "orders": count[c], "value": value[c], "domestic_share_pct": pct(dom[c], value[c])}
            for c in _ordered(order, count)]


@indicator("techtransfer_by_category", title=_l("Patents, technology needs and deals by category"), chart="bar",
           area="techtransfer", label="category", value="patents",
           description=_l("Published patent and technology offers, published technology needs and deals made, "
                          "by sector."),
           columns=(("category", _l("Category")), ("patents", _l("Patents and technologies listed")),
                    ("needs", _l("Technology needs")), ("deals", _l("Deals made")),
                    ("deal_value", _l("Deal value (VND)"))))
def techtransfer_by_category(session: Session) -> list[dict]:
    patents = Counter(p["sector"] for p in _listings(session, "PatentOffer"))
    needs = Counter(p["sector"] for p in _try(lambda s: _listings(s, "TechnologyNeed"), session, []))
    deals, value = Counter(), Counter()
    for d in _try(_deals, session, []):
        deals[d["sector"]] += 1
        value[d["sector"]] += d["value"]
    order = [s.code for s in sectors(session)]
    return [{"category": c, "patents": patents[c], "needs": needs[c], "deals": deals[c], "deal_value": value[c]}
            for c in _ordered(order, set(patents) | set(needs) | set(deals))]


@indicator("activity_by_month", title=_l("Activity per month"), chart="line", area="all", label="month",
           series=("tenders_published", "awards", "orders_agreed", "products_approved", "patents_listed",
                   "deals_made", "enterprises_verified"),
           description=_l("New tenders, awards, direct orders, approved products, patent listings, deals and "
                          "verified enterprises in each of the last twelve months."),
           columns=(("month", _l("Month")), ("tenders_published", _l("Tenders published")),
                    ("awards", _l("Awards")), ("orders_agreed", _l("Direct orders agreed")),
                    ("products_approved", _l("Products approved")),
                    ("patents_listed", _l("Patents and technologies listed")), ("deals_made", _l("Deals made")),
                    ("enterprises_verified", _l("Enterprises verified"))))
def activity_by_month(session: Session) -> list[dict]:
    keys = month_keys()
    counts: dict[str, Counter] = defaultdict(Counter)
    for at in session.scalars(select(Organisation.verified_at).where(Organisation.kind == OrgKind.ENTERPRISE,
                                                                     Organisation.verified_at.is_not(None))):
        counts["enterprises_verified"][_month(at)] += 1
    for t in _try(_published_tenders, session, []):
        counts["tenders_published"][_month(t["published_at"])] += 1
    for a in _try(_award_rows, session, []):
        counts["awards"][_month(a["awarded_at"])] += 1
    for o in _try(_orders, session, []):
        counts["orders_agreed"][_month(o["at"])] += 1
    for p in _try(_product_rows, session, []):
        counts["products_approved"][_month(p["approved_at"])] += 1
    for p in _try(lambda s: _listings(s, "PatentOffer"), session, []):
        counts["patents_listed"][_month(p["published_at"])] += 1
    for d in _try(_deals, session, []):
        counts["deals_made"][_month(d["date"])] += 1
    series = INDICATORS["activity_by_month"].series
    return [{"month": k, **{s: counts[s][k] for s in series}} for k in keys]


@indicator("awarded_value_by_month", title=_l("Awarded value per month"), chart="line", area="procurement",
           label="month", series=("awarded_value", "domestic_value", "sme_value"),
           description=_l("Value of contracts awarded in each of the last twelve months, in total and the part won "
                          "by domestic manufacturers and by SMEs (VND)."),
           columns=(("month", _l("Month")), ("awarded_value", _l("Awarded value (VND)")),
                    ("domestic_value", _l("Won by domestic manufacturers (VND)")),
                    ("sme_value", _l("Won by SMEs (VND)"))))
def awarded_value_by_month(session: Session) -> list[dict]:
    keys = month_keys()
    total, dom, sme = Counter(), Counter(), Counter()
    for a in _award_rows(session):
        m = _month(a["awarded_at"])
        total[m] += a["value"]
        dom[m] += a["value"] if a["domestic"] else 0
        sme[m] += a["value"] if a["sme"] else 0
    return [{"month": k, "awarded_value": total[k], "domestic_value": dom[k], "sme_value": sme[k]} for k in keys]


# ------------------------------------------------------------------ presentation (labels and charts)

METRIC_LABELS = {
    "enterprises": _l("Verified enterprises"),
    "products_approved": _l("Products approved"),
    "tenders_published": _l("Tenders published"),
    "awarded_value": _l("Awarded value"),
    "domestic_share_awarded": _l("Domestic share of awarded value"),
    "sme_share_awarded": _l("SME share of awarded value"),
    "patents_listed": _l("Patents and technologies listed"),
    "deals_made": _l("Deals made"),
    "deal_value": _l("Value of deals"),
    "orders_agreed": _l("Direct orders agreed"),
    "orders_value": _l("Value of direct orders"),
}
GROUP_LABELS = {"domestic": _l("Domestic manufacturers"), "sme": _l("Small and medium enterprises")}


def labeler(session: Session, lang: str) -> Callable[[str, object], str]:
    """Return a function naming a row value for display: provinces, categories, metrics and groups."""
    from ..provinces import province_name

    names = {s.code: s.name(lang) for s in sectors(session)}

    def label(column: str, value) -> str:
        if value is None:
            return "—"
        if column == "province":
            return province_name(str(value), lang)
        if column == "category":
            return names.get(str(value), str(_l("Other")) if value == "other" else str(value))
        if column == "metric":
            return str(METRIC_LABELS.get(str(value), value))
        if column == "group":
            return str(GROUP_LABELS.get(str(value), value))
        return str(value)

    return label


def chart(result: Result, label: Callable[[str, object], str]):
    """Draw the indicator's SVG chart (or a 'no data yet' placeholder); figures have no chart."""
    from . import charts

    ind = result.indicator
    title, desc = str(ind.title), str(ind.description)
    if not result.has_data:
        return charts.empty_chart(ind.name, title, str(_l("No data yet")))
    if ind.chart == "bar":
        rows = [(label(ind.label, r[ind.label]), r.get(ind.value) or 0) for r in result.rows]
        return charts.bar_chart(ind.name, rows, title=title, desc=desc, unit=ind.unit)
    if ind.chart == "target":
        rows = []
        for r in result.rows:
            band = None
            if r.get("target_min_pct") is not None:
                band = (float(r["target_min_pct"]), float(r.get("target_max_pct") or r["target_min_pct"]))
            rows.append((label(ind.label, r[ind.label]), r.get(ind.value), band))
        return charts.target_chart(ind.name, rows, title=title, desc=desc, no_data=str(_l("no data")),
                                   target_label=str(_l("Programme target for 2030")))
    if ind.chart == "line":
        headings = dict(ind.columns)
        series = [(str(headings.get(s, s)), [r.get(s) or 0 for r in result.rows]) for s in ind.series
                  if any(r.get(s) for r in result.rows)]
        return charts.line_chart(ind.name, [r[ind.label] for r in result.rows], series, title=title, desc=desc)
    return None
