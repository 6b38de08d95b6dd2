"""The direct-order state machine as a table; stdlib only."""
from __future__ import annotations

# (state, event) -> new state. Declined, fulfilled and cancelled are final.
ORDER_TRANSITIONS: dict[tuple[str, str], str] = {
    ("placed", "accept"): "accepted",
    ("placed", "decline"): "declined",
    ("placed", "counter"): "countered",
    ("placed", "cancel"): "cancelled",
    ("countered", "accept_counter"): "accepted",
    # A rejected counter-offer puts the original terms back in front of the supplier.
    ("countered", "reject_counter"): "placed",
    ("countered", "cancel"): "cancelled",
    ("accepted", "fulfil"): "fulfilled",
    ("accepted", "cancel"): "cancelled",
}
FINAL_STATES = frozenset({"declined", "fulfilled", "cancelled"})
# Which party may fire each event.
EVENT_PARTY: dict[str, str] = {
    "accept": "supplier", "decline": "supplier", "counter": "supplier",
    "accept_counter": "buyer", "reject_counter": "buyer", "fulfil": "buyer", "cancel": "buyer",
}


class IllegalTransition(ValueError):
    """The event is not allowed in the current state."""


def advance(state: str, event: str) -> str:
    """Return the state after the event, or raise IllegalTransition."""
    try:
        return ORDER_TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(f"cannot {event} an order that is {state}") from None


def allowed_events(state: str) -> list[str]:
    """Return the events possible in a state, in table order."""
    return [ev for (st, ev) in ORDER_TRANSITIONS if st == state]
