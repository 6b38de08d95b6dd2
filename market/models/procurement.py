"""Models for the procurement area."""
from __future__ import annotations
