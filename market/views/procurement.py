"""Pages for public procurement: tender list and notice, buyer's workspace, supplier's bids, opening, award.

Thin: parse the form, call one service, flash, redirect. No page moves a tender in time (the worker does).
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from .. import db
from .. import procurement_documents  # noqa: F401  (registers the tender matching builder)
from ..errors import Conflict, NotAuthenticated, ValidationError
from ..forms import apply_errors, choices
from ..forms_procurement import (BID_STATUS_LABELS, CRITERIA_LABELS, METHOD_LABELS, TENDER_STATUS_LABELS,
                                 AnswerForm, AwardForm, BidForm, CancelForm, ContractForm, DocumentForm,
                                 QualifyForm, QuestionForm, TenderForm, new_token)
from ..i18n import _, _l, current_language
from ..models import Role
from ..models.procurement import AwardStatus, BidStatus, Tender, TenderStatus
from ..provinces import province_choices
from ..services import bids as bid_service
from ..services import evaluation, questions
from ..services import tenders as tender_service
from ..services.procurement_authz import buyer_orgs, can_create_tender, is_buyer_officer, supplier_orgs
from ..templating import DASHBOARD_PANELS, NAVIGATION, PUBLIC_NAVIGATION

bp = Blueprint("procurement", __name__)

PUBLIC_NAVIGATION.append(("procurement.tenders", _l("Tenders")))
NAVIGATION.append(("procurement.workspace_list", _l("My tenders"), (Role.PROCUREMENT_OFFICER,)))
NAVIGATION.append(("procurement.my_bids", _l("My bids"), (Role.SUPPLIER_REPRESENTATIVE,)))
DASHBOARD_PANELS.append(("procurement/_panel.html", (Role.PROCUREMENT_OFFICER, Role.SUPPLIER_REPRESENTATIVE)))


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.record_once
def _register_globals(state) -> None:
    state.app.jinja_env.globals.update(
        tender_status_label=lambda s: TENDER_STATUS_LABELS.get(getattr(s, "value", s), s),
        bid_status_label=lambda s: BID_STATUS_LABELS.get(getattr(s, "value", s), s),
        method_label=lambda s: METHOD_LABELS.get(getattr(s, "value", s), s),
        criteria_label=lambda s: CRITERIA_LABELS.get(getattr(s, "value", s), s),
        procurement_panel=_panel_data, cpv_label=_cpv_label)


def _cpv_label(code: str) -> str:
    from matching import default_taxonomy

    try:
        return default_taxonomy().label(code, current_language())
    except Exception:
        return ""


def _panel_data() -> dict:
    user = _user()
    session = db.session()
    data: dict = {}
    if buyer_orgs(user):
        data["tenders"] = tender_service.buyer_tenders(session, user)[:5]
    if supplier_orgs(user):
        data["bids"] = bid_service.my_bids(session, user)[:5]
        data["open"], _n = tender_service.search_tenders(session, status="active.tendering", per_page=5)
    return data


def _config():
    return current_app.config


def _origin() -> dict[str, str]:
    return {"ip": request.remote_addr or "", "route": f"{request.method} {request.path}"}


def _to_login():
    """Send an anonymous visitor to the login page, as @login_required would."""
    return current_app.login_manager.unauthorized()


# ---- public ----------------------------------------------------------------------------------------------

@bp.get("/procurement/tenders")
def tenders():
    """Public list of tenders with search by words, CPV prefix, province and status."""
    page = request.args.get("page", 1, type=int) or 1
    args = {k: (request.args.get(k) or "").strip() for k in ("q", "cpv", "province", "status")}
    try:
        items, total = tender_service.search_tenders(db.session(), words=args["q"] or None, cpv=args["cpv"] or None,
                                                     province=args["province"] or None,
                                                     status=args["status"] or None, page=page)
    except ValidationError:
        items, total = [], 0
    return render_template("procurement/list.html", items=items, total=total, page=page, args=args,
                           pages=max(1, (total + 19) // 20), provinces=province_choices(current_language()),
                           statuses=[(k, v) for k, v in TENDER_STATUS_LABELS.items() if k != "draft"])


@bp.get("/procurement/tenders/<int:tender_id>")
def notice(tender_id: int):
    """The public tender notice (drafts only for the buyer's officers)."""
    session = db.session()
    user = _user()
    tender = tender_service.get_tender(session, user, tender_id)
    my_bid = None
    if user is not None:
        ids = {o.id for o in supplier_orgs(user)}
        my_bid = next((b for b in tender.bids if b.bidder_id in ids and b.status != BidStatus.WITHDRAWN), None)
    return render_template("procurement/notice.html", tender=tender, documents=tender_service.tender_documents(
        session, user, tender.id), question_form=QuestionForm(), can_ask=bool(supplier_orgs(user)),
        is_officer=is_buyer_officer(user, tender), can_bid=bool(supplier_orgs(user)), my_bid=my_bid,
        opening=bid_service.opening_record(tender), questions=questions.public_questions(tender),
        open_for_bids=_open_for_bids(tender))


def _open_for_bids(tender: Tender) -> bool:
    from ..models import utcnow

    return tender.status == TenderStatus.TENDERING and utcnow() < tender.tender_end


@bp.get("/procurement/tenders/<int:tender_id>/documents/<int:file_id>")
def tender_document(tender_id: int, file_id: int):
    stored, data = tender_service.read_tender_document(db.session(), _config(), _user(), tender_id, file_id)
    return Response(data, mimetype=stored.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})


