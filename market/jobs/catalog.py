"""Background jobs and time-driven transitions for the catalog area."""
from __future__ import annotations
