"""Saved searches: validation, matching new listings, immediate alerts, daily digests and one-click unsubscribe.

Flow: an area publishes a listing and calls `reindex()`; the worker indexes it ("index.refresh"), then
market.jobs.alerts queues "alerts.check", whose handler calls `check_listing()`. Each subscription that the
listing's matching Document passes gets one AlertHit (unique per subscription and listing, so nothing is sent
twice). Immediate subscriptions are told at once (in-app notification + email through the outbox); daily ones
wait for `run_digests()`, which the worker's tick calls and which sends each user at most one digest a day.
Areas that do not index a kind may call `listing_published()` directly.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..authz import require_user
from ..errors import NotFound, ValidationError
from ..i18n import _l
from ..indexing import DISPLAYERS, DOCUMENT_BUILDERS, parse_ref
from ..models import User, utcnow
from ..models.alerts import DOCUMENT_KINDS, AlertHit, AlertKind, DigestRun, Frequency, Subscription
from ..provinces import normalise_province
from . import notifications, outbox

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving time in Vietnam
MAX_SUBSCRIPTIONS = 50
MAX_LIST = 20
KIND_LABELS = {
    AlertKind.TENDERS: _l("Tenders"),
    AlertKind.TECHNOLOGY_NEEDS: _l("Technology needs"),
    AlertKind.TECHNOLOGY_OFFERS: _l("Technology offers and patents"),
    AlertKind.PRODUCTS: _l("Products"),
}
WATCHED_KINDS = frozenset(k for kinds in DOCUMENT_KINDS.values() for k in kinds)
FREQUENCY_LABELS = {Frequency.IMMEDIATE: _l("Immediately"), Frequency.DAILY: _l("Daily digest")}


# ------------------------------------------------------------------ text helpers

def fold(text: str) -> str:
    """Lower-case without Vietnamese diacritics ('Xử lý' -> 'xu ly')."""
    try:
        from matching.lexical import fold_text
    except ImportError:  # the engine is optional for this helper
        import unicodedata

        def fold_text(t: str) -> str:
            t = t.replace("đ", "d").replace("Đ", "d")
            return "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c)).lower()
    return fold_text(text or "")


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


@functools.lru_cache(maxsize=4)
def _translations(lang: str):
    """Load every catalogue of the language without an app context (the worker has none)."""
    from babel.support import NullTranslations, Translations

    from ..i18n import TRANSLATIONS, compile_catalogues

    merged = None
    for domain in compile_catalogues():
        t = Translations.load(str(TRANSLATIONS), [lang], domain)
        if isinstance(t, Translations):
            merged = t if merged is None else merged.merge(t) or merged
    return merged or NullTranslations()


def translate(lang: str | None, message: Any, **kwargs) -> str:
    """Translate a message id into the recipient's language, in requests and in the worker alike."""
    msgid = getattr(message, "_args", (message,))[0] if not isinstance(message, str) else message
    text = _translations(lang or "vi").gettext(msgid) if (lang or "vi") != "en" else msgid
    return text % kwargs if kwargs else text


# ------------------------------------------------------------------ validation

def category_codes(session: Session) -> dict[str, str]:
    """Return the catalogue category codes a subscription may name, with their Vietnamese names."""
    from .stats import sectors

    out = {s.code: s.name_vi for s in sectors(session)}
    try:
        from ..models.catalog import ProductCategory
    except ImportError:  # catalogue not installed: the sector list is enough
        return out
    try:
        out |= {c.code: c.name_vi for c in session.scalars(select(ProductCategory).where(
            ProductCategory.is_active.is_(True)))}
    except SQLAlchemyError:  # table not created yet
        session.rollback()
    return out


def _cpv_prefix(raw: str) -> str | None:
    """Normalise '90400000-1', '9040', '904*' to the significant digits ('904'); None when malformed or unknown."""
    from matching.taxonomy import default_taxonomy

    raw = str(raw).strip().rstrip("*")
    m = re.fullmatch(r"(\d{2,8})(-\d)?", raw)
    if not m or (m.group(2) and (len(m.group(1)) != 8 or not default_taxonomy().validate(raw).ok)):
        return None
    digits = m.group(1)
    if len(digits) == 8:
        digits = digits.rstrip("0") or digits[:2]
        digits = digits if len(digits) >= 2 else digits.ljust(2, "0")
    codes = default_taxonomy().codes
    if not any(c.startswith(digits) for c in codes):
        return None
    return digits


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[,;\s]+", value) if v]
    return list(value)


