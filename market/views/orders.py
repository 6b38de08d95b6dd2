"""Pages for direct orders: my orders, place an order, the order with its history and next steps."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from .. import authz, db
from .. import orders_documents  # noqa: F401  (register the matching builder and displayer)
from ..errors import ValidationError
from ..forms import apply_errors, choices
from ..i18n import _, _l, current_language
from ..models import Role
from ..models.orders import OrderKind, OrderStatus
from ..provinces import province_choices
from ..security import new_token
from ..services import orders as service
from ..templating import DASHBOARD_PANELS, NAVIGATION

bp = Blueprint("orders", __name__, url_prefix="/orders")

NAVIGATION.append(("orders.list_orders", _l("Direct orders"), (Role.PROCUREMENT_OFFICER, Role.SUPPLIER_REPRESENTATIVE)))
DASHBOARD_PANELS.append(("orders/_panel.html", (Role.PROCUREMENT_OFFICER, Role.SUPPLIER_REPRESENTATIVE)))

STATUS_LABELS = {
    OrderStatus.PLACED: _l("placed, awaiting the supplier"),
    OrderStatus.COUNTERED: _l("counter-offer, awaiting the buyer"),
    OrderStatus.ACCEPTED: _l("accepted"),
    OrderStatus.DECLINED: _l("declined"),
    OrderStatus.FULFILLED: _l("fulfilled"),
    OrderStatus.CANCELLED: _l("cancelled"),
}
KIND_LABELS = {OrderKind.PRODUCT: _l("Product"), OrderKind.DEVELOPMENT: _l("Development job")}
EVENT_LABELS = {
    "placed": _l("Order placed"), "accepted": _l("Accepted by the supplier"),
    "declined": _l("Declined by the supplier"), "countered": _l("Counter-offer"),
    "counter_accepted": _l("Counter-offer accepted"), "counter_rejected": _l("Counter-offer rejected"),
    "fulfilled": _l("Delivery confirmed"), "cancelled": _l("Cancelled by the buyer"),
}
ACTIONS = {"accept": "accept", "decline": "decline", "counter": "counter", "accept-counter": "accept_counter",
           "reject-counter": "reject_counter", "fulfil": "fulfil", "cancel": "cancel"}


class OrderForm(FlaskForm):
    idem = HiddenField()
    buyer_org_id = SelectField(_l("Ordering on behalf of"), choices=[], validate_choice=False)
    supplier_org_id = SelectField(_l("Supplier"), choices=[], validate_choice=False,
                                  description=_l("Verified domestic manufacturers."))
    kind = SelectField(_l("What you order"), choices=choices((k.value, v) for k, v in KIND_LABELS.items()),
                       validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10000)])
    cpv_codes = StringField(_l("CPV codes"), description=_l("One or more codes separated by commas, e.g. 42912300."))
    product_ref = StringField(_l("Catalogue product (optional)"), description=_l("For example product:12."))
    quantity = StringField(_l("Quantity"))
    unit = StringField(_l("Unit"), validators=[Length(max=40)], description=_l("For example: set, tonne, package."))
    price_vnd = StringField(_l("Total price (VND)"))
    delivery_province = SelectField(_l("Delivery province or city"), choices=[], validate_choice=False)
    delivery_date = StringField(_l("Delivery date"), render_kw={"type": "date"})

    def __init__(self, *args, lang: str = "vi", buyers=(), suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.buyer_org_id.choices = choices((o.id, o.name) for o in buyers)
        self.supplier_org_id.choices = choices([("", "—"), *((o.id, o.name) for o in suppliers)])
        self.delivery_province.choices = choices([("", "—"), *province_choices(lang)])


class CounterForm(FlaskForm):
    price_vnd = StringField(_l("New total price (VND)"))
    delivery_date = StringField(_l("New delivery date"), render_kw={"type": "date"})
    note = TextAreaField(_l("Note to the buyer"), validators=[Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000)])


def _helpers() -> dict:
    return {"status_label": lambda s: STATUS_LABELS.get(s, s), "kind_label": lambda k: KIND_LABELS.get(k, k),
            "event_label": lambda a: EVENT_LABELS.get(a, a)}


@bp.get("/")
@login_required
def list_orders():
    items = service.list_orders(db.session(), current_user)
    return render_template("orders/list.html", orders=items, can_place=service.can_place_order(current_user),
                           **_helpers())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_order():
    authz.require(service.can_place_order(current_user),
                  _("Only a public buyer's procurement officers can place orders."))
    s = db.session()
    buyers = service.buyer_orgs(current_user)
    form = OrderForm(lang=current_language(), buyers=buyers, suppliers=service.supplier_choices(s))
    if request.method == "GET":
        form.idem.data = new_token()  # a resubmitted form (double click, back + submit) places one order
        # "Send an order" on a match opens the form with that supplier or product chosen.
        form.supplier_org_id.data = request.args.get("supplier_org_id", form.supplier_org_id.data)
        form.product_ref.data = request.args.get("product_ref", form.product_ref.data)
    if form.validate_on_submit():
        try:
            order = service.place_order(s, current_user, form.data,
                                        idempotency_key=f"form-{form.idem.data}" if form.idem.data else None)
        except ValidationError as exc:
            apply_errors(form, exc.fields)
            form.form_errors.append(_("Please correct the fields marked below."))
        else:
            flash(_("Your order %(ref)s has been sent to the supplier.", ref=order.reference), "success")
            return redirect(url_for("orders.show_order", order_id=order.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("orders/new.html", form=form, show_buyer=len(buyers) > 1), status


def _render_order(order, forms: dict | None = None, status: int = 200):
    from ..services.match_views import matches_for

    forms = forms or {}
    actions = service.available_actions(current_user, order)
    matches = []
    if service.is_buyer_officer(current_user, order):
        matches = matches_for(db.session(), f"order:{order.id}", current_language(), limit=5)
    return render_template(
        "orders/show.html", order=order, actions=actions, matches=matches,
        counter_form=forms.get("counter") or CounterForm(prefix="counter"),
        decline_form=forms.get("decline") or ReasonForm(prefix="decline"),
        cancel_form=forms.get("cancel") or ReasonForm(prefix="cancel"),
        note_form=NoteForm(prefix="note"),
        **_helpers()), status


@bp.get("/<int:order_id>")
@login_required
def show_order(order_id: int):
    return _render_order(service.get_order(db.session(), current_user, order_id))


@bp.post("/<int:order_id>/<action>")
@login_required
def act(order_id: int, action: str):
    event = ACTIONS.get(action)
    if event is None:
        abort(404)
    s = db.session()
    forms = {"counter": CounterForm(prefix="counter"), "decline": ReasonForm(prefix="decline"),
             "cancel": ReasonForm(prefix="cancel")}
    note_form = NoteForm(prefix="note")
    form = forms.get(event, note_form)
    if not form.validate_on_submit():
        return _render_order(service.get_order(s, current_user, order_id), forms, 422)
    try:
        if event == "counter":
            service.counter(s, current_user, order_id, form.data)
        elif event == "decline":
            service.decline(s, current_user, order_id, form.reason.data or "")
        elif event == "cancel":
            service.cancel(s, current_user, order_id, form.reason.data or "")
        elif event == "accept":
            service.accept(s, current_user, order_id, note_form.note.data or "")
        elif event == "accept_counter":
            service.accept_counter(s, current_user, order_id)
        elif event == "reject_counter":
            service.reject_counter(s, current_user, order_id, note_form.note.data or "")
        elif event == "fulfil":
            service.fulfil(s, current_user, order_id, note_form.note.data or "")
    except ValidationError as exc:
        s.rollback()
        apply_errors(form, exc.fields)
        return _render_order(service.get_order(s, current_user, order_id), forms, 422)
    flash(_("Done: %(what)s.", what=EVENT_LABELS.get({"accept": "accepted", "decline": "declined",
                                                        "counter": "countered", "accept_counter": "counter_accepted",
                                                        "reject_counter": "counter_rejected",
                                                        "fulfil": "fulfilled", "cancel": "cancelled"}[event])),
          "success")
    return redirect(url_for("orders.show_order", order_id=order_id))


@bp.app_context_processor
def _order_panel_helpers() -> dict:
    def orders_awaiting_me(limit: int = 5) -> list:
        """Orders on which the current user has a step to take, for the dashboard panel."""
        if not current_user.is_authenticated:
            return []
        items = service.list_orders(db.session(), current_user)
        return [o for o in items if service.available_actions(current_user, o)
                and o.status in (OrderStatus.PLACED, OrderStatus.COUNTERED)][:limit]

    return {"orders_awaiting_me": orders_awaiting_me, "order_status_label": lambda s: STATUS_LABELS.get(s, s)}
