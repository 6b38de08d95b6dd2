"""Pages for the techtransfer area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("techtransfer", __name__)
