"""Parse and check listing input (JSON values or form strings), collecting one message per field."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable

from ..errors import ValidationError
from ..i18n import _l
from ..models.techtransfer import SUB_SECTORS
from ..provinces import normalise_province

_TRUE = {"1", "true", "yes", "on", "y"}
_GROUPED = re.compile(r"^-?\d{1,3}([.,\s]\d{3})+$")


class Fields:
    """Read values from raw input; `errors` collects field -> message; `raise_if_errors()` ends validation."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = dict(raw or {})
        self.errors: dict[str, str] = {}

    def err(self, name: str, message) -> None:
        self.errors.setdefault(name, str(message))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def present(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is not None and not (isinstance(value, str) and not value.strip()) and value != []

    def _get(self, name: str, required: bool):
        if not self.present(name):
            if required:
                self.err(name, _l("This field is required."))
            return None
        value = self.raw[name]
        return value.strip() if isinstance(value, str) else value

    def text(self, name: str, *, required: bool = False, max_len: int = 300) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            value = str(value)
        if len(value) > max_len:
            self.err(name, _l("Must be at most %(n)s characters.", n=max_len))
            return None
        return value

    def integer(self, name: str, *, lo: int | None = None, hi: int | None = None, required: bool = False) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            if isinstance(value, str):
                # Accept thousands separators as people type them: 1.500.000.000, 1,500,000,000, 1 500 000.
                text = value.strip()
                if _GROUPED.match(text):
                    text = re.sub(r"[.,\s]", "", text)
                number = int(text)
            else:
                number = int(value)
        except (TypeError, ValueError):
            self.err(name, _l("Must be a whole number."))
            return None
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            if hi is None:
                self.err(name, _l("Must be %(lo)s or more.", lo=lo))
            else:
                self.err(name, _l("Must be between %(lo)s and %(hi)s.", lo=lo, hi=hi))
            return None
        return number

    def money(self, name: str, *, required: bool = False) -> int | None:
        """An amount in đồng: a whole number, zero or more."""
        value = self._get(name, required)
        if value is None:
            return None
        number = self.integer(name)
        if number is not None and number < 0:
            self.err(name, _l("Must be zero or more (VND)."))
            return None
        if number is not None and number > 10**16:
            self.err(name, _l("The amount is too large."))
            return None
        return number

    def trl(self, name: str, *, required: bool = False) -> int | None:
        """A technology readiness level, 1 to 9."""
        value = self._get(name, required)
        if value is None:
            return None
        number = self.integer(name)
        if number is not None and not 1 <= number <= 9:
            self.err(name, _l("The readiness level must be between 1 and 9."))
            return None
        return number

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.err(name, _l("Enter a date as YYYY-MM-DD."))
            return None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in _TRUE

    def strings(self, name: str, *, required: bool = False, max_items: int = 30, max_len: int = 200) -> list[str]:
        """A list of short texts, given as a list or as comma/newline separated text."""
        value = self._get(name, required)
        if value is None:
            return []
        if isinstance(value, str):
            items = [p.strip() for p in value.replace("\n", ",").replace(";", ",").split(",")]
        elif isinstance(value, (list, tuple)):
            items = [str(p).strip() for p in value]
        else:
            self.err(name, _l("Must be a list."))
            return []
        items = [i for i in dict.fromkeys(items) if i]
        if required and not items:
            self.err(name, _l("This field is required."))
        if len(items) > max_items:
            self.err(name, _l("At most %(n)s items.", n=max_items))
            return []
        if any(len(i) > max_len for i in items):
            self.err(name, _l("Each item must be at most %(n)s characters.", n=max_len))
            return []
        return items

    def choice(self, name: str, allowed: Iterable[str], *, required: bool = False, default: str | None = None):
        value = self._get(name, required and default is None)
        if value is None:
            return default
        allowed = list(allowed)
        if str(value) not in allowed:
            self.err(name, _l("Choose one of: %(values)s.", values=", ".join(allowed)))
            return None
        return str(value)

    def choices(self, name: str, allowed: Iterable[str], *, required: bool = False) -> list[str]:
        items = self.strings(name, required=required)
        allowed = list(allowed)
        bad = [i for i in items if i not in allowed]
        if bad:
            self.err(name, _l("Unknown value(s): %(bad)s. Choose from: %(values)s.", bad=", ".join(bad),
                              values=", ".join(allowed)))
            return []
        return items

    def sub_sector(self, name: str = "sub_sector", *, required: bool = True) -> str | None:
        return self.choice(name, SUB_SECTORS, required=required)

    def province(self, name: str = "province", *, required: bool = False) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        code = normalise_province(str(value))
        if code is None:
            self.err(name, _l("Not a known province or city: %(value)s.", value=value))
        return code

    def provinces(self, name: str) -> list[str]:
        out = []
        for item in self.strings(name, max_items=40):
            code = normalise_province(item)
            if code is None:
                self.err(name, _l("Not a known province or city: %(value)s.", value=item))
                return []
            out.append(code)
        return list(dict.fromkeys(out))

    def cpv_codes(self, name: str = "cpv_codes") -> list[str]:
        from matching.taxonomy import default_taxonomy

        taxonomy = default_taxonomy()
        out = []
        for item in self.strings(name, max_items=20):
            check = taxonomy.validate(item)
            if not check.ok:
                self.err(name, _l("Unknown CPV code: %(code)s.", code=item))
                return []
            out.append(check.code)
        return list(dict.fromkeys(out))

    def ipc_codes(self, name: str = "ipc_codes") -> list[str]:
        from . import ipc

        out = []
        for item in self.strings(name, max_items=20):
            code = ipc.normalise(item)
            if code is None:
                self.err(name, _l("Unknown IPC code: %(code)s (use the form C02F 3/28).", code=item))
                return []
            out.append(code)
        return list(dict.fromkeys(out))
