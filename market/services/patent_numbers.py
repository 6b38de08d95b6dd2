"""Patent and application numbers: the format each office uses, and whether a number is a grant or an application."""
from __future__ import annotations

import re

# office -> [(pattern, kind)]; kind is "granted" (a patent or utility solution) or "application".
_RULES: dict[str, list[tuple[re.Pattern, str]]] = {
    # Vietnam (IP Viet Nam): granted 1-0012345 (1 = invention, 2 = utility solution); application 1-2019-01234.
    "VN": [(re.compile(r"^[12]-\d{7}$"), "granted"),
           (re.compile(r"^[12]-(19|20)\d{2}-\d{5}$"), "application")],
    # WIPO: publication WO2019/123456, international application PCT/VN2019/000001.
    "WO": [(re.compile(r"^WO ?(19|20)\d{2}/\d{6}( ?A\d)?$"), "application"),
           (re.compile(r"^PCT/[A-Z]{2}(19|20)\d{2}/\d{6}$"), "application")],
    # EPO: granted EP1234567 (B1), application EP19123456.7 or publication EP1234567A1.
    "EP": [(re.compile(r"^EP ?\d{7}( ?B\d)?$"), "granted"),
           (re.compile(r"^EP ?\d{7} ?A\d$"), "application"),
           (re.compile(r"^EP ?\d{8}\.\d$"), "application")],
    # USPTO: granted US10123456B2, application publication US2019/0123456A1, application 16/123,456.
    "US": [(re.compile(r"^US ?(\d{7,8}|RE\d{5,6}) ?(B\d|E)?$"), "granted"),
           (re.compile(r"^US ?(19|20)\d{2}/?\d{7} ?A\d$"), "application"),
           (re.compile(r"^\d{2}/\d{3},?\d{3}$"), "application")],
    # JPO: granted JP6543210B2, application JP2019-123456(A).
    "JP": [(re.compile(r"^JP ?\d{7} ?B\d?$"), "granted"),
           (re.compile(r"^JP ?(19|20)\d{2}-\d{6} ?A?$"), "application")],
    # CNIPA: granted CN109876543B / utility CN209876543U, application CN201910123456.7.
    "CN": [(re.compile(r"^CN ?\d{9} ?[BCU]$"), "granted"),
           (re.compile(r"^CN ?\d{9} ?A$"), "application"),
           (re.compile(r"^(CN ?)?(19|20)\d{2}[1-3]\d{7}\.[\dX]$"), "application")],
    # KIPO: granted KR102012345B1, application 10-2019-0012345.
    "KR": [(re.compile(r"^KR ?\d{8,9} ?B\d$"), "granted"),
           (re.compile(r"^(KR ?)?[12]0-(19|20)\d{2}-\d{7}$"), "application")],
}
# Offices accepted with a generic rule (country prefix, digits, optional kind code).
_GENERIC = ("DE", "GB", "FR", "AU", "CA", "SG", "TH", "MY", "ID", "PH", "IN", "RU", "TW")
OFFICES: tuple[str, ...] = tuple(_RULES) + _GENERIC

EXAMPLES = {
    "VN": "1-0012345 / 1-2019-01234", "WO": "WO2019/123456 / PCT/VN2019/000001", "EP": "EP1234567",
    "US": "US10123456B2", "JP": "JP6543210B2", "CN": "CN109876543B", "KR": "KR102012345B1",
}


def normalise_number(number: str) -> str:
    """Upper-case and collapse spaces, so equal numbers compare equal."""
    return " ".join((number or "").strip().upper().split())


def classify(office: str, number: str) -> str | None:
    """Return "granted" or "application" when the number fits the office's format, else None."""
    office = (office or "").upper()
    number = normalise_number(number)
    if office in _RULES:
        for pattern, kind in _RULES[office]:
            if pattern.match(number):
                return kind
        return None
    if office in _GENERIC:
        m = re.match(rf"^{office} ?\d{{5,12}}( ?[A-Z]\d?)?$", number)
        if m:
            return "granted" if (m.group(1) or "").strip().startswith(("B", "C")) else "application"
    return None


def example(office: str) -> str:
    """Return a sample of a well-formed number for the office, for error messages."""
    return EXAMPLES.get((office or "").upper(), f"{(office or 'XX').upper()}1234567")
