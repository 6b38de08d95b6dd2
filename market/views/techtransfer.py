"""Pages for the techtransfer area: browse and search, listing pages, forms, review queue, conversations."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import db, techtransfer_documents  # noqa: F401  (registers matching builders and displayers)
from ..authz import is_admin
from ..errors import ValidationError
from ..forms import EmptyForm, apply_errors
from ..forms_techtransfer import (DEAL_LABELS, FORMAT_LABELS, FORMS, KIND_LABELS, KIND_SINGULAR, LANGUAGE_LABELS,
                                  LEGAL_LABELS, OFFER_LABELS, SERVICE_LABELS, STATUS_LABELS, SUB_SECTOR_LABELS,
                                  TECH_TYPE_LABELS, THREAD_LABELS, DealForm, DocumentForm, EnrolForm, FilterForm,
                                  InterestForm, MessageForm, RejectForm, form_data, initial_data)
from ..i18n import _, _l, current_language
from ..models import Role
from ..provinces import province_name
from ..services import courses, interest, listings
from ..templating import DASHBOARD_PANELS, NAVIGATION, PUBLIC_NAVIGATION
from ..templating import format_vnd

bp = Blueprint("techtransfer", __name__, url_prefix="/techtransfer")

SLUGS = {"patents": "patent", "technology-needs": "technology_need", "experts": "expert", "courses": "course",
         "personnel-needs": "personnel_need"}
SLUG_FOR = {v: k for k, v in SLUGS.items()}

PUBLIC_NAVIGATION.append(("techtransfer.index", _l("Technology & experts")))
NAVIGATION.extend([
    ("techtransfer.mine", _l("My listings"), ()),
    ("techtransfer.threads", _l("Conversations"), ()),
    ("techtransfer.review", _l("Review listings"), (Role.ADMINISTRATOR,)),
])
DASHBOARD_PANELS.append(("techtransfer/_panel.html", ()))


@bp.context_processor
def _labels():
    return {"SUB_SECTOR_LABELS": SUB_SECTOR_LABELS, "KIND_LABELS": KIND_LABELS, "KIND_SINGULAR": KIND_SINGULAR,
            "STATUS_LABELS": STATUS_LABELS, "THREAD_LABELS": THREAD_LABELS, "SLUG_FOR": SLUG_FOR,
            "DEAL_LABELS": DEAL_LABELS}


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _kind(slug: str) -> str:
    if slug not in SLUGS:
        abort(404)
    return SLUGS[slug]


def _upload(field) -> tuple[str, bytes] | None:
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.filename, storage.read()


# ------------------------------------------------------------------ browse and search
@bp.route("/")
def index():
    return render_template("techtransfer/index.html", slugs=SLUGS)


@bp.route("/<slug>")
def browse(slug: str):
    kind = _kind(slug)
    form = FilterForm(request.args, lang=current_language())
    session = db.session()
    user = _user()
    try:
        found = listings.search(session, kind, request.args.to_dict())
    except ValidationError as e:
        apply_errors(form, e.fields)
        found = []
    rows = [listings.public_dict(session, user, x) for x in found]
    return render_template("techtransfer/browse.html", form=form, kind=kind, slug=slug, rows=rows,
                           facts=lambda r: _facts(r))


@bp.route("/<slug>/export.csv")
def export(slug: str):
    """The search results as CSV, with the same anonymity as the pages."""
    kind = _kind(slug)
    session = db.session()
    user = _user()
    try:
        found = listings.search(session, kind, request.args.to_dict())
    except ValidationError:
        found = []
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "title", "sub_sector", "province", "organisation", "trl", "price_vnd", "published_at"])
    for x in found:
        d = listings.public_dict(session, user, x)
        w.writerow([_cell(v) for v in (d["id"], d["title"], d["sub_sector"], d["province"] or "",
                                       d["organisation"]["name"] if d["organisation"] else "", x.trl or "",
                                       x.price_vnd or "", d["published_at"] or "")])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.csv"'})


def _cell(value) -> str:
    """Neutralise text a spreadsheet would run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _facts(d: dict) -> list[tuple[object, str]]:
    """Label/value pairs shown for a listing, per kind."""
    lang = current_language()
    rows: list[tuple[object, str]] = [(_l("Sub-sector"), str(SUB_SECTOR_LABELS.get(d["sub_sector"], d["sub_sector"])))]
    if d.get("province"):
        rows.append((_l("Province or city"), province_name(d["province"], lang)))
    kind = d["kind"]
    if kind == "patent":
        rows.append((_l("Kind of technology"), str(TECH_TYPE_LABELS.get(d["technology_type"], ""))))
        if d["patent_number"]:
            rows.append((_l("Patent or application number"), f'{d["office"]} {d["patent_number"]}'))
            rows.append((_l("Legal status"), str(LEGAL_LABELS.get(d["legal_status"] or "", "—"))))
        if d["ipc_codes"]:
            rows.append((_l("IPC codes"), ", ".join(d["ipc_codes"])))
        if d["filing_date"]:
            rows.append((_l("Filing date"), d["filing_date"]))
        if d["expiry_date"]:
            rows.append((_l("Expiry date"), d["expiry_date"]))
        rows.append((_l("Offer"), str(OFFER_LABELS.get(d["offer_type"], ""))))
        rows.append((_l("Readiness level"), str(d["trl"])))
        if d["asking_price"] is not None:
            rows.append((_l("Asking price"), format_vnd(d["asking_price"])))
        if d["royalty_terms"]:
            rows.append((_l("Royalty terms"), d["royalty_terms"]))
    elif kind == "technology_need":
        if d["desired_trl"]:
            rows.append((_l("Desired readiness level"), str(d["desired_trl"])))
        rows.append((_l("Budget"), f'{format_vnd(d["budget_min"])} – {format_vnd(d["budget_max"])}'))
        if d["deadline"]:
            rows.append((_l("Deadline"), d["deadline"]))
        wants = [str(x) for ok, x in ((d["wants_licence"], _l("licence")), (d["wants_purchase"], _l("purchase")),
                                      (d["wants_expert"], _l("expert"))) if ok]
        if wants:
            rows.append((_l("Would accept"), ", ".join(wants)))
    elif kind == "expert":
        rows.append((_l("Areas of expertise"), ", ".join(str(SUB_SECTOR_LABELS.get(a, a)) for a in d["expertise_areas"])))
        rows.append((_l("Services"), ", ".join(str(SERVICE_LABELS.get(s, s)) for s in d["services"])))
        if d["day_rate"] is not None:
            rows.append((_l("Day rate"), format_vnd(d["day_rate"])))
        rows.append((_l("Languages"), ", ".join(LANGUAGE_LABELS.get(x, x) for x in d["languages"])))
        if d["regions"]:
            rows.append((_l("Regions served"), ", ".join(province_name(r, lang) for r in d["regions"])))
        if d["certifications"]:
            rows.append((_l("Certifications"), ", ".join(d["certifications"])))
        if d["availability"]:
            rows.append((_l("Availability"), d["availability"]))
    elif kind == "course":
        rows.append((_l("Format"), str(FORMAT_LABELS.get(d["format"], d["format"]))))
        if d["start_date"]:
            rows.append((_l("Dates"), f'{d["start_date"]} – {d["end_date"] or ""}'))
        rows.append((_l("Capacity (people)"), str(d["capacity"])))
        if d["price"] is not None:
            rows.append((_l("Price per person"), format_vnd(d["price"])))
    elif kind == "personnel_need":
        rows.append((_l("Skills needed"), ", ".join(d["skills"])))
        rows.append((_l("Number of people"), str(d["headcount"])))
        if d["deadline"]:
            rows.append((_l("Needed by"), d["deadline"]))
    return rows