def clean(session: Session, data: Mapping) -> dict:
    """Validate a subscription's fields; raise ValidationError with one message per bad field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    kind = data.get("kind")
    try:
        out["kind"] = AlertKind(kind)
    except ValueError:
        errors["kind"] = str(_l("Choose what to watch: tenders, technology needs, technology offers or products."))
    freq = data.get("frequency") or Frequency.DAILY.value
    try:
        out["frequency"] = Frequency(freq)
    except ValueError:
        errors["frequency"] = str(_l("Choose immediately or a daily digest."))
    name = (data.get("name") or "").strip()
    if len(name) > 200:
        errors["name"] = str(_l("At most 200 characters."))
    out["name"] = name
    words = " ".join((data.get("words") or "").split())
    if len(words) > 500:
        errors["words"] = str(_l("At most 500 characters."))
    out["words"] = words

    known = category_codes(session)
    cats = [str(c).strip() for c in _as_list(data.get("categories"))]
    bad = [c for c in cats if c not in known]
    if bad:
        errors["categories"] = str(_l("Unknown category: %(codes)s.", codes=", ".join(bad[:5])))
    out["categories"] = sorted(dict.fromkeys(cats))

    prefixes, bad = [], []
    for raw in _as_list(data.get("cpv_prefixes")):
        p = _cpv_prefix(raw)
        (prefixes.append(p) if p else bad.append(str(raw)))
    if bad:
        errors["cpv_prefixes"] = str(_l("Not the beginning of any CPV code: %(codes)s. Give 2 to 8 digits, e.g. 9040.",
                                        codes=", ".join(bad[:5])))
    out["cpv_prefixes"] = sorted(dict.fromkeys(prefixes))

    provinces, bad = [], []
    raw_provinces = data.get("provinces")
    if isinstance(raw_provinces, str):  # names contain spaces: split a typed list on commas only
        raw_provinces = [p.strip() for p in re.split(r"[,;]", raw_provinces) if p.strip()]
    for raw in raw_provinces or []:
        code = normalise_province(str(raw))
        (provinces.append(code) if code else bad.append(str(raw)))
    if bad:
        errors["provinces"] = str(_l("Unknown province: %(names)s.", names=", ".join(bad[:5])))
    out["provinces"] = sorted(dict.fromkeys(provinces))

    if not errors and not (out["categories"] or out["cpv_prefixes"] or out["words"] or out["provinces"]):
        errors["filters"] = str(_l("Give at least one filter: categories, CPV codes, words or provinces."))
    for list_field in ("categories", "cpv_prefixes", "provinces"):
        if len(out.get(list_field, [])) > MAX_LIST:
            errors[list_field] = str(_l("At most %(n)s values.", n=MAX_LIST))
    if errors:
        raise ValidationError(errors)
    if not out["name"]:
        out["name"] = _default_name(out)
    return out


def _default_name(data: dict) -> str:
    parts = [data["words"]] if data["words"] else []
    parts += data["categories"][:2] + data["cpv_prefixes"][:2] + data["provinces"][:2]
    return (data["kind"].value + ": " + ", ".join(parts))[:200]


# ------------------------------------------------------------------ subscriptions (owner only)

def list_subscriptions(session: Session, user: User | None) -> list[Subscription]:
    """Return the user's own subscriptions, newest first."""
    user = require_user(user)
    return list(session.scalars(select(Subscription).where(Subscription.user_id == user.id)
                                .order_by(Subscription.id.desc())))


def get_own(session: Session, user: User | None, sub_id: int) -> Subscription:
    """Return one of the user's subscriptions; another user's is NotFound (its existence is not revealed)."""
    user = require_user(user)
    sub = session.get(Subscription, sub_id)
    if sub is None or sub.user_id != user.id:
        raise NotFound("Subscription not found.")
    return sub


