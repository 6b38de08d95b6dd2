"""Models for the catalog area."""
from __future__ import annotations