@bp.get("/procurement/tenders/<int:tender_id>/opening")
def opening(tender_id: int):
    """The opening record, published when the bids are opened."""
    tender = tender_service.get_tender(db.session(), _user(), tender_id)
    return render_template("procurement/opening.html", tender=tender, rows=bid_service.opening_record(tender))


@bp.get("/procurement/tenders/<int:tender_id>/award")
def award_notice(tender_id: int):
    """The award notice: evaluation, awards with justification, standstill, contracts."""
    tender = tender_service.get_tender(db.session(), _user(), tender_id)
    values = sorted((v for b in tender.bids for v in b.lot_values), key=lambda v: (v.lot_id, v.rank or 10**6))
    return render_template("procurement/award_notice.html", tender=tender, values=values)


@bp.post("/procurement/tenders/<int:tender_id>/questions")
@login_required
def ask(tender_id: int):
    form = QuestionForm()
    try:
        questions.ask_question(db.session(), _user(), tender_id, form.text.data or "")
        flash(_("Your question was sent. The answer will be published on this notice."), "success")
    except (ValidationError, Conflict) as exc:
        for message in (exc.fields or {"_": exc.message}).values():
            flash(message, "error")
    return redirect(url_for(".notice", tender_id=tender_id))


# ---- buyer's workspace -------------------------------------------------------------------------------------

@bp.get("/procurement/workspace")
@login_required
def workspace_list():
    """The buyer's tenders (drafts included); a workspace only procurement officers have."""
    if not can_create_tender(_user()):
        abort(403)
    return render_template("procurement/workspace_list.html",
                           items=tender_service.buyer_tenders(db.session(), _user()))


def _form_data(form: TenderForm) -> dict:
    lots = []
    for entry in form.lots:
        row = entry.form
        if any((row.title.data or "").strip() or (f.data or "").strip()
               for f in (row.quantity, row.estimated_value)):
            lots.append({"title": row.title.data or "", "quantity": row.quantity.data or "",
                         "unit": row.unit.data or "", "estimated_value": (row.estimated_value.data or "").replace(".", "").replace(",", "").replace(" ", "")})
    data = {"title": form.title.data, "description": form.description.data, "language": form.language.data,
            "cpv_codes": (form.cpv_codes.data or "").replace(",", " ").split(), "method": form.method.data,
            "province": form.province.data, "enquiry_end": form.enquiry_end.data, "tender_end": form.tender_end.data,
            "opening_at": form.opening_at.data, "award_criteria": form.award_criteria.data,
            "price_weight": form.price_weight.data, "quality_weight": form.quality_weight.data,
            "domestic_margin_pct": form.domestic_margin_pct.data,
            "domestic_threshold_pct": form.domestic_threshold_pct.data, "sme_set_aside": form.sme_set_aside.data,
            "lots": lots}
    return data


