"""The audit log is hash-chained and tampering is detected."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from market.models import AuditEntry
from market.models.audit import AppendOnlyError
from market.services import audit


def _three(session):
    for i in range(3):
        audit.record(session, f"test.{i}", subject_type="thing", subject_id=i, detail={"i": i})
    session.commit()


def test_chain_verifies(session):
    _three(session)
    report = audit.verify_chain(session)
    assert report.ok and report.checked == 3


def test_tampering_with_stored_entry_is_detected(session):
    _three(session)
    # Tamper below the ORM, as someone with database access would.
    session.execute(text("UPDATE audit_entries SET detail = '{\"i\": 99}' WHERE action = 'test.1'"))
    session.commit()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == session.query(AuditEntry.id).filter_by(action="test.1").scalar()


def test_deleting_an_entry_breaks_the_chain(session):
    _three(session)
    session.execute(text("DELETE FROM audit_entries WHERE action = 'test.1'"))
    session.commit()
    assert not audit.verify_chain(session).ok


def test_orm_refuses_updates(session):
    _three(session)
    entry = session.query(AuditEntry).first()
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()


def test_cli_verify_exits_nonzero_on_tampering(runner, session):
    _three(session)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    session.execute(text("UPDATE audit_entries SET action = 'forged' WHERE action = 'test.2'"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN" in result.output
