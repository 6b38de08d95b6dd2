"""Saved searches, in-app notifications and the one-click unsubscribe page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length

from .. import db
from ..errors import NotFound, ValidationError
from ..forms import EmptyForm, apply_errors, choices
from ..i18n import _, _l, current_language
from ..models.alerts import AlertKind, Frequency
from ..provinces import province_choices
from ..services import alerts as service
from ..services import notifications
from ..services.stats import labeler, sectors
from ..templating import DASHBOARD_PANELS, NAVIGATION

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
NAVIGATION.append(("alerts.index", _l("Alerts"), ()))
DASHBOARD_PANELS.append(("alerts/_panel.html", ()))


class SubscriptionForm(FlaskForm):
    name = StringField(_l("Name of this search"), validators=[Length(max=200)],
                       description=_l("Optional; for example: Wastewater tenders in the Mekong Delta."))
    kind = SelectField(_l("What to watch"), choices=choices((k.value, v) for k, v in service.KIND_LABELS.items()),
                       validate_choice=False)
    words = StringField(_l("Words"), validators=[Length(max=500)], description=_l(
        "All words must appear; accents are optional (xu ly nuoc thai = xử lý nước thải)."))
    categories = SelectMultipleField(_l("Categories"), choices=[], validate_choice=False,
                                     description=_l("Hold Ctrl (or ⌘) to choose several."))
    cpv_prefixes = StringField(_l("CPV codes or their beginnings"),
                               description=_l("Separate with commas, for example 9040, 42996000."))
    provinces = SelectMultipleField(_l("Provinces"), choices=[], validate_choice=False,
                                    description=_l("Hold Ctrl (or ⌘) to choose several."))
    frequency = SelectField(_l("How often"), choices=choices((f.value, v) for f, v in service.FREQUENCY_LABELS.items()),
                            validate_choice=False)

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = choices((s.code, s.name(lang)) for s in sectors(db.session()))
        self.provinces.choices = choices(province_choices(lang))

    def values(self) -> dict:
        return {"name": self.name.data, "kind": self.kind.data, "words": self.words.data,
                "categories": self.categories.data or [], "cpv_prefixes": self.cpv_prefixes.data or "",
                "provinces": self.provinces.data or [], "frequency": self.frequency.data}


class TokenForm(FlaskForm):
    token = HiddenField()


@bp.app_context_processor
def _alert_helpers() -> dict:
    def alerts_unread() -> int:
        """Unread notifications of the current user, for the header badge."""
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(db.session(), current_user)

    def alert_category_names(codes) -> str:
        label = labeler(db.session(), current_language())
        return ", ".join(label("category", c) for c in codes or [])

    return {"alerts_unread": alerts_unread, "alert_kind_label": lambda k: service.KIND_LABELS.get(k, k),
            "alert_category_names": alert_category_names,
            "alert_frequency_label": lambda f: service.FREQUENCY_LABELS.get(f, f)}


def _page(form: SubscriptionForm, status: int = 200):
    subs = service.list_subscriptions(db.session(), current_user)
    return render_template("alerts/index.html", form=form, subscriptions=subs, actions=EmptyForm()), status


@bp.get("")
@login_required
def index():
    # Other pages link here to save their current search: /alerts?kind=tenders&words=...&cpv=9040&province=hue
    args = request.args
    form = SubscriptionForm(lang=current_language(), formdata=None, data={
        "kind": args.get("kind") if args.get("kind") in {k.value for k in AlertKind} else AlertKind.TENDERS.value,
        "words": args.get("words", "")[:500], "cpv_prefixes": args.get("cpv", "")[:200],
        "categories": args.getlist("category"), "provinces": args.getlist("province"),
        "frequency": Frequency.DAILY.value})
    return _page(form)


@bp.post("")
@login_required
def create():
    form = SubscriptionForm(lang=current_language())
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        service.create_subscription(db.session(), current_user, form.values())
    except ValidationError as e:
        apply_errors(form, e.fields)
        flash(_("Please correct the marked fields."), "error")
        return _page(form, 422)
    flash(_("Your search is saved. We will tell you about new matching listings."), "success")
    return redirect(url_for("alerts.index"))


@bp.route("/<int:sub_id>/edit", methods=["GET", "POST"])
@login_required
def edit(sub_id: int):
    sub = service.get_own(db.session(), current_user, sub_id)
    if request.method == "GET":
        form = SubscriptionForm(lang=current_language(), formdata=None, data={
            "name": sub.name, "kind": sub.kind.value, "words": sub.words, "categories": list(sub.categories or []),
            "cpv_prefixes": ", ".join(sub.cpv_prefixes or []), "provinces": list(sub.provinces or []),
            "frequency": sub.frequency.value})
        return render_template("alerts/edit.html", form=form, sub=sub)
    form = SubscriptionForm(lang=current_language())
    if form.validate_on_submit():
        try:
            service.update_subscription(db.session(), current_user, sub_id, form.values())
            flash(_("Your search is updated."), "success")
            return redirect(url_for("alerts.index"))
        except ValidationError as e:
            apply_errors(form, e.fields)
            flash(_("Please correct the marked fields."), "error")
    return render_template("alerts/edit.html", form=form, sub=sub), 422


@bp.post("/<int:sub_id>/delete")
@login_required
def delete(sub_id: int):
    if EmptyForm().validate_on_submit():
        service.delete_subscription(db.session(), current_user, sub_id)
        flash(_("The saved search is deleted."), "success")
    return redirect(url_for("alerts.index"))


@bp.post("/<int:sub_id>/toggle")
@login_required
def toggle(sub_id: int):
    if EmptyForm().validate_on_submit():
        sub = service.get_own(db.session(), current_user, sub_id)
        service.set_active(db.session(), current_user, sub_id, not sub.active)
    return redirect(url_for("alerts.index"))


@bp.get("/<int:sub_id>/unsubscribe")
def unsubscribe(sub_id: int):
    """One click from an email: stop the alert at once (no login), and offer to undo it."""
    token = request.args.get("token", "")
    try:
        sub = service.unsubscribe(db.session(), current_app.config["SECRET_KEY"], sub_id, token)
    except NotFound:
        return render_template("alerts/unsubscribe.html", sub=None, form=None), 404
    return render_template("alerts/unsubscribe.html", sub=sub, form=TokenForm(token=token))


@bp.post("/<int:sub_id>/resubscribe")
def resubscribe(sub_id: int):
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sub = service.unsubscribe(db.session(), current_app.config["SECRET_KEY"], sub_id, form.token.data,
                                  active=True)
    except NotFound:
        return render_template("alerts/unsubscribe.html", sub=None, form=None), 404
    flash(_("The alert “%(name)s” is on again.", name=sub.name), "success")
    return render_template("alerts/unsubscribe.html", sub=sub, form=TokenForm(token=form.token.data))


@bp.get("/notifications")
@login_required
def notifications_page():
    items = notifications.list_for(db.session(), current_user, limit=100)
    return render_template("alerts/notifications.html", items=items, form=EmptyForm())


@bp.post("/notifications/read")
@login_required
def mark_read():
    if EmptyForm().validate_on_submit():
        raw = request.form.get("id")
        notifications.mark_read(db.session(), current_user, [int(raw)] if raw and raw.isdigit() else None)
    return redirect(url_for("alerts.notifications_page"))


@bp.get("/item/<path:ref>")
def open_item(ref: str):
    """Follow an alert link to the listing's own page (resolved now, so emails never hold stale paths)."""
    url = service.open_item(db.session(), ref)
    if not url:
        abort(404)
    return redirect(url)
