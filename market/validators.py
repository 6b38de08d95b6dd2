"""Field rules shared by pages and the API: tax codes, passwords, emails."""
from __future__ import annotations

import re

from .i18n import _l

_MST = re.compile(r"^(\d{10})(?:-(\d{3}))?$")
_MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_COMMON_PASSWORDS = {
    "password", "password1", "password123", "123456789", "1234567890", "qwertyuiop", "matkhau123",
    "abc123456", "iloveyou1", "admin12345", "12345678910", "qwerty12345",
}


def mst_check_digit(first_nine: str) -> int | None:
    """Return the tenth digit of a Vietnamese tax code (MST) for its first nine, or None if no digit fits."""
    total = sum(int(d) * w for d, w in zip(first_nine, _MST_WEIGHTS))
    check = 10 - total % 11
    return None if check == 10 else check % 10 if check == 11 else check


def tax_code_error(value: str) -> str | None:
    """Return why a tax code is malformed, or None: 10 digits with a valid check digit, or 10 + '-' + 3 for branches."""
    m = _MST.match(value or "")
    if not m:
        return str(_l("Tax code must be 10 digits, or 10 digits, a hyphen and 3 digits for a branch."))
    digits, branch = m.group(1), m.group(2)
    if mst_check_digit(digits[:9]) != int(digits[9]):
        return str(_l("Tax code check digit does not match; please check the number."))
    if branch == "000":
        return str(_l("Branch suffix must be between 001 and 999."))
    return None


def password_error(password: str, email: str = "", name: str = "") -> str | None:
    """Return why a password is too weak, or None."""
    if len(password or "") < 10:
        return str(_l("Password must be at least 10 characters long."))
    if len(password) > 200:
        return str(_l("Password must be at most 200 characters long."))
    if not re.search(r"[A-Za-zÀ-ỹ]", password) or not re.search(r"\d", password):
        return str(_l("Password must contain both letters and digits."))
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(lowered)) < 5:
        return str(_l("This password is too common or too simple."))
    local = (email or "").split("@")[0].lower()
    if len(local) >= 4 and local in lowered:
        return str(_l("Password must not contain your email address."))
    return None


def email_error(email: str) -> str | None:
    """Return why an email address is malformed, or None."""
    if not email or len(email) > 254 or not _EMAIL.match(email):
        return str(_l("Enter a valid email address."))
    return None


def normalise_email(email: str) -> str:
    """Trim and lowercase an email address so uniqueness is case-insensitive."""
    return (email or "").strip().lower()
