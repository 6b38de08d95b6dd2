"""Forms and labels for the techtransfer pages; the services check every rule, the forms only carry input."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from .forms import choices
from .i18n import _l
from .provinces import province_choices
from .services import patent_numbers

SUB_SECTOR_LABELS = {
    "wastewater": _l("Wastewater"), "air": _l("Flue gas and air"), "solid_waste": _l("Solid waste"),
    "hazardous_waste": _l("Hazardous waste"), "monitoring": _l("Environmental monitoring"),
    "waste_to_energy": _l("Waste-to-energy"), "recycling": _l("Recycling and circular economy"),
    "services": _l("Environmental services"), "consulting": _l("Consulting"),
}
KIND_LABELS = {
    "patent": _l("Patents and technologies"), "technology_need": _l("Technology needs"), "expert": _l("Experts"),
    "course": _l("Training courses"), "personnel_need": _l("Personnel needs"),
}
KIND_SINGULAR = {
    "patent": _l("Technology offer"), "technology_need": _l("Technology need"), "expert": _l("Expert profile"),
    "course": _l("Training course"), "personnel_need": _l("Personnel need"),
}
STATUS_LABELS = {
    "draft": _l("Draft"), "pending_review": _l("Pending review"), "published": _l("Published"),
    "rejected": _l("Rejected"), "expired": _l("Expired"), "withdrawn": _l("Withdrawn"),
}
TECH_TYPE_LABELS = {"patent": _l("Patent or application"), "know_how": _l("Know-how"), "software": _l("Software"),
                    "process": _l("Process")}
LEGAL_LABELS = {"pending": _l("Pending"), "granted": _l("Granted"), "lapsed": _l("Lapsed")}
OFFER_LABELS = {"assignment": _l("Assignment"), "exclusive_licence": _l("Exclusive licence"),
                "non_exclusive_licence": _l("Non-exclusive licence"), "know_how": _l("Know-how transfer"),
                "joint_development": _l("Joint development")}
SERVICE_LABELS = {"consulting": _l("Consulting"), "design": _l("Design"),
                  "installation_commissioning": _l("Installation and commissioning"),
                  "operation_maintenance": _l("Operation and maintenance"), "audit": _l("Audits")}
FORMAT_LABELS = {"in_person": _l("In person"), "online": _l("Online"), "blended": _l("Blended")}
THREAD_LABELS = {"sent": _l("Sent"), "accepted": _l("Accepted"), "declined": _l("Declined"),
                 "negotiating": _l("Negotiating"), "deal": _l("Deal"), "closed": _l("Closed")}
DEAL_LABELS = OFFER_LABELS | {"consulting": _l("Consulting contract"), "training": _l("Training"),
                              "recruitment": _l("Recruitment")}
LANGUAGE_LABELS = {"vi": "Tiếng Việt", "en": "English", "fr": "Français", "ja": "日本語", "ko": "한국어",
                   "zh": "中文", "de": "Deutsch", "ru": "Русский"}


class Select(SelectField):
    """A select whose value the service checks (so errors come in the service's words)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


def _opt(labels: dict, blank: bool = True):
    pairs = [("", "—")] if blank else []
    return choices(pairs + list(labels.items()))


class ListingForm(FlaskForm):
    """Fields every listing has."""

    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"))
    sub_sector = Select(_l("Environmental sub-sector"))
    cpv_codes = StringField(_l("CPV codes"), description=_l("Comma-separated, e.g. 90481000, 45252127"))
    province = Select(_l("Province or city"))
    language = Select(_l("Language of the listing"), choices=choices([("vi", "Tiếng Việt"), ("en", "English")]))
    anonymous = BooleanField(_l("Publish anonymously (organisation hidden until you accept an expression of interest)"))
    document = FileField(_l("Document (PDF, DOCX, XLSX, ODT)"))

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.sub_sector.choices = _opt(SUB_SECTOR_LABELS)
        self.province.choices = choices([("", "—"), *province_choices(lang)])


class PatentForm(ListingForm):
    technology_type = Select(_l("Kind of technology"), choices=_opt(TECH_TYPE_LABELS, blank=False))
    office = Select(_l("Patent office"), choices=choices([("", "—")] + [(o, o) for o in patent_numbers.OFFICES]))
    patent_number = StringField(_l("Patent or application number"),
                                description=_l("e.g. 1-0012345 (VN), WO2019/123456, EP1234567, US10123456B2"))
    ipc_codes = StringField(_l("IPC codes"), description=_l("Comma-separated, e.g. C02F 3/28, B01D 53/34"))
    legal_status = Select(_l("Legal status"), choices=_opt(LEGAL_LABELS))
    filing_date = StringField(_l("Filing date"), render_kw={"type": "date"})
    expiry_date = StringField(_l("Expiry date"), render_kw={"type": "date"})
    offer_type = Select(_l("Offer"), choices=_opt(OFFER_LABELS))
    trl = StringField(_l("Technology readiness level (1–9)"), render_kw={"inputmode": "numeric"})
    asking_price = StringField(_l("Asking price (VND)"), render_kw={"inputmode": "numeric"})
    royalty_terms = StringField(_l("Royalty terms"))


class NeedForm(ListingForm):
    desired_trl = StringField(_l("Desired readiness level (1–9)"), render_kw={"inputmode": "numeric"})
    budget_min = StringField(_l("Budget from (VND)"), render_kw={"inputmode": "numeric"})
    budget_max = StringField(_l("Budget up to (VND)"), render_kw={"inputmode": "numeric"})
    deadline = StringField(_l("Deadline"), render_kw={"type": "date"})
    wants_licence = BooleanField(_l("A licence would do"))
    wants_purchase = BooleanField(_l("A purchase would do"))
    wants_expert = BooleanField(_l("An expert would do"))


class ExpertForm(ListingForm):
    is_organisation = BooleanField(_l("This profile is an organisation"))
    expertise_areas = MultiCheckboxField(_l("Areas of expertise"), choices=_opt(SUB_SECTOR_LABELS, blank=False))
    services = MultiCheckboxField(_l("Services"), choices=_opt(SERVICE_LABELS, blank=False))
    day_rate = StringField(_l("Day rate (VND)"), render_kw={"inputmode": "numeric"})
    languages = MultiCheckboxField(_l("Languages"), choices=_opt(LANGUAGE_LABELS, blank=False))
    regions = StringField(_l("Regions served"), description=_l("Province codes or names, comma-separated"))
    certifications = StringField(_l("Certifications"), description=_l("Comma-separated"))
    availability = StringField(_l("Availability"))


class CourseForm(ListingForm):
    topic = StringField(_l("Topic"), description=_l("What the course teaches, e.g. operating a flue-gas scrubber"))
    format = Select(_l("Format"), choices=_opt(FORMAT_LABELS, blank=False))
    start_date = StringField(_l("Start date"), render_kw={"type": "date"})
    end_date = StringField(_l("End date"), render_kw={"type": "date"})
    capacity = StringField(_l("Capacity (people)"), render_kw={"inputmode": "numeric"})
    price = StringField(_l("Price per person (VND)"), render_kw={"inputmode": "numeric"})


class PersonnelForm(ListingForm):
    skills = StringField(_l("Skills needed"), description=_l("Comma-separated"))
    headcount = StringField(_l("Number of people"), render_kw={"inputmode": "numeric"})
    deadline = StringField(_l("Needed by"), render_kw={"type": "date"})


FORMS = {"patent": PatentForm, "technology_need": NeedForm, "expert": ExpertForm, "course": CourseForm,
         "personnel_need": PersonnelForm}
LIST_FIELDS = {"cpv_codes", "ipc_codes", "regions", "certifications", "skills"}


def form_data(form: FlaskForm) -> dict:
    """Return the form's input as the service expects it (names match the service's fields)."""
    skip = {"csrf_token", "document"}
    return {f.name: f.data for f in form if f.name not in skip}


def initial_data(raw: dict) -> dict:
    """Turn a listing's current input into form values (lists joined, dates as text)."""
    out = {}
    for key, value in raw.items():
        if key in LIST_FIELDS and isinstance(value, list):
            value = ", ".join(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is None:
            value = ""
        elif isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        out[key] = value
    return out


class InterestForm(FlaskForm):
    message = TextAreaField(_l("Your message to the owner"))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"))


class DealForm(FlaskForm):
    deal_type = Select(_l("Type of deal"), choices=_opt(DEAL_LABELS))
    value_vnd = StringField(_l("Value (VND)"), render_kw={"inputmode": "numeric"})
    deal_date = StringField(_l("Date of the deal"), render_kw={"type": "date"})


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejection"))


class DocumentForm(FlaskForm):
    file = FileField(_l("Document (PDF, DOCX, XLSX, ODT)"))


class EnrolForm(FlaskForm):
    participants = StringField(_l("Number of participants"), render_kw={"inputmode": "numeric"})
    message = TextAreaField(_l("Message"))


class FilterForm(FlaskForm):
    """Search filters, sent with GET (no CSRF needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Words"))
    sub_sector = Select(_l("Sub-sector"))
    ipc = StringField(_l("IPC prefix"))
    cpv = StringField(_l("CPV prefix"))
    trl_min = StringField(_l("Readiness level from"))
    offer_type = Select(_l("Offer"), choices=_opt(OFFER_LABELS))
    price_min = StringField(_l("Price from (VND)"))
    price_max = StringField(_l("Price up to (VND)"))
    province = Select(_l("Province or city"))
    language = Select(_l("Language"), choices=_opt(LANGUAGE_LABELS))

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.sub_sector.choices = _opt(SUB_SECTOR_LABELS)
        self.province.choices = choices([("", "—"), *province_choices(lang)])
