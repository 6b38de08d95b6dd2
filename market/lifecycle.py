"""State machines as data: tender and bid transition tables and one `advance` that refuses illegal moves.

Stdlib only. Time-driven events (end_enquiries, open_bids) are fired by the worker tick in
market/jobs/procurement.py, never by a page view.
"""
from __future__ import annotations


class IllegalTransition(Exception):
    """Raised when an event is not allowed in the current state."""

    def __init__(self, machine: str, state: str, event: str):
        super().__init__(f"{machine}: event {event!r} is not allowed in state {state!r}")
        self.machine, self.state, self.event = machine, state, event


ACTIVE_TENDER_STATES = ("active.enquiries", "active.tendering", "active.qualification", "active.awarded")

# (state, event) -> new state
TENDER_TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "publish"): "active.enquiries",
    ("active.enquiries", "end_enquiries"): "active.tendering",      # worker: enquiry_end passed
    ("active.tendering", "open_bids"): "active.qualification",      # worker: opening_at passed
    ("active.tendering", "no_bids"): "unsuccessful",                # worker: opening_at passed, nothing to open
    ("active.qualification", "award"): "active.awarded",
    ("active.qualification", "no_qualified_bids"): "unsuccessful",
    ("active.awarded", "award"): "active.awarded",                  # further lots
    ("active.awarded", "complete"): "complete",                     # contract signed
    **{(s, "cancel"): "cancelled" for s in ("draft", *ACTIVE_TENDER_STATES)},
    **{(s, "fail"): "unsuccessful" for s in ACTIVE_TENDER_STATES},
}

BID_TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "pending",
    ("draft", "withdraw"): "withdrawn",
    ("pending", "change"): "pending",
    ("pending", "invalidate"): "invalid",       # material change of the tender during tendering
    ("invalid", "confirm"): "pending",          # bidder re-confirms (possibly with changes)
    ("invalid", "change"): "pending",
    ("pending", "withdraw"): "withdrawn",
    ("invalid", "withdraw"): "withdrawn",
    ("pending", "open"): "opened",
    ("opened", "qualify"): "qualified",
    ("opened", "disqualify"): "disqualified",
    ("qualified", "disqualify"): "disqualified",
    ("qualified", "award"): "awarded",
    ("qualified", "lose"): "not_awarded",
    ("opened", "lose"): "not_awarded",
}

MACHINES = {"tender": TENDER_TRANSITIONS, "bid": BID_TRANSITIONS}


def allowed(machine: str, state: str, event: str) -> bool:
    """Say whether the event may happen in the state."""
    return (str(state), event) in MACHINES[machine]


def events_from(machine: str, state: str) -> list[str]:
    """Return the events allowed in a state."""
    return sorted(e for (s, e) in MACHINES[machine] if s == str(state))


def advance(machine: str, state: str, event: str) -> str:
    """Return the state after the event, or raise IllegalTransition."""
    state = getattr(state, "value", state)
    try:
        return MACHINES[machine][(state, event)]
    except KeyError:
        raise IllegalTransition(machine, state, event) from None


def tender_advance(state: str, event: str) -> str:
    """Advance a tender's state."""
    return advance("tender", state, event)


def bid_advance(state: str, event: str) -> str:
    """Advance a bid's state."""
    return advance("bid", state, event)