def create_subscription(session: Session, user: User | None, data: Mapping) -> Subscription:
    """Save a search for the user."""
    user = require_user(user)
    values = clean(session, data)
    count = len(list_subscriptions(session, user))
    if count >= MAX_SUBSCRIPTIONS:
        raise ValidationError({"_body": str(_l("You have reached the limit of %(n)s saved searches.",
                                              n=MAX_SUBSCRIPTIONS))})
    sub = Subscription(user_id=user.id, **values)
    session.add(sub)
    session.commit()
    return sub


def update_subscription(session: Session, user: User | None, sub_id: int, data: Mapping) -> Subscription:
    """Change one of the user's saved searches (all fields replaced)."""
    sub = get_own(session, user, sub_id)
    values = clean(session, data)
    for key, value in values.items():
        setattr(sub, key, value)
    sub.active = True
    session.commit()
    return sub


def delete_subscription(session: Session, user: User | None, sub_id: int) -> None:
    """Delete one of the user's saved searches and what it caught."""
    sub = get_own(session, user, sub_id)
    session.delete(sub)
    session.commit()


def set_active(session: Session, user: User | None, sub_id: int, active: bool) -> Subscription:
    """Pause or resume one of the user's saved searches."""
    sub = get_own(session, user, sub_id)
    sub.active = active
    session.commit()
    return sub


# ------------------------------------------------------------------ unsubscribe links (no login)

def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="alerts-unsubscribe")


def unsubscribe_token(secret: str, sub: Subscription) -> str:
    """Sign a token that stops exactly this subscription (it never expires, as email links must keep working)."""
    return _serializer(secret).dumps({"s": sub.id, "u": sub.user_id})


def unsubscribe_path(secret: str, sub: Subscription) -> str:
    return f"/alerts/{sub.id}/unsubscribe?token={unsubscribe_token(secret, sub)}"


def _by_token(session: Session, secret: str, sub_id: int, token: str) -> Subscription:
    try:
        payload = _serializer(secret).loads(token or "")
    except BadSignature:
        raise NotFound("This unsubscribe link is not valid.") from None
    sub = session.get(Subscription, sub_id)
    if not isinstance(payload, dict) or payload.get("s") != sub_id or sub is None or payload.get("u") != sub.user_id:
        raise NotFound("This unsubscribe link is not valid.")
    return sub


def unsubscribe(session: Session, secret: str, sub_id: int, token: str, active: bool = False) -> Subscription:
    """Stop (or, with active=True, restart) the subscription named by a signed link; no login needed."""
    sub = _by_token(session, secret, sub_id, token)
    sub.active = active
    session.commit()
    return sub


# ------------------------------------------------------------------ matching listings

def _doc_categories(doc, matcher) -> set[str]:
    cats = set()
    for key in ("category", "sub_sector", "sector"):
        value = doc.facets.get(key)
        if value:
            cats.add(str(value))
            cats.add(str(value).split(".")[0])
    if not cats and matcher is not None:
        sector = matcher.sector(doc.codes)
        if sector:
            cats.add(sector)
    return cats


def matches(sub: Subscription, doc, matcher=None) -> bool:
    """Say whether a matching Document passes every filter of the subscription (OR within a filter, AND across)."""
    if doc.kind not in DOCUMENT_KINDS[sub.kind]:
        return False
    if sub.provinces and doc.facets.get("province") not in sub.provinces:
        return False
    if sub.cpv_prefixes and not any(str(c).startswith(p) for c in doc.codes for p in sub.cpv_prefixes):
        return False
    if sub.categories:
        cats = _doc_categories(doc, matcher)
        if not any(c in cats or any(d.startswith(c + ".") for d in cats) for c in sub.categories):
            return False
    if sub.words:
        have = set(words_of(doc.text))
        if not all(w in have for w in words_of(sub.words)):
            return False
    return True


def _display(session: Session, kind: str, obj_id: int, doc) -> dict | None:
    show = DISPLAYERS.get(kind)
    if show is not None:
        try:
            info = show(session, obj_id)
        except Exception:  # a displayer needing a request (url_for) must not stop the alert
            info = {"title": doc.text.split("\n")[0][:200], "url": None}
        return info
    return {"title": doc.text.split("\n")[0][:200], "url": None}