def _apply_tender_errors(form: TenderForm, fields: dict[str, str]) -> None:
    rest = {}
    for name, message in fields.items():
        parts = name.split(".")
        if parts[0] == "lots" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(form.lots):
            sub = getattr(form.lots[int(parts[1])].form, parts[2], None)
            if sub is not None:
                sub.errors = [*list(sub.errors or []), message]
                continue
        rest[name] = message
    apply_errors(form, rest)


def _dt_value(dt) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M") if dt else ""


@bp.route("/procurement/tenders/new", methods=["GET", "POST"])
@login_required
def new_tender():
    """Create a draft tender (a hidden token makes a resubmitted form harmless)."""
    if not can_create_tender(_user()):
        abort(403)
    form = TenderForm(lang=current_language())
    if request.method == "GET":
        form.idem.data = new_token()
        form.price_weight.data, form.quality_weight.data = "100", "0"
        form.domestic_margin_pct.data, form.domestic_threshold_pct.data = "7.5", "25"
    if form.validate_on_submit():
        try:
            tender = tender_service.create_tender(db.session(), _user(), _form_data(form), config=_config(),
                                                  idempotency_key=f"form-{form.idem.data}" if form.idem.data else None)
            flash(_("Draft tender saved. Check it, add documents and publish it."), "success")
            return redirect(url_for(".workspace", tender_id=tender.id))
        except ValidationError as exc:
            _apply_tender_errors(form, exc.fields)
            flash(_("Please correct the marked fields."), "error")
    return render_template("procurement/tender_form.html", form=form, tender=None), \
        422 if request.method == "POST" else 200


@bp.route("/procurement/tenders/<int:tender_id>/edit", methods=["GET", "POST"])
@login_required
def edit_tender(tender_id: int):
    """Amend a tender (material changes during tendering invalidate submitted bids)."""
    session = db.session()
    tender = tender_service.get_tender(session, _user(), tender_id)
    if not is_buyer_officer(_user(), tender):
        abort(403)
    form = TenderForm(lang=current_language())
    if request.method == "GET":
        for name in ("title", "description", "language", "province", "price_weight", "quality_weight",
                     "domestic_margin_pct", "domestic_threshold_pct", "sme_set_aside"):
            getattr(form, name).data = getattr(tender, name)
        form.method.data, form.award_criteria.data = tender.method.value, tender.award_criteria.value
        form.cpv_codes.data = " ".join(tender.cpv_codes or [])
        for name in ("enquiry_end", "tender_end", "opening_at"):
            getattr(form, name).data = _dt_value(getattr(tender, name))
        for i, lot in enumerate(tender.lots[:len(form.lots)]):
            row = form.lots[i].form
            row.title.data, row.quantity.data = lot.title, f"{lot.quantity:g}"
            row.unit.data, row.estimated_value.data = lot.unit, str(lot.estimated_value)
    if form.validate_on_submit():
        data = _form_data(form)
        # Unchanged dates are not sent, so a published tender's past dates don't fail validation.
        for name in ("enquiry_end", "tender_end", "opening_at"):
            if data[name] == _dt_value(getattr(tender, name)):
                data.pop(name)
        if data["lots"] == [{"title": l.title, "quantity": f"{l.quantity:g}", "unit": l.unit,
                             "estimated_value": str(l.estimated_value)} for l in tender.lots]:
            data.pop("lots")
        try:
            tender_service.update_tender(session, _user(), tender_id, data, config=_config())
            flash(_("The tender was updated."), "success")
            return redirect(url_for(".workspace", tender_id=tender_id))
        except ValidationError as exc:
            _apply_tender_errors(form, exc.fields)
            flash(_("Please correct the marked fields."), "error")
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for(".workspace", tender_id=tender_id))
    return render_template("procurement/tender_form.html", form=form, tender=tender), \
        422 if request.method == "POST" else 200


