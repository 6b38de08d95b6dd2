"""Every string shown to users has a Vietnamese translation."""
from __future__ import annotations

from market.i18n_tools import missing


def test_every_message_has_a_vietnamese_translation():
    assert missing("vi") == []
