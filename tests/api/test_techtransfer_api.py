"""The techtransfer API: the licence-deal journey, field errors, permissions and anonymity."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from market.jobs.worker import drain
from market.models import Role
from market.models.techtransfer import Listing
from market.services import matching as matching_service
from tests.conftest import bearer, login
from tests.factories_techtransfer import PDF, need_data, patent_data, publish
from tests.fakes import FakeEncoder


@pytest.fixture
def app_config(app_config):
    # Deterministic vectors for the tests that index listings; the others never encode.
    return app_config | {"ENCODER": FakeEncoder(dim=32)}


@pytest.fixture(autouse=True)
def fresh_runtime(monkeypatch):
    monkeypatch.setattr(matching_service, "_RUNTIMES", {})


def _setup(make):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    enterprise = make.user(Role.SUPPLIER_REPRESENTATIVE)
    boss = make.user(Role.ADMINISTRATOR)
    return holder, enterprise, boss


def test_licence_deal_journey_through_the_api(client, make):
    holder, enterprise, boss = _setup(make)
    h, e, a = bearer(client, holder.email), bearer(client, enterprise.email), bearer(client, boss.email)

    r = client.post("/api/v1/patents", json=patent_data(submit=True), headers=h)
    assert r.status_code == 201, r.get_json()
    patent_id = r.get_json()["id"]
    assert r.get_json()["status"] == "pending_review"
    r = client.post("/api/v1/technology-needs", json=need_data(submit=True), headers=e)
    assert r.status_code == 201, r.get_json()
    need_id = r.get_json()["id"]

    queue = client.get("/api/v1/review/listings", headers=a).get_json()["items"]
    assert {x["id"] for x in queue} == {patent_id, need_id}
    assert client.get("/api/v1/review/listings", headers=h).status_code == 403
    assert client.post(f"/api/v1/review/listings/{patent_id}/approve", headers=h).status_code == 403
    for listing_id in (patent_id, need_id):
        assert client.post(f"/api/v1/review/listings/{listing_id}/approve", headers=a).status_code == 200

    # They find each other through search.
    found = client.get("/api/v1/patents?q=UASB&sub_sector=wastewater&ipc=C02F&trl_min=6").get_json()["items"]
    assert [x["id"] for x in found] == [patent_id]
    needs = client.get("/api/v1/technology-needs?q=bùn&province=bac-ninh").get_json()["items"]
    assert [x["id"] for x in needs] == [need_id]
    assert client.get(f"/api/v1/patents/{patent_id}").get_json()["ipc_codes"] == ["C02F 3/28"]

    r = client.post(f"/api/v1/listings/patents/{patent_id}/interest",
                    json={"message": "Chúng tôi cần giảm bùn cho trạm 2.000 m3/ngày."}, headers=e)
    assert r.status_code == 201, r.get_json()
    thread_id = r.get_json()["id"]
    assert client.post(f"/api/v1/threads/{thread_id}/state", json={"action": "accept"}, headers=e).status_code == 403
    assert client.post(f"/api/v1/threads/{thread_id}/state", json={"action": "accept"}, headers=h).status_code == 200
    r = client.post(f"/api/v1/threads/{thread_id}/messages", json={"body": "Đề xuất phí 1,2 tỷ đồng."}, headers=h)
    assert r.status_code == 201
    msgs = client.get(f"/api/v1/threads/{thread_id}/messages", headers=e).get_json()["items"]
    assert [m["from_owner"] for m in msgs] == [False, True]
    r = client.post(f"/api/v1/threads/{thread_id}/deal",
                    json={"deal_type": "exclusive_licence", "value_vnd": 1_200_000_000, "deal_date": "2026-12-01"},
                    headers=e)
    assert r.status_code == 201, r.get_json()
    t = client.get(f"/api/v1/threads/{thread_id}", headers=h).get_json()
    assert t["state"] == "deal" and t["deal"]["value_vnd"] == 1_200_000_000


def test_field_errors_store_nothing(client, make, session):
    holder, _, _ = _setup(make)
    h = bearer(client, holder.email)
    cases = [({"patent_number": "ABC"}, "patent_number"), ({"ipc_codes": ["Q12Z 9/99"]}, "ipc_codes"),
             ({"trl": 11}, "trl"), ({"asking_price": -100}, "asking_price"),
             ({"filing_date": "2030-01-01", "expiry_date": "2029-01-01"}, "expiry_date"),
             ({"offer_type": "gift"}, "offer_type"), ({"trl": "seven"}, "trl")]
    for change, field in cases:
        r = client.post("/api/v1/patents", json=patent_data(**change), headers=h)
        assert r.status_code == 422, (change, r.get_json())
        assert field in r.get_json()["error"]["fields"], (change, r.get_json())
    assert session.scalar(select(func.count()).select_from(Listing)) == 0


def test_documents_upload_checked(client, make, session):
    holder, _, _ = _setup(make)
    h = bearer(client, holder.email)
    listing_id = client.post("/api/v1/patents", json=patent_data(), headers=h).get_json()["id"]
    r = client.post(f"/api/v1/listings/{listing_id}/documents", headers=h,
                    data={"file": (io.BytesIO(b"<html>not a pdf</html>"), "x.pdf")})
    assert r.status_code == 422 and "document" in r.get_json()["error"]["fields"]
    r = client.post(f"/api/v1/listings/{listing_id}/documents", headers=h,
                    data={"file": (io.BytesIO(PDF), "patent.pdf")})
    assert r.status_code == 201
    other = bearer(client, make.user(Role.TECHNOLOGY_HOLDER).email)
    r = client.post(f"/api/v1/listings/{listing_id}/documents", headers=other,
                    data={"file": (io.BytesIO(PDF), "patent.pdf")})
    assert r.status_code == 404  # a draft of someone else does not exist for them


def test_only_owner_edits_and_only_parties_read(client, make):
    holder, enterprise, boss = _setup(make)
    h, e, a = bearer(client, holder.email), bearer(client, enterprise.email), bearer(client, boss.email)
    pid = client.post("/api/v1/patents", json=patent_data(submit=True), headers=h).get_json()["id"]
    client.post(f"/api/v1/review/listings/{pid}/approve", headers=a)
    stranger = bearer(client, make.user(Role.TECHNOLOGY_HOLDER).email)
    r = client.patch(f"/api/v1/patents/{pid}", json={"title": "Mine now"}, headers=stranger)
    assert r.status_code == 403
    assert client.patch(f"/api/v1/patents/{pid}", json={"trl": 8}, headers=h).status_code == 200
    client.post(f"/api/v1/review/listings/{pid}/approve", headers=a)
    tid = client.post(f"/api/v1/listings/patents/{pid}/interest", json={"message": "Hi"}, headers=e).get_json()["id"]
    for outsider in (stranger, a):
        assert client.get(f"/api/v1/threads/{tid}", headers=outsider).status_code == 404
        assert client.get(f"/api/v1/threads/{tid}/messages", headers=outsider).status_code == 404
        assert client.post(f"/api/v1/threads/{tid}/messages", json={"body": "x"}, headers=outsider).status_code == 404
    assert client.get(f"/api/v1/threads/{tid}/messages").status_code == 401


def test_anonymous_owner_never_in_api_or_errors(client, make, session):
    holder, enterprise, boss = _setup(make)
    org_name = holder.organisations()[0].name
    h, e, a = bearer(client, holder.email), bearer(client, enterprise.email), bearer(client, boss.email)
    pid = client.post("/api/v1/patents", json=patent_data(anonymous=True, submit=True), headers=h).get_json()["id"]
    client.post(f"/api/v1/review/listings/{pid}/approve", headers=a)
    texts = [client.get("/api/v1/patents").get_data(as_text=True),
             client.get(f"/api/v1/patents/{pid}").get_data(as_text=True),
             client.get(f"/api/v1/patents/{pid}", headers=e).get_data(as_text=True),
             client.get(f"/api/v1/listings/{pid}/documents").get_data(as_text=True)]
    r = client.post(f"/api/v1/listings/patents/{pid}/interest", json={"message": "Hi"}, headers=e)
    tid = r.get_json()["id"]
    texts.append(r.get_data(as_text=True))
    # Error paths: a second interest, a wrong kind, an owner-only action by the other side.
    texts.append(client.post(f"/api/v1/listings/patents/{pid}/interest", json={"message": "Again"},
                             headers=e).get_data(as_text=True))
    texts.append(client.post(f"/api/v1/listings/experts/{pid}/interest", json={"message": "x"},
                             headers=e).get_data(as_text=True))
    texts.append(client.post(f"/api/v1/threads/{tid}/state", json={"action": "accept"}, headers=e)
                 .get_data(as_text=True))
    texts.append(client.patch(f"/api/v1/patents/{pid}", json={"title": "x"}, headers=e).get_data(as_text=True))
    texts.append(client.get(f"/api/v1/threads/{tid}", headers=e).get_data(as_text=True))
    for text in texts:
        assert org_name not in text and holder.name not in text
    assert client.get(f"/api/v1/patents/{pid}", headers=h).get_json()["organisation"]["name"] == org_name
    client.post(f"/api/v1/threads/{tid}/state", json={"action": "accept"}, headers=h)
    assert client.get(f"/api/v1/patents/{pid}", headers=e).get_json()["organisation"]["name"] == org_name
    assert client.get(f"/api/v1/patents/{pid}").get_json()["organisation"] is None


def test_every_kind_in_openapi_and_crud(client, make):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/patents", "/api/v1/technology-needs", "/api/v1/experts", "/api/v1/courses",
                 "/api/v1/personnel-needs", "/api/v1/threads/{thread_id}/messages", "/api/v1/threads/{thread_id}/deal",
                 "/api/v1/listings/{kind}/{listing_id}/interest"):
        assert any(p.replace("<int:", "{").replace("<", "{").replace(">", "}") == path or p == path
                   for p in doc["paths"]), path
    from tests.factories_techtransfer import DATA

    expert = bearer(client, make.user(Role.EXPERT).email)
    for plural, kind in (("experts", "expert"), ("courses", "course"), ("personnel-needs", "personnel_need")):
        r = client.post(f"/api/v1/{plural}", json=DATA[kind](), headers=expert)
        assert r.status_code == 201, r.get_json()
        assert client.get(f"/api/v1/{plural}/{r.get_json()['id']}", headers=expert).status_code == 200
        assert client.get(f"/api/v1/{plural}/{r.get_json()['id']}").status_code == 404  # draft


def _anonymous_patent_matching_its_owner(app, session, make):
    """An anonymous patent whose owner's profile and own need say the same thing, and a stranger's need."""
    patent, holder = publish(session, make, "patent", anonymous=True)
    owner_org = patent.organisation
    owner_org.description = f"{patent.title}. {patent.description}. C02F 3/28 UASB"
    session.commit()
    colleague = make.user(Role.SUPPLIER_REPRESENTATIVE, org=owner_org)
    own_need, _ = publish(session, make, "technology_need", owner=colleague,
                          title=patent.title, description=patent.description)
    stranger_need, _ = publish(session, make, "technology_need")
    while drain(app.extensions["db_sessionmaker"]):
        pass
    return patent, holder, owner_org, own_need, stranger_need


def test_anonymous_patent_matches_never_show_its_owner(app, client, session, make):
    patent, holder, owner_org, own_need, stranger_need = _anonymous_patent_matching_its_owner(app, session, make)
    r = client.get(f"/api/v1/listings/patent/{patent.id}/matches?k=50")
    assert r.status_code == 200
    refs = [m["ref"] for m in r.get_json()["items"]]
    assert f"technology_need:{stranger_need.id}" in refs
    assert f"organisation:{owner_org.id}" not in refs and f"technology_need:{own_need.id}" not in refs
    body = r.get_data(as_text=True)
    assert owner_org.name not in body and f'/enterprises/{owner_org.id}"' not in body


def test_listing_page_matches_never_show_its_owner(app, client, session, make):
    patent, holder, owner_org, own_need, stranger_need = _anonymous_patent_matching_its_owner(app, session, make)
    # Only the owner sees the suggested matches; their organisation's name appears there only as the owner.
    login(client, holder.email)
    html = client.get(f"/techtransfer/listings/{patent.id}").get_data(as_text=True)
    sections = [m for m in re.findall(r"<section.*?</section>", html, re.S) if stranger_need.title in m]
    assert len(sections) == 1  # the suggested matches
    assert owner_org.name not in sections[0] and f'/enterprises/{owner_org.id}"' not in sections[0]
    assert f"/techtransfer/listings/{own_need.id}\"" not in sections[0]
