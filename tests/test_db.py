"""Sessions: a writing request never fails because another connection committed while it was working."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from market import db
from market.models import OutboxEvent


def test_a_writing_request_survives_a_concurrent_commit_inside_a_savepoint(app):
    # The CSV import reads and writes each row inside a savepoint while the worker commits index work; on SQLite
    # a deferred transaction would fail every row after the worker's first commit.
    other_done = threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            with app.app_context(), db.new_session() as s:
                s.add(OutboxEvent(topic="test.other"))
                s.commit()
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            other_done.set()

    with app.test_request_context("/catalog/import", method="POST"):
        s = db.session()
        with s.begin_nested():
            before = s.scalar(select(func.count(OutboxEvent.id)))
            thread = threading.Thread(target=other_writer)
            thread.start()
            other_done.wait(0.5)  # on PostgreSQL it commits now; on SQLite it waits for our write lock
            s.add(OutboxEvent(topic="test.request"))
        s.commit()
    thread.join(40)
    assert not errors, errors
    check = app.extensions["db_sessionmaker"]()
    try:
        topics = sorted(check.scalars(select(OutboxEvent.topic).where(OutboxEvent.topic.like("test.%"))))
    finally:
        check.close()
    assert topics == ["test.other", "test.request"] and before == 0


def test_reading_requests_do_not_take_the_write_lock(app):
    with app.test_request_context("/", method="GET"):
        assert db.session().info.get("write_intent") is None
    with app.test_request_context("/", method="PATCH"):
        assert db.session().info.get("write_intent") is True
