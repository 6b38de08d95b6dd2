"""Pages for the procurement area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("procurement", __name__)
