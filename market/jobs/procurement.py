"""Background jobs and time-driven transitions for the procurement area."""
from __future__ import annotations
