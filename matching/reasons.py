"""Turn language-neutral `Reason`s into short sentences for the UI (Vietnamese or English)."""
from __future__ import annotations

from .taxonomy import CpvTaxonomy, default_taxonomy
from .types import Reason

_FACETS = {
    "province": {"en": "Same province: {value}", "vi": "Cùng tỉnh/thành: {value}"},
    "sme": {"en": "Supplier is a small or medium enterprise", "vi": "Nhà cung cấp là doanh nghiệp nhỏ và vừa"},
    "domestic_content": {"en": "Domestic content {pct}%", "vi": "Tỷ lệ nội địa hóa {pct}%"},
    "domestic": {"en": "Domestic manufacturer", "vi": "Nhà sản xuất trong nước"},
    "trl": {"en": "Technology readiness level {value} (required {required})",
            "vi": "Mức độ sẵn sàng công nghệ {value} (yêu cầu {required})"},
    "budget": {"en": "Price {value:,.0f} within budget {budget:,.0f}", "vi": "Giá {value:,.0f} trong ngân sách {budget:,.0f}"},
}


def render_reason(reason: Reason, lang: str = "vi", taxonomy: CpvTaxonomy | None = None) -> str:
    """Return one human sentence for a reason in 'vi' or 'en' (anything else falls back to English)."""
    lang = "vi" if lang == "vi" else "en"
    p = reason.params
    if reason.kind == "cpv":
        tax = taxonomy or default_taxonomy()
        path = p.get("path") or []
        code = path[-1] if path else ""
        label = tax.label(code, lang) if code else ""
        if lang == "vi":
            return f"Cùng mã CPV {code} – {label}"
        return f"Shares CPV {code} – {label}"
    if reason.kind == "terms":
        terms = ", ".join(p.get("terms", []))
        return f"Từ khóa trùng: {terms}" if lang == "vi" else f"Matching terms: {terms}"
    if reason.kind == "similarity":
        pct = round(100 * float(p.get("score", 0.0)))
        return f"Mức tương đồng nội dung {pct}%" if lang == "vi" else f"Text similarity {pct}%"
    if reason.kind == "facet":
        tmpl = _FACETS.get(str(p.get("name")))
        if tmpl:
            value = p.get("value")
            pct = round(100 * value) if isinstance(value, float) else value
            try:
                return tmpl[lang].format(**{**p, "pct": pct})
            except (KeyError, ValueError, TypeError):
                pass
        return f"{p.get('name')}: {p.get('value')}"
    return f"{reason.kind}: {p}"
