"""Background jobs and time-driven transitions for the techtransfer area."""
from __future__ import annotations
