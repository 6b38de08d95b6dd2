"""Members keep their organisation's profile; others cannot; bad input changes nothing."""
from __future__ import annotations

import pytest

from market.errors import NotAuthorized, ValidationError
from market.models import AuditEntry, OutboxEvent, Role
from market.services import organisations
from tests.conftest import bearer, login


def test_a_member_updates_the_profile_and_it_is_reindexed_and_audited(session, make):
    user = make.user(Role.SUPPLIER_REPRESENTATIVE)
    org_id = user.memberships[0].organisation_id
    organisations.update_profile(session, user, org_id, {"description": "Bể lọc sinh học MBBR", "province": "Đà Nẵng"})
    org = user.memberships[0].organisation
    assert (org.description, org.province) == ("Bể lọc sinh học MBBR", "da-nang")
    assert session.query(AuditEntry).filter_by(action="organisation.profile_changed").count() == 1
    assert session.query(OutboxEvent).filter_by(topic="index.refresh").count() == 1


def test_someone_from_another_organisation_cannot_edit(session, make):
    owner = make.user(Role.SUPPLIER_REPRESENTATIVE)
    other = make.user(Role.SUPPLIER_REPRESENTATIVE)
    with pytest.raises(NotAuthorized):
        organisations.update_profile(session, other, owner.memberships[0].organisation_id, {"name": "Hijacked"})


def test_bad_fields_are_reported_together_and_nothing_changes(session, make):
    user = make.user(Role.SUPPLIER_REPRESENTATIVE)
    org = user.memberships[0].organisation
    before = (org.name, org.website, org.province, org.tax_code)
    with pytest.raises(ValidationError) as err:
        organisations.update_profile(session, user, org.id, {"name": "X", "website": "ftp://x", "province": "Paris",
                                                             "tax_code": "0100109106"})
    assert set(err.value.fields) == {"name", "website", "province", "tax_code"}
    session.rollback()
    session.refresh(org)
    assert (org.name, org.website, org.province, org.tax_code) == before


def test_profile_api_and_page(client, session, make):
    user = make.user(Role.SUPPLIER_REPRESENTATIVE)
    org_id = user.memberships[0].organisation_id
    resp = client.patch(f"/api/v1/organisations/{org_id}", json={"size_class": "huge"}, headers=bearer(client, user.email))
    assert resp.status_code == 422 and "size_class" in resp.get_json()["error"]["fields"]
    resp = client.patch(f"/api/v1/organisations/{org_id}", json={"description": "Lò đốt rác"},
                        headers=bearer(client, user.email))
    assert resp.status_code == 200 and resp.get_json()["description"] == "Lò đốt rác"
    login(client, user.email)
    page = client.post(f"/organisations/{org_id}/profile", data={"name": "Công ty Môi trường Xanh", "province": "hue",
                                                                 "size_class": "small", "description": "", "website": ""})
    assert page.status_code == 302
    assert client.get(f"/organisations/{org_id}/profile").status_code == 200
    other = make.user(Role.SUPPLIER_REPRESENTATIVE)
    client.post("/account/logout")
    login(client, other.email)
    assert client.get(f"/organisations/{org_id}/profile").status_code == 403
