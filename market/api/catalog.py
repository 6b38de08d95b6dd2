"""JSON API for the catalog area."""
from __future__ import annotations
