"""Statistics dashboard, CSV downloads, alert pages, the header badge and one-click unsubscribe."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from market.models import OrgKind
from market.models.alerts import Subscription
from market.services import alerts, notifications
from tests.conftest import login


def test_the_stats_page_is_public_and_says_no_data_yet_when_empty(client):
    resp = client.get("/stats")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Thống kê ngành công nghiệp môi trường" in html
    assert 'data-testid="no-data-enterprises_by_province"' in html
    assert "Chưa có dữ liệu" in html


def test_the_stats_page_draws_charts_with_a_data_table_and_csv_links(client, make):
    make.org(OrgKind.ENTERPRISE, province="da-nang")
    make.org(OrgKind.ENTERPRISE, province="da-nang")
    html = client.get("/stats").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-enterprises_by_province"' in html
    assert "<script" not in html
    assert re.search(r"<th scope=\"row\">Thành phố Đà Nẵng</th>\s*<td>2</td>", html)
    assert 'href="/stats/enterprises_by_province.csv"' in html
    resp = client.get("/stats/enterprises_by_province.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["province"] == "da-nang" and rows[0]["enterprises"] == "2"
    assert client.get("/stats/no_such_indicator.csv").status_code == 404


def test_the_stats_api_returns_every_indicator_with_status_and_csv(client, make):
    make.org(OrgKind.ENTERPRISE, province="hue")
    body = client.get("/api/v1/stats", headers={"Accept-Language": "en"}).get_json()
    by = {i["name"]: i for i in body["indicators"]}
    assert by["enterprises_by_province"]["status"] == "ok"
    assert by["enterprises_by_province"]["labels"] == ["Hue City"]
    assert by["products_by_category"]["status"] == "no_data" and by["products_by_category"]["rows"] == []
    one = client.get("/api/v1/stats/enterprises_by_province").get_json()
    assert one["rows"][0]["enterprises"] == 1
    csv_resp = client.get(by["enterprises_by_province"]["csv"])
    assert csv_resp.status_code == 200 and csv_resp.mimetype == "text/csv"
    assert client.get("/api/v1/stats/nope").status_code == 404
    assert client.get("/api/v1/stats/nope.csv").status_code == 404


def test_alert_pages_need_a_login(client):
    for path in ("/alerts", "/alerts/notifications", "/alerts/1/edit"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]


def test_saving_a_search_from_the_form_and_field_errors(client, make, session):
    user = make.user()
    login(client, user.email)
    resp = client.post("/alerts", data={"kind": "tenders", "words": "", "cpv_prefixes": "12",
                                        "provinces": ["ha-noi"], "frequency": "daily"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="cpv_prefixes-error"' in html and "Không phải phần đầu của mã CPV nào" in html
    resp = client.post("/alerts", data={"kind": "tenders", "frequency": "daily"})
    assert resp.status_code == 422 and "Hãy nhập ít nhất một bộ lọc" in resp.get_data(as_text=True)
    assert session.scalars(select(Subscription)).all() == []
    resp = client.post("/alerts", data={"kind": "tenders", "words": "nước thải", "categories": ["wastewater"],
                                        "provinces": ["can-tho"], "frequency": "immediate"})
    assert resp.status_code == 302
    sub = session.scalars(select(Subscription)).one()
    assert sub.user_id == user.id and sub.categories == ["wastewater"] and sub.provinces == ["can-tho"]
    assert "nước thải" in client.get("/alerts").get_data(as_text=True)


def test_another_users_search_cannot_be_edited_or_deleted_from_the_pages(client, make, session):
    owner, other = make.user(), make.user()
    sub = alerts.create_subscription(session, owner, {"kind": "tenders", "words": "bùn"})
    login(client, other.email)
    assert client.get(f"/alerts/{sub.id}/edit").status_code == 404
    assert client.post(f"/alerts/{sub.id}/delete").status_code == 404
    assert client.post(f"/alerts/{sub.id}/toggle").status_code == 404
    session.expire_all()
    assert session.get(Subscription, sub.id) is not None and session.get(Subscription, sub.id).active


def test_the_header_badge_counts_unread_notifications(client, make, session):
    user = make.user()
    notifications.notify(session, user.id, "Gói thầu mới")
    notifications.notify(session, user.id, "Bản tin")
    session.commit()
    login(client, user.email)
    html = client.get("/stats").get_data(as_text=True)
    assert re.search(r'data-testid="unread-count">2<', html)
    client.post("/alerts/notifications/read")
    assert re.search(r'data-testid="unread-count">0<', client.get("/stats").get_data(as_text=True))


def test_one_click_unsubscribe_works_without_login_and_only_for_its_subscription(app, client, make, session):
    user = make.user()
    a = alerts.create_subscription(session, user, {"kind": "tenders", "words": "a"})
    b = alerts.create_subscription(session, user, {"kind": "tenders", "words": "b"})
    token_a = alerts.unsubscribe_token(app.config["SECRET_KEY"], a)
    resp = client.get(f"/alerts/{b.id}/unsubscribe?token={token_a}")
    assert resp.status_code == 404 and "không hợp lệ" in resp.get_data(as_text=True)
    assert client.get(f"/alerts/{a.id}/unsubscribe?token=forged").status_code == 404
    session.expire_all()
    assert session.get(Subscription, a.id).active and session.get(Subscription, b.id).active
    resp = client.get(f"/alerts/{a.id}/unsubscribe?token={token_a}")
    assert resp.status_code == 200 and 'data-testid="unsubscribed"' in resp.get_data(as_text=True)
    session.expire_all()
    assert not session.get(Subscription, a.id).active and session.get(Subscription, b.id).active
    resp = client.post(f"/alerts/{a.id}/resubscribe", data={"token": token_a})
    assert resp.status_code == 200
    session.expire_all()
    assert session.get(Subscription, a.id).active


def test_editing_pausing_and_deleting_your_own_search(client, make, session):
    user = make.user()
    sub = alerts.create_subscription(session, user, {"kind": "tenders", "words": "bùn", "provinces": ["hue"],
                                                     "cpv_prefixes": ["9048"]})
    login(client, user.email)
    html = client.get(f"/alerts/{sub.id}/edit").get_data(as_text=True)
    assert 'value="bùn"' in html and 'value="9048"' in html and re.search(r'<option selected value="hue">', html)
    resp = client.post(f"/alerts/{sub.id}/edit", data={"kind": "products", "words": "", "cpv_prefixes": "",
                                                       "frequency": "daily"})
    assert resp.status_code == 422 and "Hãy nhập ít nhất một bộ lọc" in resp.get_data(as_text=True)
    resp = client.post(f"/alerts/{sub.id}/edit", data={"kind": "products", "words": "máy ép bùn",
                                                       "frequency": "immediate"})
    assert resp.status_code == 302
    session.expire_all()
    sub = session.get(Subscription, sub.id)
    assert (sub.kind.value, sub.words, sub.provinces, sub.frequency.value) == ("products", "máy ép bùn", [], "immediate")
    sub_id = sub.id
    client.post(f"/alerts/{sub_id}/toggle")
    session.expire_all()
    assert session.get(Subscription, sub_id).active is False
    client.post(f"/alerts/{sub_id}/delete")
    session.expire_all()
    assert session.get(Subscription, sub_id) is None


def test_alert_links_open_the_listing_while_it_is_public(client, make, session):
    from market.services import products  # noqa: F401  (the product displayer)
    from tests import factories_alerts as fa

    org = make.org(OrgKind.ENTERPRISE)
    shown = fa.product(session, org, "wastewater", name="Bể lọc sinh học")
    hidden = fa.product(session, org, "wastewater", approved=False)
    resp = client.get(f"/alerts/item/product:{shown.id}")
    assert resp.status_code == 302 and str(shown.id) in resp.headers["Location"]
    assert client.get(f"/alerts/item/product:{hidden.id}").status_code == 404
    assert client.get("/alerts/item/nonsense").status_code == 404
    assert client.get("/alerts/item/unknown:1").status_code == 404


def test_other_pages_can_link_to_a_prefilled_search_form(client, make):
    login(client, make.user().email)
    html = client.get("/alerts?kind=products&words=bùn+thải&cpv=4299&province=hue&category=wastewater").get_data(
        as_text=True)
    assert re.search(r'<option selected value="products">', html)
    assert 'value="bùn thải"' in html and 'value="4299"' in html
    assert re.search(r'<option selected value="hue">', html) and re.search(r'<option selected value="wastewater">', html)
