"""Vietnam's 34 provincial-level units since the 2025 reorganisation (Resolution 202/2025/QH15)."""
from __future__ import annotations

import unicodedata

# (code, Vietnamese name, English name)
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("ha-noi", "Thành phố Hà Nội", "Hanoi"),
    ("hue", "Thành phố Huế", "Hue City"),
    ("hai-phong", "Thành phố Hải Phòng", "Hai Phong"),
    ("da-nang", "Thành phố Đà Nẵng", "Da Nang"),
    ("ho-chi-minh", "Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
    ("can-tho", "Thành phố Cần Thơ", "Can Tho"),
    ("tuyen-quang", "Tuyên Quang", "Tuyen Quang"),
    ("cao-bang", "Cao Bằng", "Cao Bang"),
    ("lai-chau", "Lai Châu", "Lai Chau"),
    ("lao-cai", "Lào Cai", "Lao Cai"),
    ("thai-nguyen", "Thái Nguyên", "Thai Nguyen"),
    ("dien-bien", "Điện Biên", "Dien Bien"),
    ("lang-son", "Lạng Sơn", "Lang Son"),
    ("son-la", "Sơn La", "Son La"),
    ("phu-tho", "Phú Thọ", "Phu Tho"),
    ("bac-ninh", "Bắc Ninh", "Bac Ninh"),
    ("quang-ninh", "Quảng Ninh", "Quang Ninh"),
    ("hung-yen", "Hưng Yên", "Hung Yen"),
    ("ninh-binh", "Ninh Bình", "Ninh Binh"),
    ("thanh-hoa", "Thanh Hóa", "Thanh Hoa"),
    ("nghe-an", "Nghệ An", "Nghe An"),
    ("ha-tinh", "Hà Tĩnh", "Ha Tinh"),
    ("quang-tri", "Quảng Trị", "Quang Tri"),
    ("quang-ngai", "Quảng Ngãi", "Quang Ngai"),
    ("gia-lai", "Gia Lai", "Gia Lai"),
    ("khanh-hoa", "Khánh Hòa", "Khanh Hoa"),
    ("lam-dong", "Lâm Đồng", "Lam Dong"),
    ("dak-lak", "Đắk Lắk", "Dak Lak"),
    ("dong-nai", "Đồng Nai", "Dong Nai"),
    ("tay-ninh", "Tây Ninh", "Tay Ninh"),
    ("vinh-long", "Vĩnh Long", "Vinh Long"),
    ("dong-thap", "Đồng Tháp", "Dong Thap"),
    ("ca-mau", "Cà Mau", "Ca Mau"),
    ("an-giang", "An Giang", "An Giang"),
)

_BY_CODE = {code: (vi, en) for code, vi, en in PROVINCES}


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for prefix in ("thanh pho ", "tinh ", "tp. ", "tp "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return "-".join(text.replace(".", " ").split())


_ALIASES = {_fold(vi): code for code, vi, _ in PROVINCES} | {_fold(en): code for code, _, en in PROVINCES}
_ALIASES |= {"hanoi": "ha-noi", "hcm": "ho-chi-minh", "hcmc": "ho-chi-minh", "sai-gon": "ho-chi-minh"}


def normalise_province(value: str | None) -> str | None:
    """Return the province code for a code or a name in either language (accents optional), else None."""
    if not value:
        return None
    value = value.strip()
    if value in _BY_CODE:
        return value
    return _ALIASES.get(_fold(value))


def province_name(code: str | None, lang: str = "vi") -> str:
    """Return the province's display name in the language, or the raw code when unknown."""
    names = _BY_CODE.get(code or "")
    if not names:
        return code or ""
    return names[0] if lang == "vi" else names[1]


def province_choices(lang: str = "vi") -> list[tuple[str, str]]:
    """Return (code, name) pairs sorted by name, for select boxes."""
    return sorted(((c, province_name(c, lang)) for c, _, _ in PROVINCES), key=lambda p: _fold(p[1]))
