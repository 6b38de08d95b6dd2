"""Drain the transactional outbox and run ticks; many workers may share a PostgreSQL outbox."""
from __future__ import annotations

import importlib
import json
import logging
import threading
import traceback
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..models import OutboxEvent, utcnow
from .registry import HANDLERS, TICKS

log = logging.getLogger("market.worker")
MAX_ATTEMPTS = 5
# Modules that register handlers and ticks; areas add theirs here.
JOB_MODULES = ["market.jobs.email", "market.jobs.procurement", "market.jobs.techtransfer", "market.jobs.catalog",
               "market.jobs.matching", "market.jobs.alerts"]


def load_handlers() -> None:
    """Import every job module so its handlers register."""
    for name in JOB_MODULES:
        importlib.import_module(name)


def _claim(session: Session, limit: int) -> list[OutboxEvent]:
    q = (select(OutboxEvent)
         .where(OutboxEvent.processed_at.is_(None), OutboxEvent.available_at <= utcnow())
         .order_by(OutboxEvent.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return list(session.scalars(q))


def drain(factory: sessionmaker, limit: int = 50) -> int:
    """Process up to `limit` due events, each in its own transaction; return how many were handled."""
    load_handlers()
    done = 0
    while done < limit:
        with factory() as session:
            events = _claim(session, 1)
            if not events:
                return done
            event = events[0]
            handler = HANDLERS.get(event.topic)
            try:
                if handler is None:
                    raise LookupError(f"no handler for topic {event.topic!r}")
                handler(session, json.loads(event.payload or "{}"))
                event.processed_at = utcnow()
                event.attempts += 1
                session.commit()
            except Exception:
                session.rollback()
                event = session.get(OutboxEvent, event.id)
                event.attempts += 1
                event.last_error = traceback.format_exc()[-4000:]
                if event.attempts >= MAX_ATTEMPTS:
                    event.processed_at = utcnow()  # parked: kept with its error for an operator to read
                else:
                    event.available_at = utcnow() + timedelta(seconds=2 ** event.attempts)
                session.commit()
                log.exception("outbox event %s (%s) failed", event.id, event.topic)
            done += 1
    return done


def run_ticks(factory: sessionmaker) -> int:
    """Run every registered tick in its own transaction; return the total work they report."""
    load_handlers()
    total = 0
    for name, fn in TICKS:
        with factory() as session:
            try:
                total += fn(session) or 0
                session.commit()
            except Exception:
                session.rollback()
                log.exception("tick %s failed", name)
    return total


def run_once(factory: sessionmaker) -> int:
    """Run the ticks, then drain what they and others queued."""
    return run_ticks(factory) + drain(factory)


def run_forever(factory: sessionmaker, poll_seconds: float = 1.0, stop: threading.Event | None = None) -> None:
    """Loop until stopped, sleeping when there is nothing to do."""
    stop = stop or threading.Event()
    log.info("worker started")
    while not stop.is_set():
        try:
            busy = run_once(factory)
        except Exception:
            log.exception("worker loop failed; retrying")
            busy = 0
        if not busy:
            stop.wait(poll_seconds)


def start_thread(app, stop: threading.Event | None = None, poll_seconds: float | None = None) -> threading.Thread:
    """Start run_forever in a daemon thread inside the app's context (ticks read settings such as BID_KEY)."""
    poll = float(app.config["WORKER_POLL_SECONDS"]) if poll_seconds is None else poll_seconds

    def _run() -> None:
        with app.app_context():
            run_forever(app.extensions["db_sessionmaker"], poll, stop)

    thread = threading.Thread(target=_run, name="worker", daemon=True)
    thread.start()
    return thread
