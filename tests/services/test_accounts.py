"""Registration rules, one test each: a bad input gives a field error and writes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market.errors import ValidationError
from market.models import AuditEntry, Membership, Organisation, User
from market.services import accounts

GOOD = {
    "email": "lan@greentech.vn", "password": "Nuoc-thai-2025", "name": "Nguyễn Thị Lan", "language": "vi",
    "organisation_name": "Công ty Xanh", "organisation_kind": "enterprise", "tax_code": "0100109106",
    "province": "ha-noi", "size_class": "small", "role": "supplier_representative",
}


def _counts(session):
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (User, Organisation, Membership))


def test_register_creates_user_org_membership_and_audit(app, session):
    with app.test_request_context():
        user = accounts.register(session, dict(GOOD))
    assert user.email == "lan@greentech.vn"
    org = user.organisations()[0]
    assert org.tax_code == "0100109106" and org.is_sme and org.province == "ha-noi"
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.registered"))


@pytest.mark.parametrize("field,value", [
    ("email", "not-an-email"),
    ("password", "short1"),
    ("password", "onlyletterslong"),
    ("password", "password123"),
    ("tax_code", "12345"),
    ("tax_code", "0100109107"),  # wrong check digit
    ("tax_code", "0100109106-000"),
    ("province", "Atlantis"),
    ("organisation_kind", "pirate"),
    ("size_class", "huge"),
    ("role", "administrator"),
    ("name", ""),
    ("organisation_name", ""),
])
def test_bad_input_gives_field_error_and_stores_nothing(app, session, field, value):
    before = _counts(session)
    with app.test_request_context(), pytest.raises(ValidationError) as info:
        accounts.register(session, GOOD | {field: value})
    assert field in info.value.fields and info.value.fields[field]
    session.rollback()
    assert _counts(session) == before


def test_role_must_fit_organisation_kind(app, session):
    with app.test_request_context(), pytest.raises(ValidationError) as info:
        accounts.register(session, GOOD | {"organisation_kind": "public_buyer", "role": "supplier_representative"})
    assert "role" in info.value.fields


def test_duplicate_email_is_refused_case_insensitively(app, session):
    with app.test_request_context():
        accounts.register(session, dict(GOOD))
        before = _counts(session)
        with pytest.raises(ValidationError) as info:
            accounts.register(session, GOOD | {"email": "LAN@GreenTech.vn", "tax_code": "0300588569"})
    assert "email" in info.value.fields
    assert _counts(session) == before


def test_duplicate_tax_code_is_refused(app, session):
    with app.test_request_context():
        accounts.register(session, dict(GOOD))
        with pytest.raises(ValidationError) as info:
            accounts.register(session, GOOD | {"email": "other@x.vn"})
    assert "tax_code" in info.value.fields


def test_branch_tax_code_and_province_by_name_are_accepted(app, session):
    with app.test_request_context():
        user = accounts.register(session, GOOD | {"tax_code": "0100109106-001", "province": "Thành phố Hồ Chí Minh"})
    assert user.organisations()[0].province == "ho-chi-minh"


def test_password_change_requires_current_password(app, session, make):
    user = make.user()
    with app.test_request_context():
        with pytest.raises(ValidationError) as info:
            accounts.change_password(session, user, "wrong-password-1", "Another-pass-99")
        assert "current_password" in info.value.fields
        accounts.change_password(session, user, "Correct-horse-42", "Another-pass-99")
        assert accounts.authenticate(session, user.email, "Another-pass-99") is not None


def test_password_reset_token_is_single_use(app, session, make):
    user = make.user()
    links = []
    with app.test_request_context():
        accounts.request_password_reset(session, user.email, "s3cret", links.append)
        assert len(links) == 1
        token = links[0]
        accounts.reset_password(session, token, "Brand-new-pass-7", "s3cret", 3600)
        with pytest.raises(ValidationError):
            accounts.reset_password(session, token, "Brand-new-pass-8", "s3cret", 3600)
        assert accounts.authenticate(session, user.email, "Brand-new-pass-7") is not None


def test_password_reset_for_unknown_email_sends_nothing(app, session):
    links = []
    with app.test_request_context():
        accounts.request_password_reset(session, "nobody@x.vn", "s3cret", links.append)
    assert links == []


def test_revoked_token_no_longer_authenticates(app, session, make):
    user = make.user()
    with app.test_request_context():
        token, raw = accounts.issue_token(session, user)
        assert accounts.user_for_token(session, raw).id == user.id
        accounts.revoke_token(session, user, token.id)
        assert accounts.user_for_token(session, raw) is None


def test_tokens_are_stored_hashed(app, session, make):
    from market.models import ApiToken

    user = make.user()
    with app.test_request_context():
        _token, raw = accounts.issue_token(session, user)
    stored = session.scalar(select(ApiToken.token_hash))
    assert raw not in stored and len(stored) == 64