def check_listing(session: Session, config: Mapping, kind: str, obj_id: int, doc=None) -> int:
    """Record hits for every active subscription a public listing matches and alert immediate ones; return hits.

    Helper for the worker: flushes, the caller commits.
    """
    alert_kinds = [k for k, kinds in DOCUMENT_KINDS.items() if kind in kinds]
    if not alert_kinds:
        return 0
    subs = list(session.scalars(select(Subscription).where(Subscription.kind.in_(alert_kinds),
                                                           Subscription.active.is_(True))))
    if not subs:  # checked before building the document: most listings interest nobody yet
        return 0
    if doc is None:
        builder = DOCUMENT_BUILDERS.get(kind)
        doc = builder(session, obj_id) if builder else None
    if doc is None:  # not public (draft, withdrawn, deleted): nothing to tell anyone
        return 0
    from .stats import SectorMatcher, sectors

    matcher = SectorMatcher(sectors(session))
    seen = set(session.scalars(select(AlertHit.subscription_id).where(AlertHit.ref == doc.ref)))
    info = None
    made = 0
    for sub in subs:
        if sub.id in seen or not matches(sub, doc, matcher):
            continue
        if info is None:
            info = _display(session, kind, obj_id, doc)
            if info is None:
                return 0
        hit = AlertHit(subscription_id=sub.id, user_id=sub.user_id, ref=doc.ref,
                       title=(info.get("title") or doc.ref)[:300], url=(info.get("url") or "")[:300])
        session.add(hit)
        session.flush()
        made += 1
        if sub.frequency == Frequency.IMMEDIATE:
            _deliver_now(session, config, sub, hit)
    return made


def listing_published(session: Session, kind: str, obj_id: int, doc=None, config: Mapping | None = None) -> int:
    """Let an area announce a published listing directly (when it does not go through the index)."""
    return check_listing(session, config or session.info.get("config", {}), kind, obj_id, doc)


def _already_told(session: Session, user_id: int, ref: str, hit_id: int) -> bool:
    return session.scalar(select(AlertHit.id).where(AlertHit.user_id == user_id, AlertHit.ref == ref,
                                                    AlertHit.delivered_at.is_not(None),
                                                    AlertHit.id != hit_id).limit(1)) is not None


def item_path(ref: str) -> str:
    """The site path that opens a caught listing (resolved to the listing's own page at request time)."""
    return f"/alerts/item/{ref}"


def _site(config: Mapping) -> str:
    return str(config.get("SITE_URL") or "http://localhost:5000").rstrip("/")


def _deliver_now(session: Session, config: Mapping, sub: Subscription, hit: AlertHit) -> None:
    user = sub.user
    now = utcnow()
    if not user.is_active or _already_told(session, user.id, hit.ref, hit.id):
        hit.delivered_at = now  # a deactivated account, or already told through another search: stay silent
        return
    lang = user.language
    site = _site(config)
    # One line: a title with line breaks must never become extra mail headers.
    title = " ".join(translate(lang, "New match for “%(name)s”: %(title)s", name=sub.name, title=hit.title).split())
    notifications.notify(session, user.id, title, url=item_path(hit.ref), topic="alert")
    body = "\n".join([
        translate(lang, "Hello %(name)s,", name=user.name), "",
        translate(lang, "A new listing matches your saved search “%(name)s”:", name=sub.name), "",
        f"- {hit.title}", f"  {site}{item_path(hit.ref)}", "",
        translate(lang, "Manage your saved searches: %(url)s", url=f"{site}/alerts"),
        translate(lang, "Stop this alert with one click: %(url)s",
                  url=site + unsubscribe_path(str(config["SECRET_KEY"]), sub)),
    ])
    outbox.send_email(session, user, title[:300], body)
    hit.delivered_at = now


# ------------------------------------------------------------------ daily digest

def digest_day(now: datetime, hour: int) -> str | None:
    """Return the local (Vietnam) day whose digest is due at `now`, or None before the configured hour."""
    local = now.astimezone(VIETNAM)
    return local.date().isoformat() if local.hour >= int(hour) else None


