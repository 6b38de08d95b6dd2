"""Alerts in the worker: check each freshly indexed listing against saved searches, and send daily digests.

The hook: after the matching handler indexes a listing ("index.refresh"), queue "alerts.check" for it in the
same transaction, so alerting is retried on its own and never makes the index work run twice.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..services import alerts
from ..services.outbox import enqueue
from . import matching as _matching  # noqa: F401  (registers "index.refresh" first, so we can chain after it)
from .registry import HANDLERS, handles, tick

_index_refresh = HANDLERS["index.refresh"]


@handles("index.refresh")
def refresh_then_alert(session: Session, payload: dict) -> None:
    """Index the listing as before, then queue the alert check for it."""
    _index_refresh(session, payload)
    if payload["kind"] in alerts.WATCHED_KINDS:
        enqueue(session, "alerts.check", {"kind": payload["kind"], "id": int(payload["id"])})


@handles("alerts.check")
def check(session: Session, payload: dict) -> None:
    alerts.check_listing(session, session.info["config"], payload["kind"], int(payload["id"]))


@tick("alerts.digest")
def digest(session: Session) -> int:
    """Send the daily digests that are due (after the configured local hour, once per user and day)."""
    return alerts.run_digests(session, session.info["config"])
