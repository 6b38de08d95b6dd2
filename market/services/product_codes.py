"""Environmental product identification codes: issue, parse and verify.

Format ``VNEP-CC-YYYY-NNNNNN-K``, e.g. ``VNEP-WW-2026-000123-3``:

- ``VNEP``   fixed prefix (Vietnam Environmental Product);
- ``CC``     two-letter abbreviation of the product's top-level sector:
             WW wastewater, AE air emissions / flue gas, SW solid waste, HW hazardous waste, MN monitoring,
             WE waste-to-energy, RC recycling, ES environmental services, CE consulting and engineering;
- ``YYYY``   year the code was issued (UTC);
- ``NNNNNN`` six-digit sequence per (sector, year), taken from the ``product_code_sequences`` table, which only
             ever increases: a number is never handed out twice, even when a product is withdrawn and its code
             revoked (codes are kept, marked revoked, never deleted);
- ``K``      check character, ISO 7064 MOD 11-2 (as in ORCID and the ISO 7064 standard), computed over the
             digit string made of the sector letters converted A=10 … Z=35 (as in IBAN), then the year and the
             sequence. It is a digit 0-9 or ``X`` (for 10). It catches every single-digit error and every
             transposition of adjacent digits.

Parsing is forgiving about case and surrounding spaces ("vnep-ww-2026-000123-3 " is accepted) but not about
structure. Verification tells apart a malformed code, a wrong check character, an unknown code, a revoked code
and a valid one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict
from ..i18n import _l
from ..models import User, utcnow
from ..models.catalog import Product, ProductCode, ProductCodeSequence

PREFIX = "VNEP"
SEQUENCE_DIGITS = 6
_CODE = re.compile(r"^VNEP-([A-Z]{2})-(\d{4})-(\d{6})-([0-9X])$")


def _digits(abbrev: str, year: int, sequence: int) -> str:
    letters = "".join(str(ord(ch) - ord("A") + 10) for ch in abbrev)
    return f"{letters}{year:04d}{sequence:0{SEQUENCE_DIGITS}d}"


def mod11_2(digits: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of a string of digits."""
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2 % 11
    result = (12 - total) % 11
    return "X" if result == 10 else str(result)


def format_code(abbrev: str, year: int, sequence: int) -> str:
    """Build a full code with its check character."""
    return f"{PREFIX}-{abbrev}-{year:04d}-{sequence:0{SEQUENCE_DIGITS}d}-{mod11_2(_digits(abbrev, year, sequence))}"


@dataclass(frozen=True)
class Parsed:
    ok: bool
    code: str
    error: str | None = None          # "malformed" | "check_digit"
    message: str | None = None
    abbrev: str | None = None
    year: int | None = None
    sequence: int | None = None


def parse(raw: str) -> Parsed:
    """Check a code's structure and check character without touching the database."""
    code = (raw or "").strip().upper()
    m = _CODE.match(code)
    if not m:
        return Parsed(False, code, "malformed", str(_l(
            "This is not a product identification code. Codes look like VNEP-WW-2026-000123-3: "
            "VNEP, a two-letter sector, the year, six digits and a check character.")))
    abbrev, year, seq, check = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    expected = mod11_2(_digits(abbrev, year, seq))
    if check != expected:
        return Parsed(False, code, "check_digit", str(_l(
            "The check character does not match: the code has probably been mistyped. Please compare it with "
            "the certificate.")), abbrev, year, seq)
    return Parsed(True, code, None, None, abbrev, year, seq)


def next_sequence(session: Session, abbrev: str, year: int) -> int:
    """Take the next number for (sector, year) under a row lock; numbers are never given back."""
    q = select(ProductCodeSequence).where(ProductCodeSequence.abbrev == abbrev, ProductCodeSequence.year == year)
    row = session.scalar(q.with_for_update())
    if row is None:
        row = ProductCodeSequence(abbrev=abbrev, year=year, last_value=0)
        session.add(row)
        session.flush()
        row = session.scalar(q.with_for_update())
    if row.last_value >= 10 ** SEQUENCE_DIGITS - 1:
        raise Conflict(str(_l("No identification numbers left for this sector this year.")))
    row.last_value += 1
    session.flush()
    return row.last_value


def issue_for(session: Session, product: Product, actor: User | None) -> ProductCode:
    """Issue (or re-activate) the product's code inside the caller's transaction; the caller checks permission."""
    if product.code is not None:
        if product.code.revoked_at is not None:
            product.code.revoked_at = None
            product.code.revoked_reason = None
        return product.code
    abbrev = product.category.top.abbrev
    if not abbrev:
        raise Conflict(str(_l("The product's sector has no code abbreviation.")))
    now = utcnow()
    seq = next_sequence(session, abbrev, now.year)
    pc = ProductCode(code=format_code(abbrev, now.year, seq), product_id=product.id, abbrev=abbrev, year=now.year,
                     sequence=seq, issued_at=now, issued_by_id=actor.id if actor else None)
    session.add(pc)
    session.flush()
    product.code = pc
    return pc


def revoke_for(product: Product, reason: str) -> None:
    """Mark the product's code revoked (kept for verification; the number is never reused)."""
    if product.code is not None and product.code.revoked_at is None:
        product.code.revoked_at = utcnow()
        product.code.revoked_reason = reason[:500]


def verify(session: Session, raw: str, lang: str = "vi") -> dict:
    """Return what the public may know about a code: status valid | revoked | unknown | malformed | check_digit."""
    parsed = parse(raw)
    if not parsed.ok:
        return {"code": parsed.code, "status": parsed.error, "valid": False, "message": parsed.message}
    pc = session.scalar(select(ProductCode).where(ProductCode.code == parsed.code))
    if pc is None:
        return {"code": parsed.code, "status": "unknown", "valid": False,
                "message": str(_l("The code is well formed but no product has been issued this code."))}
    product = pc.product
    info = {
        "code": pc.code, "issued_at": pc.issued_at.isoformat(), "product_id": product.id,
        "product_name": product.name, "organisation": product.organisation.name,
        "organisation_id": product.organisation_id, "category": product.category.code,
        "category_name": product.category.name(lang),
    }
    if pc.revoked_at is not None:
        return {**info, "status": "revoked", "valid": False, "revoked_at": pc.revoked_at.isoformat(),
                "message": str(_l("This code was issued but has been revoked; the product is no longer listed."))}
    return {**info, "status": "valid", "valid": True,
            "message": str(_l("Valid code: this product was reviewed and listed in the environmental catalogue."))}