@bp.get("/procurement/tenders/<int:tender_id>/workspace")
@login_required
def workspace(tender_id: int):
    """The buyer's workspace for one tender: publish, documents, answers, evaluation, award, contract."""
    return _workspace_page(tender_id)


def _workspace_page(tender_id: int, document_form: DocumentForm | None = None, status: int = 200):
    """Render the workspace, with a refused upload's form (and its field error) when there is one."""
    session = db.session()
    user = _user()
    tender = tender_service.get_tender(session, user, tender_id)
    if not is_buyer_officer(user, tender):
        abort(403)
    award_form = AwardForm()
    qualified = [b for b in tender.bids if b.status in (BidStatus.QUALIFIED, BidStatus.AWARDED)]
    award_form.bid_id.choices = choices((b.id, b.bidder.name) for b in qualified)
    award_form.lot_id.choices = choices((lot.id, f"{lot.number}. {lot.title}") for lot in tender.lots)
    return render_template("procurement/workspace.html", tender=tender,
                           documents=tender_service.tender_documents(session, user, tender.id),
                           document_form=document_form or DocumentForm(), answer_form=AnswerForm(),
                           cancel_form=CancelForm(), qualify_form=QualifyForm(), award_form=award_form,
                           contract_form=ContractForm(), opening=bid_service.opening_record(tender),
                           AwardStatus=AwardStatus, BidStatus=BidStatus, TenderStatus=TenderStatus), status


def _flash_errors(exc) -> None:
    for message in (exc.fields or {"_": exc.message}).values():
        flash(message, "error")


def _back(tender_id: int):
    return redirect(url_for(".workspace", tender_id=tender_id))


@bp.post("/procurement/tenders/<int:tender_id>/publish")
@login_required
def publish(tender_id: int):
    try:
        tender_service.publish_tender(db.session(), _user(), tender_id, config=_config())
        flash(_("The tender is published. Suppliers can now ask questions."), "success")
    except (ValidationError, Conflict) as exc:
        _flash_errors(exc)
    return _back(tender_id)


@bp.post("/procurement/tenders/<int:tender_id>/cancel")
@login_required
def cancel(tender_id: int):
    form = CancelForm()
    try:
        tender_service.cancel_tender(db.session(), _user(), tender_id, form.reason.data or "")
        flash(_("The tender was cancelled."), "success")
    except (ValidationError, Conflict) as exc:
        _flash_errors(exc)
    return _back(tender_id)


@bp.post("/procurement/tenders/<int:tender_id>/documents")
@login_required
def add_document(tender_id: int):
    """Add a tender document; a refused file re-renders the workspace with a 422 and its field error."""
    form = DocumentForm()
    upload = form.file.data
    try:
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError({"file": _("Choose a file to upload.")})
        tender_service.add_tender_document(db.session(), _config(), _user(), tender_id, upload.read(), upload.filename)
    except ValidationError as exc:
        apply_errors(form, exc.fields)
        flash(_("Please correct the marked fields."), "error")
        return _workspace_page(tender_id, document_form=form, status=422)
    except Conflict as exc:
        _flash_errors(exc)
        return _back(tender_id)
    flash(_("The document was added."), "success")
    return _back(tender_id)


@bp.post("/procurement/questions/<int:question_id>/answer")
@login_required
def answer(question_id: int):
    form = AnswerForm()
    from ..models.procurement import Question

    q = db.session().get(Question, question_id)
    if q is None:
        abort(404)
    tender_id = q.tender_id
    try:
        questions.answer_question(db.session(), _user(), question_id, form.answer.data or "")
        flash(_("The answer is published."), "success")
    except (ValidationError, Conflict) as exc:
        _flash_errors(exc)
    return _back(tender_id)


