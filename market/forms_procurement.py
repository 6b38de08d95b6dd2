"""WTForms for the procurement pages (CSRF via Flask-WTF); the services hold the business rules."""
from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import Length, Optional

from .forms import choices
from .i18n import _l
from .provinces import province_choices

METHOD_LABELS = {"open": _l("Open tender"), "rfq": _l("Request for quotations"), "direct": _l("Direct contracting")}
CRITERIA_LABELS = {"lowest_price": _l("Lowest price"), "price_quality": _l("Price and quality (weighted)")}
TENDER_STATUS_LABELS = {
    "draft": _l("Draft"), "active.enquiries": _l("Enquiry period"), "active.tendering": _l("Open for bids"),
    "active.qualification": _l("Bids opened, under evaluation"), "active.awarded": _l("Awarded (standstill)"),
    "complete": _l("Complete"), "cancelled": _l("Cancelled"), "unsuccessful": _l("Unsuccessful"),
}
BID_STATUS_LABELS = {
    "draft": _l("Draft"), "pending": _l("Submitted (sealed)"), "invalid": _l("Needs re-confirmation"),
    "withdrawn": _l("Withdrawn"), "opened": _l("Opened"), "qualified": _l("Qualified"),
    "disqualified": _l("Disqualified"), "awarded": _l("Awarded"), "not_awarded": _l("Not awarded"),
}
_DT = {"type": "datetime-local", "step": "60"}


def new_token() -> str:
    """A fresh idempotency token for a form, so a resubmitted page never creates twice."""
    return uuid.uuid4().hex


class LotForm(Form):
    title = StringField(_l("Lot title"), validators=[Optional(), Length(max=300)])
    quantity = StringField(_l("Quantity"))
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    estimated_value = StringField(_l("Estimated value (VND)"))


class TenderForm(FlaskForm):
    idem = HiddenField()
    title = StringField(_l("Title"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    language = SelectField(_l("Language of the notice"), choices=choices([("vi", "Tiếng Việt"), ("en", "English")]))
    cpv_codes = StringField(_l("CPV codes"), description=_l("One or more CPV 2008 codes separated by spaces, e.g. 42996000 90400000."))
    method = SelectField(_l("Procurement method"), choices=choices(METHOD_LABELS.items()))
    province = SelectField(_l("Delivery province"), choices=[])
    enquiry_end = StringField(_l("End of the enquiry period (UTC)"), render_kw=_DT)
    tender_end = StringField(_l("Submission deadline (UTC)"), render_kw=_DT)
    opening_at = StringField(_l("Opening time (UTC)"), render_kw=_DT)
    award_criteria = SelectField(_l("Award criteria"), choices=choices(CRITERIA_LABELS.items()))
    price_weight = StringField(_l("Price weight (%)"))
    quality_weight = StringField(_l("Quality weight (%)"))
    domestic_margin_pct = StringField(_l("Margin of preference for domestic goods (%)"))
    domestic_threshold_pct = StringField(_l("Domestic content threshold for the margin (%)"))
    sme_set_aside = BooleanField(_l("Reserved for small and medium enterprises"))
    lots = FieldList(FormField(LotForm), min_entries=3, max_entries=10)

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = choices([("", "—"), *province_choices(lang)])


class QuestionForm(FlaskForm):
    text = TextAreaField(_l("Your question"), validators=[Length(max=4000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[Length(max=8000)])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[Length(max=2000)])


class DocumentForm(FlaskForm):
    file = FileField(_l("Document (PDF, DOCX, XLSX or ODT)"))


class LotPriceForm(Form):
    lot_id = HiddenField()
    price = StringField(_l("Price (VND)"))


class BidForm(FlaskForm):
    idem = HiddenField()
    lots = FieldList(FormField(LotPriceForm), min_entries=0, max_entries=20)
    domestic_content_pct = StringField(_l("Declared domestic content (%)"))
    delivery_days = StringField(_l("Delivery time (days)"))
    technical_proposal = TextAreaField(_l("Technical proposal"), validators=[Length(max=20000)])
    document = FileField(_l("Bid document (PDF, DOCX, XLSX or ODT), stored encrypted"))


class QualifyForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=choices([("qualify", _l("Qualify")), ("disqualify", _l("Disqualify"))]))
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])
    quality_score = StringField(_l("Quality score (0-100)"))


class AwardForm(FlaskForm):
    bid_id = SelectField(_l("Bid"), choices=[])
    lot_id = SelectField(_l("Lot"), choices=[])
    justification = TextAreaField(_l("Justification"), validators=[Length(max=8000)])


class ContractForm(FlaskForm):
    value = StringField(_l("Contract value (VND)"))
    period_start = StringField(_l("Start (UTC)"), render_kw=_DT)
    period_end = StringField(_l("End (UTC)"), render_kw=_DT)
