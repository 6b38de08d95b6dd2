"""Account pages: register, login, logout, language, CSRF, password reset through the outbox."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from market.models import EmailMessage, User
from tests.conftest import login

FORM = {
    "name": "Trần Thị Hoa", "email": "hoa@xanh.vn", "password": "Rung-xanh-2025", "language": "vi",
    "organisation_name": "Công ty Rừng Xanh", "organisation_kind": "enterprise", "tax_code": "0101248141",
    "province": "quang-ninh", "size_class": "micro", "role": "supplier_representative",
}


def test_register_page_creates_account_and_logs_in(client):
    resp = client.post("/account/register", data=FORM)
    assert resp.status_code == 302
    assert "Trần Thị Hoa" in client.get("/dashboard").get_data(as_text=True)


def test_register_page_shows_field_errors_and_keeps_nothing(client, session):
    resp = client.post("/account/register", data=FORM | {"tax_code": "999", "password": "abc"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="tax_code-error"' in html and 'id="password-error"' in html
    assert "Mã số thuế phải gồm 10 chữ số" in html  # Vietnamese by default
    assert session.scalar(select(func.count(User.id))) == 0


def test_login_failure_is_friendly(client, make):
    user = make.user()
    resp = client.post("/account/login", data={"email": user.email, "password": "wrong-pass-1"})
    assert resp.status_code == 401 and "Email hoặc mật khẩu không đúng" in resp.get_data(as_text=True)


def test_logout(client, make):
    user = make.user()
    login(client, user.email)
    assert client.get("/dashboard").status_code == 200
    client.post("/account/logout")
    assert client.get("/dashboard").status_code == 302


def test_language_switch_changes_page_language(client):
    assert "Đăng nhập" in client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html


def test_language_switch_never_redirects_off_site(client):
    resp = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert resp.headers["Location"].endswith("/")
    assert "evil" not in resp.headers["Location"]


def test_forms_require_csrf_token(app_with):
    app = app_with(WTF_CSRF_ENABLED=True)
    resp = app.test_client().post("/account/login", data={"email": "a@b.vn", "password": "x"})
    assert resp.status_code == 400


def test_password_reset_through_the_outbox(client, session, make):
    user = make.user()
    client.post("/account/forgot", data={"email": user.email})
    mail = session.scalar(select(EmailMessage).where(EmailMessage.to_address == user.email))
    link = re.search(r"http://localhost(/account/reset/\S+)", mail.body).group(1)
    assert client.post(link, data={"password": "Fresh-start-2026"}).status_code == 302
    login(client, user.email, "Fresh-start-2026")


def test_admin_sees_outbox_and_verifies_organisation(client, session, make):
    from market.models import OrgKind, Role

    admin = make.user(Role.ADMINISTRATOR)
    org = make.org(OrgKind.ENTERPRISE, verified=False)
    make.user(org=org)
    login(client, admin.email)
    assert client.post(f"/admin/organisations/{org.id}/verify").status_code == 302
    session.refresh(org)
    assert org.is_verified
    assert "đã được xác minh" in client.get("/admin/outbox").get_data(as_text=True)
