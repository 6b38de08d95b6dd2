"""Handlers for outbox topics and periodic ticks; areas register theirs at import time."""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict], None]
Tick = Callable[[Session], int]

HANDLERS: dict[str, Handler] = {}
TICKS: list[tuple[str, Tick]] = []


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register the function as the handler for an outbox topic."""

    def decorate(fn: Handler) -> Handler:
        HANDLERS[topic] = fn
        return fn

    return decorate


def tick(name: str) -> Callable[[Tick], Tick]:
    """Register a function the worker calls on every loop (time-driven transitions); it returns work done."""

    def decorate(fn: Tick) -> Tick:
        TICKS.append((name, fn))
        return fn

    return decorate
