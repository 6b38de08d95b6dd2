"""Models for the techtransfer area."""
from __future__ import annotations