# ------------------------------------------------------------------ one listing
@bp.route("/listings/<int:listing_id>")
def detail(listing_id: int):
    session = db.session()
    user = _user()
    listing = listings.get(session, user, listing_id)
    data = listings.public_dict(session, user, listing)
    owner = listings.is_owner(user, listing)
    matches = []
    enrolments = []
    if owner and listing.status.value == "published":
        from ..services.match_views import matches_for

        matches = matches_for(session, f"{listing.kind}:{listing.id}", current_language())
    if owner and listing.kind == "course":
        enrolments = courses.enrolments_for(session, listing.id)
    return render_template("techtransfer/detail.html", listing=listing, d=data, facts=_facts(data),
                           is_owner=owner, docs=listings.documents(session, listing), matches=matches,
                           interest_form=InterestForm(), doc_form=DocumentForm(), action_form=EmptyForm(),
                           enrol_form=EnrolForm(), enrolments=enrolments, is_admin=is_admin(user))


@bp.route("/listings/<int:listing_id>/documents/<int:file_id>")
def document(listing_id: int, file_id: int):
    stored, data = listings.document(db.session(), _user(), listing_id, file_id)
    return Response(data, mimetype=stored.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})


@bp.route("/listings/<int:listing_id>/documents", methods=["POST"])
@login_required
def upload(listing_id: int):
    form = DocumentForm()
    upload_ = _upload(form.file) if form.validate_on_submit() else None
    try:
        listings.attach_document(db.session(), _user(), listing_id, *(upload_ or ("", b"")))
        flash(_("The document was added."), "success")
    except ValidationError as e:
        flash(" ".join(e.fields.values()), "error")
    return redirect(url_for(".detail", listing_id=listing_id))


