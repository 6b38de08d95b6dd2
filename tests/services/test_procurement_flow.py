"""Tender life: publication, questions, amendments, opening, evaluation with the margin of preference, award."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market.errors import Conflict, NotAuthorized, ValidationError
from market.lifecycle import IllegalTransition, advance
from market.models import EmailMessage, OutboxEvent, utcnow
from market.models.procurement import (AwardStatus, Bid, BidStatus, Question, Tender, TenderChange,
                                       TenderStatus)
from market.services import bids as bid_service
from market.services import evaluation, questions
from market.services import tenders as tender_service
from tests.factories_procurement import SHORT_SETTINGS, Procurement, offer, tender_data


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config


@pytest.fixture
def p(make, session, app):
    return Procurement(make, session, app)


def _mails(session, to):
    return list(session.scalars(select(EmailMessage).where(EmailMessage.to_address == to)))


def test_lifecycle_tables_refuse_illegal_moves():
    assert advance("tender", "draft", "publish") == "active.enquiries"
    assert advance("tender", "active.tendering", "cancel") == "cancelled"
    assert advance("bid", "invalid", "confirm") == "pending"
    with pytest.raises(IllegalTransition):
        advance("tender", "draft", "open_bids")
    with pytest.raises(IllegalTransition):
        advance("tender", "complete", "cancel")
    with pytest.raises(IllegalTransition):
        advance("bid", "withdrawn", "open")


def test_publish_sets_ocid_logs_change_and_queues_reindex(p, session):
    t = p.tender()
    assert t.status == TenderStatus.ENQUIRIES and t.ocid.startswith("ocds-")
    assert [c.kind for c in t.changes] == ["publish"]
    assert session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.topic == "index.refresh")) >= 1


def test_only_the_tick_moves_time_driven_states(p, session, client):
    t = p.tender()
    tender_service.shift_timeline(session, t.id, -3601)
    # Reading the notice (page and API) never moves the tender.
    client.get(f"/procurement/tenders/{t.id}")
    client.get(f"/api/v1/tenders/{t.id}")
    session.expire_all()
    assert t.status == TenderStatus.ENQUIRIES
    from market.jobs.procurement import run_tick
    assert run_tick(session, config=p.config) == 1
    session.expire_all()
    assert t.status == TenderStatus.TENDERING


def test_questions_are_public_with_pseudonym_and_asker_is_emailed(p, session):
    t = p.tender()
    q = questions.ask_question(session, p.suppliers[0], t.id, "Có chấp nhận màng xuất xứ trong nước không?")
    q2 = questions.ask_question(session, p.suppliers[0], t.id, "Thời gian bảo hành tối thiểu?")
    other = questions.ask_question(session, p.suppliers[1], t.id, "Có khảo sát hiện trường không?")
    assert q.pseudonym == q2.pseudonym != other.pseudonym
    assert p.suppliers[0].name not in q.pseudonym
    with pytest.raises(NotAuthorized):
        questions.answer_question(session, p.suppliers[1], q.id, "Có")
    questions.answer_question(session, p.officer, q.id, "Có, ưu tiên hàng sản xuất trong nước.")
    public = questions.public_questions(session.get(Tender, t.id))
    assert public[0]["asker"] == q.pseudonym and "asker_id" not in public[0]
    assert any("answered" in m.subject or "trả lời" in m.subject for m in _mails(session, p.suppliers[0].email))
    # After the enquiry period nobody can ask.
    p.shift(t, -3601)
    with pytest.raises(Conflict):
        questions.ask_question(session, p.suppliers[2], t.id, "Late question")
    assert session.scalar(select(func.count()).select_from(Question)) == 3


def test_material_change_invalidates_bids_notifies_and_extends_deadline(p, session):
    t = p.tendering()
    b1 = p.bid(t, 0)
    b2 = p.bid(t, 1)
    bid_service.withdraw_bid(session, p.suppliers[1], b2.id)
    # Only ~10 minutes remain before the deadline, less than the 30-minute minimum in SHORT_SETTINGS.
    tender_service.shift_timeline(session, t.id, -3000)   # ~10 minutes remain
    session.expire_all()
    old_end = t.tender_end
    tender_service.update_tender(session, p.officer, t.id,
                                 {"description": "Bổ sung yêu cầu: công suất 2.500 m³/ngày đêm."}, config=p.config)
    session.expire_all()
    assert b1.status == BidStatus.INVALID
    assert b2.status == BidStatus.WITHDRAWN
    assert t.tender_end >= utcnow() + timedelta(seconds=SHORT_SETTINGS["TENDER_MIN_EXTENSION_SECONDS"] - 5)
    assert t.tender_end > old_end and t.opening_at >= t.tender_end
    assert any(c.kind == "amend" and c.material for c in t.changes)
    assert any("Tender changed" in m.subject or "thay đổi" in m.subject for m in _mails(session, p.suppliers[0].email))
    # An invalid bid is not opened unless re-confirmed.
    bid_service.confirm_bid(session, p.suppliers[0], b1.id, config=p.config)
    session.expire_all()
    assert b1.status == BidStatus.PENDING and b1.version == 2
    assert [r.action for r in b1.receipts] == ["submitted", "confirmed"]


def test_non_material_change_keeps_bids(p, session):
    t = p.tendering()
    b1 = p.bid(t, 0)
    tender_service.update_tender(session, p.officer, t.id, {"title": "Thiết bị xử lý nước thải (sửa tên)"},
                                 config=p.config)
    session.expire_all()
    assert b1.status == BidStatus.PENDING


def test_invalid_bid_not_confirmed_is_not_opened(p, session):
    t = p.tendering()
    b1 = p.bid(t, 0)
    b2 = p.bid(t, 1)
    tender_service.update_tender(session, p.officer, t.id, {"sme_set_aside": False, "domestic_margin_pct": 5},
                                 config=p.config)
    bid_service.confirm_bid(session, p.suppliers[1], b2.id, config=p.config)
    p.shift(t, -(SHORT_SETTINGS["TENDER_MIN_EXTENSION_SECONDS"] + 3700))
    session.expire_all()
    assert b1.status == BidStatus.INVALID and b1.revealed is None
    assert b2.status == BidStatus.OPENED


def test_opening_evaluation_margin_award_standstill_contract(p, session):
    t = p.tendering()
    domestic = p.bid(t, 0, price=1_040_000_000, domestic=60)       # 1.04 bn, earns 7.5 % margin -> 962 m
    p.bid(t, 1, price=1_000_000_000, domestic=60)                  # 1.00 bn, margin -> 925 m
    foreign = p.bid(t, 2, price=950_000_000, domestic=10)          # 0.95 bn, no margin
    p.open(t)
    session.expire_all()
    assert t.status == TenderStatus.QUALIFICATION and t.opened_at is not None
    opening = [c for c in t.changes if c.kind == "opening"][0]
    assert {row["total_price"] for row in opening.fields["bids"]} == {1_040_000_000, 1_000_000_000, 950_000_000}
    assert any("opened" in m.subject.lower() or "mở" in m.subject for m in _mails(session, p.officer.email))
    values = {v.bid.bidder_id: v for b in t.bids for v in b.lot_values}
    fv = values[foreign.bidder_id]
    assert fv.margin_applied is False and fv.evaluated_price == 950_000_000
    winner = [v for v in values.values() if v.rank == 1][0]
    assert winner.margin_applied and winner.evaluated_price == 925_000_000
    # Disqualification needs a reason.
    with pytest.raises(ValidationError):
        evaluation.qualify_bid(session, p.officer, t.id, domestic.id, False, "")
    evaluation.qualify_bid(session, p.officer, t.id, domestic.id, False, "Thiếu chứng chỉ ISO 14001.")
    best = winner.bid
    with pytest.raises(ValidationError):   # opened but not yet qualified
        evaluation.award(session, p.officer, t.id, best.id, "Giá đánh giá thấp nhất", config=p.config)
    evaluation.qualify_bid(session, p.officer, t.id, best.id, True)
    with pytest.raises(ValidationError):
        evaluation.award(session, p.officer, t.id, best.id, "", config=p.config)
    with pytest.raises(NotAuthorized):
        evaluation.award(session, p.other_officer, t.id, best.id, "x", config=p.config)
    award = evaluation.award(session, p.officer, t.id, best.id,
                             "Giá đánh giá thấp nhất sau ưu đãi hàng trong nước.", config=p.config)
    session.expire_all()
    assert t.status == TenderStatus.AWARDED and award.status == AwardStatus.PENDING
    assert best.status == BidStatus.AWARDED
    assert session.get(Bid, foreign.id).status == BidStatus.NOT_AWARDED
    assert any("Award" in m.subject or "trúng" in m.subject.lower() for m in _mails(session, p.suppliers[2].email))
    with pytest.raises(Conflict):       # standstill
        evaluation.sign_contract(session, p.officer, award.id, {})
    p.shift(t, -SHORT_SETTINGS["TENDER_STANDSTILL_SECONDS"] - 1)
    session.expire_all()
    assert award.status == AwardStatus.ACTIVE
    contract = evaluation.sign_contract(session, p.officer, award.id, {"period_start": utcnow().isoformat()})
    session.expire_all()
    assert contract.value == 1_000_000_000 and t.status == TenderStatus.COMPLETE
    kinds = [c.kind for c in t.changes]
    assert kinds[0] == "publish" and "opening" in kinds and "award" in kinds and kinds[-1] == "status"
    assert [c.number for c in t.changes] == list(range(1, len(kinds) + 1))


def test_price_quality_scoring_uses_published_weights(p, session):
    t = p.tendering(award_criteria="price_quality", price_weight=60, quality_weight=40, domestic_margin_pct=0,
                    domestic_threshold_pct=0)
    cheap = p.bid(t, 0, price=900_000_000)
    good = p.bid(t, 1, price=1_000_000_000)
    p.open(t)
    evaluation.set_quality_scores(session, p.officer, t.id, cheap.id, {t.lots[0].id: 50})
    evaluation.set_quality_scores(session, p.officer, t.id, good.id, {t.lots[0].id: 100})
    session.expire_all()
    sc, sg = cheap.lot_values[0], good.lot_values[0]
    assert sc.score == pytest.approx(60 * 1.0 + 40 * 0.5)            # 80
    assert sg.score == pytest.approx(60 * 0.9 + 40 * 1.0)            # 94
    assert sg.rank == 1 and sc.rank == 2


def test_no_bids_makes_the_tender_unsuccessful(p, session):
    t = p.tendering()
    p.open(t)
    session.expire_all()
    assert t.status == TenderStatus.UNSUCCESSFUL


def test_idempotency_key_never_creates_a_second_tender_or_bid(p, session):
    a = tender_service.create_tender(session, p.officer, tender_data(), config=p.config, idempotency_key="k-1")
    b = tender_service.create_tender(session, p.officer, tender_data(), config=p.config, idempotency_key="k-1")
    assert a.id == b.id and session.scalar(select(func.count()).select_from(Tender)) == 1
    tender_service.publish_tender(session, p.officer, a.id, config=p.config)
    p.shift(a, -3601)
    x = bid_service.submit_bid(session, p.suppliers[0], a.id, offer(a), config=p.config, idempotency_key="b-1")
    y = bid_service.submit_bid(session, p.suppliers[0], a.id, offer(a), config=p.config, idempotency_key="b-1")
    assert x.id == y.id and session.scalar(select(func.count()).select_from(Bid)) == 1


@pytest.mark.parametrize("over, field", [
    ({"cpv_codes": ["99999999"]}, "cpv_codes"),
    ({"cpv_codes": ["12345"]}, "cpv_codes"),
    ({"province": "atlantis"}, "province"),
    ({"lots": []}, "lots"),
    ({"lots": [{"title": "x", "quantity": -1, "estimated_value": 5}]}, "lots.0.quantity"),
    ({"award_criteria": "price_quality", "price_weight": 70, "quality_weight": 20}, "quality_weight"),
])
def test_bad_tender_input_is_a_field_error_and_nothing_stored(p, session, over, field):
    with pytest.raises(ValidationError) as exc:
        tender_service.create_tender(session, p.officer, tender_data(**over), config=p.config)
    assert field in exc.value.fields
    assert session.scalar(select(func.count()).select_from(Tender)) == 0


def test_deadline_before_enquiry_end_is_refused(p, session):
    now = utcnow()
    data = tender_data(enquiry_end=(now + timedelta(hours=3)).isoformat(),
                       tender_end=(now + timedelta(hours=2)).isoformat())
    with pytest.raises(ValidationError) as exc:
        tender_service.create_tender(session, p.officer, data, config=p.config)
    assert "tender_end" in exc.value.fields
    assert session.scalar(select(func.count()).select_from(Tender)) == 0


@pytest.mark.parametrize("make_offer, field", [
    (lambda t: offer(t, price=-5), "lots.0.price"),
    (lambda t: {**offer(t), "lots": [{"lot_id": t.lots[0].id, "price": "nhiều tiền"}]}, "lots.0.price"),
    (lambda t: {**offer(t), "lots": [{"lot_id": 987654, "price": 1000}]}, "lots.0.lot_id"),
    (lambda t: offer(t, domestic=140), "domestic_content_pct"),
])
def test_bad_bid_input_is_a_field_error_and_nothing_stored(p, session, make_offer, field):
    t = p.tendering()
    with pytest.raises(ValidationError) as exc:
        bid_service.submit_bid(session, p.suppliers[0], t.id, make_offer(t), config=p.config)
    assert field in exc.value.fields
    assert session.scalar(select(func.count()).select_from(Bid)) == 0


def test_duplicate_bid_and_fake_file_are_refused(p, session):
    t = p.tendering()
    p.bid(t, 0)
    with pytest.raises(ValidationError) as exc:
        p.bid(t, 0)
    assert "tender" in exc.value.fields
    with pytest.raises(ValidationError) as exc:
        bid_service.submit_bid(session, p.suppliers[1], t.id, offer(t), config=p.config,
                               documents=[("ho-so.pdf", b"PK\x03\x04 this is not a pdf")])
    assert "documents" in exc.value.fields
    assert session.scalar(select(func.count()).select_from(Bid)) == 1


def test_sme_set_aside_refuses_large_enterprises(p, session):
    t = p.tendering(sme_set_aside=True)
    with pytest.raises(ValidationError) as exc:
        p.bid(t, 2)
    assert "bidder_id" in exc.value.fields
    p.bid(t, 0)


def test_cancel_tender_notifies_bidders(p, session):
    t = p.tendering()
    p.bid(t, 0)
    with pytest.raises(ValidationError):
        tender_service.cancel_tender(session, p.officer, t.id, "")
    tender_service.cancel_tender(session, p.officer, t.id, "Thay đổi nguồn vốn")
    session.expire_all()
    assert t.status == TenderStatus.CANCELLED
    assert session.scalar(select(func.count()).select_from(TenderChange).where(TenderChange.kind == "cancel")) == 1