@bp.post("/procurement/tenders/<int:tender_id>/bids/<int:bid_id>/qualify")
@login_required
def qualify(tender_id: int, bid_id: int):
    form = QualifyForm()
    session = db.session()
    try:
        if (form.quality_score.data or "").strip():
            tender = tender_service.get_tender(session, _user(), tender_id)
            evaluation.set_quality_scores(session, _user(), tender_id, bid_id,
                                          {lot.id: form.quality_score.data for lot in tender.lots
                                           if any(v.lot_id == lot.id for b in tender.bids if b.id == bid_id
                                                  for v in b.lot_values)})
        evaluation.qualify_bid(session, _user(), tender_id, bid_id, form.decision.data == "qualify",
                               form.reason.data or "")
        flash(_("The evaluation was recorded."), "success")
    except (ValidationError, Conflict) as exc:
        _flash_errors(exc)
    return _back(tender_id)


@bp.post("/procurement/tenders/<int:tender_id>/award")
@login_required
def award(tender_id: int):
    form = AwardForm()
    try:
        evaluation.award(db.session(), _user(), tender_id, request.form.get("bid_id", type=int),
                         form.justification.data or "", lot_id=request.form.get("lot_id", type=int), config=_config())
        flash(_("The award is published. The standstill period has started."), "success")
    except (ValidationError, Conflict) as exc:
        _flash_errors(exc)
    return _back(tender_id)


@bp.post("/procurement/awards/<int:award_id>/contract")
@login_required
def contract(award_id: int):
    from ..models.procurement import Award

    form = ContractForm()
    record = db.session().get(Award, award_id)
    if record is None:
        abort(404)
    tender_id = record.tender_id
    try:
        evaluation.sign_contract(db.session(), _user(), award_id,
                                 {"value": (form.value.data or "").replace(".", "").replace(",", ""),
                                  "period_start": form.period_start.data, "period_end": form.period_end.data})
        flash(_("The contract was recorded."), "success")
    except (ValidationError, Conflict) as exc:
        _flash_errors(exc)
    return _back(tender_id)


# ---- supplier's bids ---------------------------------------------------------------------------------------

def _bid_form(tender: Tender, content: dict | None = None) -> BidForm:
    form = BidForm()
    if request.method == "GET":
        prices = {o["lot_id"]: o["price"] for o in (content or {}).get("lots", [])}
        for lot in tender.lots:
            form.lots.append_entry({"lot_id": str(lot.id), "price": str(prices.get(lot.id, ""))})
        if content:
            form.domestic_content_pct.data = f"{content.get('domestic_content_pct', ''):g}" \
                if isinstance(content.get("domestic_content_pct"), (int, float)) else ""
            form.delivery_days.data = str(content.get("delivery_days") or "")
            form.technical_proposal.data = content.get("technical_proposal") or ""
        form.idem.data = new_token()
    return form


def _bid_data(form: BidForm) -> tuple[dict, list]:
    offers = []
    for entry in form.lots:
        price = (entry.form.price.data or "").strip().replace(".", "").replace(",", "").replace(" ", "")
        if price:
            offers.append({"lot_id": entry.form.lot_id.data, "price": price})
    data = {"lots": offers, "domestic_content_pct": form.domestic_content_pct.data,
            "delivery_days": form.delivery_days.data, "technical_proposal": form.technical_proposal.data}
    upload = form.document.data
    documents = [(upload.filename, upload.read())] if upload is not None and getattr(upload, "filename", "") else []
    return data, documents


def _apply_bid_errors(form: BidForm, fields: dict[str, str]) -> None:
    rest = {}
    for name, message in fields.items():
        parts = name.split(".")
        if parts[0] == "lots" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(form.lots):
            form.lots[int(parts[1])].form.price.errors = [message]
        elif parts[0] == "documents":
            form.document.errors = [message]
        else:
            rest[name] = message
    apply_errors(form, rest)