@bp.route("/<slug>/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    kind = _kind(slug)
    form = FORMS[kind](lang=current_language())
    if request.method == "GET":
        form.language.data = current_user.language if current_user.language in ("vi", "en") else "vi"
    if form.validate_on_submit():
        try:
            listing = listings.create(db.session(), _user(), kind, form_data(form),
                                      submit=request.form.get("action") == "submit", document=_upload(form.document))
            flash(_("Your listing was saved.") if listing.status.value == "draft"
                  else _("Your listing was sent for review."), "success")
            return redirect(url_for(".detail", listing_id=listing.id))
        except ValidationError as e:
            apply_errors(form, e.fields)
            flash(_("Please correct the fields marked below."), "error")
    return render_template("techtransfer/form.html", form=form, kind=kind, listing=None), \
        (422 if form.errors or form.form_errors else 200)


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    session = db.session()
    listing = listings.get(session, _user(), listing_id)
    if not listings.is_owner(_user(), listing):
        abort(403)
    form_cls = FORMS[listing.kind]
    if request.method == "GET":
        form = form_cls(data=initial_data(listings._current_input(listing)), lang=current_language())
    else:
        form = form_cls(lang=current_language())
    if form.validate_on_submit():
        try:
            listings.update(session, _user(), listing_id, form_data(form), document=_upload(form.document))
            flash(_("Your listing was saved."), "success")
            return redirect(url_for(".detail", listing_id=listing_id))
        except ValidationError as e:
            apply_errors(form, e.fields)
            flash(_("Please correct the fields marked below."), "error")
    return render_template("techtransfer/form.html", form=form, kind=listing.kind, listing=listing), \
        (422 if form.errors or form.form_errors else 200)


ACTIONS = {"submit": listings.submit, "withdraw": listings.withdraw, "renew": listings.renew}
ACTION_DONE = {"submit": _l("Your listing was sent for review."), "withdraw": _l("Your listing was withdrawn."),
               "renew": _l("Your listing was renewed.")}


@bp.route("/listings/<int:listing_id>/<action>", methods=["POST"])
@login_required
def listing_action(listing_id: int, action: str):
    if action not in ACTIONS or not EmptyForm().validate_on_submit():
        abort(400)
    ACTIONS[action](db.session(), _user(), listing_id)
    flash(str(ACTION_DONE[action]), "success")
    return redirect(url_for(".detail", listing_id=listing_id))


@bp.route("/listings/<int:listing_id>/interest", methods=["POST"])
@login_required
def express_interest(listing_id: int):
    form = InterestForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        thread = interest.express_interest(db.session(), _user(), listing_id, form.message.data or "")
    except ValidationError as e:
        flash(" ".join(e.fields.values()), "error")
        return redirect(url_for(".detail", listing_id=listing_id))
    flash(_("Your message was sent to the owner."), "success")
    return redirect(url_for(".thread", thread_id=thread.id))


@bp.route("/courses/<int:course_id>/enrol", methods=["POST"])
@login_required
def enrol(course_id: int):
    form = EnrolForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        courses.request_enrolment(db.session(), _user(), course_id, form_data(form))
        flash(_("Your enrolment request was sent."), "success")
    except ValidationError as e:
        flash(" ".join(e.fields.values()), "error")
    return redirect(url_for(".detail", listing_id=course_id))


@bp.route("/enrolments/<int:enrolment_id>/<answer>", methods=["POST"])
@login_required
def answer_enrolment(enrolment_id: int, answer: str):
    if answer not in ("accept", "decline") or not EmptyForm().validate_on_submit():
        abort(400)
    e = courses.respond_enrolment(db.session(), _user(), enrolment_id, answer == "accept")
    flash(_("The enrolment request was answered."), "success")
    return redirect(url_for(".detail", listing_id=e.course_id))


@bp.route("/mine")
@login_required
def mine():
    session = db.session()
    rows = [listings.public_dict(session, _user(), x) for x in listings.mine(session, _user())]
    return render_template("techtransfer/mine.html", rows=rows, slugs=SLUGS)


# ------------------------------------------------------------------ review queue
@bp.route("/review")
@login_required
def review():
    session = db.session()
    queue = listings.review_queue(session, _user())
    rows = [(listings.public_dict(session, _user(), x), x) for x in queue]
    return render_template("techtransfer/review.html", rows=rows, action_form=EmptyForm(), reject_form=RejectForm(),
                           facts=_facts)


@bp.route("/review/<int:listing_id>/approve", methods=["POST"])
@login_required
def approve(listing_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    listings.approve(db.session(), _user(), listing_id)
    flash(_("The listing is published."), "success")
    return redirect(url_for(".review"))


@bp.route("/review/<int:listing_id>/reject", methods=["POST"])
@login_required
def reject(listing_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        listings.reject(db.session(), _user(), listing_id, form.reason.data or "")
        flash(_("The listing was sent back to its owner."), "success")
    except ValidationError as e:
        flash(" ".join(e.fields.values()), "error")
    return redirect(url_for(".review"))


# ------------------------------------------------------------------ conversations
@bp.route("/threads")
@login_required
def threads():
    session = db.session()
    rows = [interest.thread_dict(session, _user(), t) for t in interest.threads_for(session, _user())]
    return render_template("techtransfer/threads.html", rows=rows)


@bp.route("/threads/<int:thread_id>")
@login_required
def thread(thread_id: int):
    session = db.session()
    user = _user()
    t = interest.get_thread(session, user, thread_id)
    return _render_thread(session, user, t, MessageForm(), DealForm())


def _render_thread(session, user, t, message_form, deal_form, status=200):
    return render_template("techtransfer/thread.html", t=t, d=interest.thread_dict(session, user, t),
                           messages=interest.message_dicts(session, user, t), message_form=message_form,
                           deal_form=deal_form, action_form=EmptyForm(),
                           owner_side=listings.is_owner(user, t.listing)), status


@bp.route("/threads/<int:thread_id>/messages", methods=["POST"])
@login_required
def post_message(thread_id: int):
    session = db.session()
    form = MessageForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        interest.post_message(session, _user(), thread_id, form.body.data or "")
    except ValidationError as e:
        apply_errors(form, e.fields)
        t = interest.get_thread(session, _user(), thread_id)
        return _render_thread(session, _user(), t, form, DealForm(), 422)
    return redirect(url_for(".thread", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/state/<action>", methods=["POST"])
@login_required
def thread_action(thread_id: int, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    interest.move(db.session(), _user(), thread_id, action)
    return redirect(url_for(".thread", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/deal", methods=["POST"])
@login_required
def record_deal(thread_id: int):
    session = db.session()
    form = DealForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        interest.record_deal(session, _user(), thread_id, form_data(form))
    except ValidationError as e:
        apply_errors(form, e.fields)
        t = interest.get_thread(session, _user(), thread_id)
        return _render_thread(session, _user(), t, MessageForm(), form, 422)
    flash(_("The deal was recorded."), "success")
    return redirect(url_for(".thread", thread_id=thread_id))
