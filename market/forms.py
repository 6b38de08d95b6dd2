"""WTForms for the account pages (CSRF via Flask-WTF); business rules live in the services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .i18n import _l
from .models import OrgKind, Role, SizeClass
from .provinces import province_choices

ORG_KIND_LABELS = {
    OrgKind.PUBLIC_BUYER: _l("Public buyer"),
    OrgKind.ENTERPRISE: _l("Enterprise"),
    OrgKind.RESEARCH_INSTITUTE: _l("Research institute"),
    OrgKind.INDIVIDUAL_EXPERT: _l("Individual expert"),
}
SIZE_LABELS = {
    SizeClass.MICRO: _l("Micro"), SizeClass.SMALL: _l("Small"),
    SizeClass.MEDIUM: _l("Medium"), SizeClass.LARGE: _l("Large"),
}
ROLE_LABELS = {
    Role.PROCUREMENT_OFFICER: _l("Procurement officer"),
    Role.SUPPLIER_REPRESENTATIVE: _l("Supplier representative"),
    Role.TECHNOLOGY_HOLDER: _l("Technology holder"),
    Role.EXPERT: _l("Expert"),
    Role.ADMINISTRATOR: _l("Administrator"),
}


def choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into select choices (tuples are deprecated in WTForms)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             description=_l("At least 10 characters, with letters and digits."))
    language = SelectField(_l("Preferred language"), choices=choices([("vi", "Tiếng Việt"), ("en", "English")]))
    organisation_name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=300)])
    organisation_kind = SelectField(_l("Kind of organisation"), choices=choices((k.value, v) for k, v in ORG_KIND_LABELS.items()))
    tax_code = StringField(_l("Tax code (MST)"), validators=[DataRequired()],
                           description=_l("10 digits, or 10 digits-3 digits for a branch."))
    province = SelectField(_l("Province or city"), choices=[])
    size_class = SelectField(_l("Size"), choices=choices((k.value, v) for k, v in SIZE_LABELS.items()))
    domestic_manufacturer = BooleanField(_l("We manufacture in Vietnam"))
    role = SelectField(_l("Your role"), choices=choices((k.value, v) for k, v in ROLE_LABELS.items()
                                                        if k is not Role.ADMINISTRATOR))

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = choices([("", "—"), *province_choices(lang)])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""


def apply_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Attach service field errors to the form so the page shows them next to each field."""
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            form.form_errors.append(message)


class OrganisationProfileForm(FlaskForm):
    """What an organisation tells buyers and partners about itself (the tax code is fixed)."""

    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("What you do"), validators=[Length(max=4000)],
                                description=_l("Products, technologies, services and references: matching reads this."))
    website = StringField(_l("Website"), validators=[Length(max=300)])
    province = SelectField(_l("Province or city"), choices=[])
    size_class = SelectField(_l("Size"), choices=choices((k.value, v) for k, v in SIZE_LABELS.items()))
    domestic_manufacturer = BooleanField(_l("We manufacture in Vietnam"))

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = choices(province_choices(lang))