@bp.route("/procurement/tenders/<int:tender_id>/bid", methods=["GET", "POST"])
@login_required
def bid_form(tender_id: int):
    """The supplier's bid form: sealed on submission, with a receipt."""
    session = db.session()
    tender = tender_service.get_tender(session, _user(), tender_id)
    if not supplier_orgs(_user()):
        abort(403)
    form = _bid_form(tender)
    status = 200
    if request.method == "POST":
        data, documents = _bid_data(form)
        if form.validate_on_submit():
            try:
                bid = bid_service.submit_bid(session, _user(), tender_id, data, config=_config(),
                                             idempotency_key=f"form-{form.idem.data}" if form.idem.data else None,
                                             documents=documents)
                flash(_("Your bid was received and sealed. Keep the receipt."), "success")
                return redirect(url_for(".bid", bid_id=bid.id))
            except ValidationError as exc:
                _apply_bid_errors(form, exc.fields)
                flash(_("Please correct the marked fields."), "error")
            except Conflict as exc:
                form.form_errors.append(exc.message)
        status = 422
    lots = {lot.id: lot for lot in tender.lots}
    return render_template("procurement/bid_form.html", form=form, tender=tender, lots=lots, bid=None,
                           open_for_bids=_open_for_bids(tender)), status


@bp.get("/procurement/bids")
@login_required
def my_bids():
    return render_template("procurement/my_bids.html", items=bid_service.my_bids(db.session(), _user()))


@bp.route("/procurement/bids/<int:bid_id>", methods=["GET", "POST"])
def bid(bid_id: int):
    """A bid with its receipts: the bidder may change it before the deadline; others only after opening.

    Not behind @login_required: an anonymous attempt must reach the service to be audited before the login page.
    """
    session = db.session()
    try:
        record, content = bid_service.read_bid(session, _user(), bid_id, config=_config(), channel="page",
                                               origin=_origin())
    except NotAuthenticated:
        return _to_login()
    tender = record.tender
    mine = any(o.id == record.bidder_id for o in supplier_orgs(_user()))
    form = _bid_form(tender, content) if mine else None
    status = 200
    if mine and request.method == "POST":
        data, documents = _bid_data(form)
        if form.validate_on_submit():
            try:
                bid_service.change_bid(session, _user(), bid_id, data, config=_config(), documents=documents,
                                       channel="page")
                flash(_("Your changed bid was received and sealed. A new receipt was issued."), "success")
                return redirect(url_for(".bid", bid_id=bid_id))
            except ValidationError as exc:
                _apply_bid_errors(form, exc.fields)
                flash(_("Please correct the marked fields."), "error")
            except Conflict as exc:
                form.form_errors.append(exc.message)
        status = 422
    documents = bid_service.bid_documents(session, _user(), bid_id, config=_config(), channel="page")
    lots = {lot.id: lot for lot in tender.lots}
    return render_template("procurement/bid.html", bid=record, content=content, tender=tender, form=form, mine=mine,
                           documents=documents, lots=lots, open_for_bids=_open_for_bids(tender)), status


@bp.post("/procurement/bids/<int:bid_id>/withdraw")
@login_required
def withdraw(bid_id: int):
    try:
        bid_service.withdraw_bid(db.session(), _user(), bid_id, channel="page")
        flash(_("Your bid was withdrawn."), "success")
    except Conflict as exc:
        flash(exc.message, "error")
    return redirect(url_for(".my_bids"))


@bp.post("/procurement/bids/<int:bid_id>/confirm")
@login_required
def confirm(bid_id: int):
    try:
        bid_service.confirm_bid(db.session(), _user(), bid_id, config=_config(), channel="page")
        flash(_("Your bid was re-confirmed. A new receipt was issued."), "success")
    except Conflict as exc:
        flash(exc.message, "error")
    return redirect(url_for(".bid", bid_id=bid_id))


@bp.get("/procurement/bids/<int:bid_id>/documents/<int:file_id>")
def bid_document(bid_id: int, file_id: int):
    """A bid document; anonymous attempts are audited, then sent to log in (hence no @login_required)."""
    try:
        stored, data = bid_service.read_bid_document(db.session(), _user(), file_id, config=_config(),
                                                     channel="page", origin=_origin())
    except NotAuthenticated:
        return _to_login()
    if stored.owner_id != bid_id:
        abort(404)
    return Response(data, mimetype=stored.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})
