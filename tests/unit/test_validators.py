"""Tax codes, provinces and passwords."""
from __future__ import annotations

import pytest

from market.provinces import PROVINCES, normalise_province
from market.validators import mst_check_digit, password_error, tax_code_error


@pytest.mark.parametrize("code", ["0100109106", "0300588569", "0101248141", "0100112437", "0101248141-002"])
def test_real_tax_codes_are_valid(app, code):
    with app.test_request_context():
        assert tax_code_error(code) is None


@pytest.mark.parametrize("code", ["", "010010910", "01001091060", "0100109105", "0100109106-1", "abcdefghij"])
def test_malformed_tax_codes_are_refused(app, code):
    with app.test_request_context():
        assert tax_code_error(code)


def test_check_digit_never_ten():
    assert all(mst_check_digit(f"{n:09d}") in (None, *range(10)) for n in range(0, 10_000, 7))


def test_34_provinces_and_names_in_both_languages_resolve():
    assert len(PROVINCES) == 34
    for code, vi, en in PROVINCES:
        assert normalise_province(vi) == code
        assert normalise_province(en) == code
    assert normalise_province("tp ho chi minh") == "ho-chi-minh"
    assert normalise_province("Hà Tây") is None


def test_password_must_not_contain_email(app):
    with app.test_request_context():
        assert password_error("greentech2025x", "greentech@x.vn")
        assert password_error("Rivers-and-lakes-9", "lan@x.vn") is None