def run_digests(session: Session, config: Mapping, now: datetime | None = None) -> int:
    """Send each user with waiting daily hits one digest (at most one per local day); return digests sent.

    Idempotent: a DigestRun row per (user, day) and delivered_at on each hit mean a re-run sends nothing twice.
    """
    now = now or utcnow()
    day = digest_day(now, int(config.get("ALERTS_DIGEST_HOUR", 7)))
    if day is None:
        return 0
    pending = list(session.scalars(
        select(AlertHit).join(Subscription, Subscription.id == AlertHit.subscription_id)
        .where(AlertHit.delivered_at.is_(None), Subscription.frequency == Frequency.DAILY,
               Subscription.active.is_(True))
        .order_by(AlertHit.user_id, AlertHit.subscription_id, AlertHit.id)))
    if not pending:
        return 0
    by_user: dict[int, list[AlertHit]] = defaultdict(list)
    for hit in pending:
        by_user[hit.user_id].append(hit)
    done_today = set(session.scalars(select(DigestRun.user_id).where(DigestRun.day == day,
                                                                     DigestRun.user_id.in_(list(by_user)))))
    sent = 0
    for user_id, hits in by_user.items():
        if user_id in done_today:
            continue  # today's digest is out; these wait for tomorrow's
        try:
            with session.begin_nested():
                sent += _send_digest(session, config, user_id, day, hits, now)
        except IntegrityError:  # another worker sent this user's digest a moment ago
            continue
    session.commit()
    return sent


def _send_digest(session: Session, config: Mapping, user_id: int, day: str, hits: list[AlertHit],
                 now: datetime) -> int:
    user = session.get(User, user_id)
    session.add(DigestRun(user_id=user_id, day=day, items=len(hits)))
    session.flush()
    fresh, refs = [], set()
    for hit in hits:
        if hit.ref in refs or _already_told(session, user_id, hit.ref, hit.id):
            hit.delivered_at = now  # the same listing via another saved search: tell once
            continue
        refs.add(hit.ref)
        fresh.append(hit)
    if not fresh or user is None or not user.is_active:
        for hit in fresh:
            hit.delivered_at = now
        return 0
    lang, site, secret = user.language, _site(config), str(config["SECRET_KEY"])
    subject = translate(lang, "Your daily alerts: %(n)s new listings", n=len(fresh))
    lines = [translate(lang, "Hello %(name)s,", name=user.name), "",
             translate(lang, "New listings matching your saved searches since the last digest:"), ""]
    by_sub: dict[int, list[AlertHit]] = defaultdict(list)
    for hit in fresh:
        by_sub[hit.subscription_id].append(hit)
    for sub_id, items in by_sub.items():
        sub = items[0].subscription
        lines.append(f"## {sub.name} ({translate(lang, KIND_LABELS[sub.kind])})")
        for hit in items:
            lines += [f"- {hit.title}", f"  {site}{item_path(hit.ref)}"]
        lines += [translate(lang, "Stop this alert with one click: %(url)s", url=site + unsubscribe_path(secret, sub)),
                  ""]
    lines.append(translate(lang, "Manage your saved searches: %(url)s", url=f"{site}/alerts"))
    outbox.send_email(session, user, subject[:300], "\n".join(lines))
    notifications.notify(session, user_id, subject, body="\n".join(f"- {h.title}" for h in fresh),
                         url="/alerts/notifications", topic="digest")
    for hit in fresh:
        hit.delivered_at = now
    return 1


# ------------------------------------------------------------------ reading hits

def open_item(session: Session, ref: str) -> str | None:
    """Return the public URL of a caught listing, or None when it is no longer public."""
    try:
        kind, obj_id = parse_ref(ref)
    except ValueError:
        return None
    show = DISPLAYERS.get(kind)
    info = show(session, obj_id) if show else None
    return (info or {}).get("url")


def serialise(sub: Subscription) -> dict:
    return {"id": sub.id, "name": sub.name, "kind": sub.kind.value, "frequency": sub.frequency.value,
            "categories": list(sub.categories or []), "cpv_prefixes": list(sub.cpv_prefixes or []),
            "words": sub.words, "provinces": list(sub.provinces or []), "active": sub.active,
            "created_at": sub.created_at.isoformat()}
