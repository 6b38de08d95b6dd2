"""Pages for the catalogue: products and their review, code verification, enterprise directory, taxonomy, CSV."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from .. import authz, db
from ..errors import NotFound, ValidationError
from ..forms import SIZE_LABELS, EmptyForm, apply_errors, choices
from ..i18n import _, _l, current_language
from ..models import Role, SizeClass
from ..models.catalog import ImportKind, Product, ProductCertificate, ProductKind, ProductStatus
from ..models.files import StoredFile
from ..provinces import province_choices
from ..services import categories, csv_import, directory, files, product_codes
from ..services import products as svc
from ..templating import DASHBOARD_PANELS, NAVIGATION, PUBLIC_NAVIGATION

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

PUBLIC_NAVIGATION.append(("catalog.products", _l("Catalogue")))
PUBLIC_NAVIGATION.append(("catalog.enterprises", _l("Enterprises")))
NAVIGATION.append(("catalog.mine", _l("My products"), (Role.SUPPLIER_REPRESENTATIVE,)))
NAVIGATION.append(("catalog.review", _l("Product review"), (Role.ADMINISTRATOR,)))
DASHBOARD_PANELS.append(("catalog/_panel.html", (Role.SUPPLIER_REPRESENTATIVE, Role.ADMINISTRATOR)))


@bp.app_context_processor
def _helpers():
    return {"product_status_label": lambda s: svc.STATUS_LABELS.get(s, s),
            "product_kind_label": lambda k: svc.KIND_LABELS.get(k, k),
            "certificate_label": lambda k: svc.CERTIFICATE_LABELS.get(k, k),
            "catalog_panel": _panel_data}


def _panel_data() -> dict:
    session = db.session()
    if authz.is_admin(current_user):
        return {"review": len(svc.review_queue(session, current_user))}
    mine = []
    for org in svc.listing_orgs(current_user):
        mine += svc.search(session, organisation_id=org.id, statuses=tuple(ProductStatus), per_page=200)[0]
    return {"mine": mine}


# ---- forms ------------------------------------------------------------------------------------------------

class ProductForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    name = StringField(_l("Product name"), validators=[Length(max=300)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    kind = SelectField(_l("Kind"), choices=choices((k.value, v) for k, v in svc.KIND_LABELS.items()),
                       validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Length(max=8000)])
    language = SelectField(_l("Language of the description"), choices=choices([("vi", "Tiếng Việt"),
                                                                                ("en", "English")]),
                           validate_choice=False)
    sku = StringField(_l("Model or SKU (optional)"), validators=[Length(max=60)])
    cpv_codes = StringField(_l("CPV codes"), description=_l("One or more codes separated by commas, e.g. 42996000."))
    hs_code = StringField(_l("HS code"), description=_l("4, 6, 8 or 10 digits, e.g. 8421.21 or 8421.21.00."))
    capacity_value = StringField(_l("Capacity"))
    capacity_unit = StringField(_l("Capacity unit"), description=_l("For example m3/day, t/day, Nm3/h."))
    throughput_value = StringField(_l("Throughput"))
    throughput_unit = StringField(_l("Throughput unit"))
    efficiency_pct = StringField(_l("Treatment efficiency (%)"))
    power_kw = StringField(_l("Power (kW)"))
    price_min_vnd = StringField(_l("Price from (VND)"))
    price_max_vnd = StringField(_l("Price to (VND)"))
    domestic_content_pct = StringField(_l("Declared domestic content (%)"))
    made_in_vietnam = BooleanField(_l("Made in Vietnam"))
    national_brand = BooleanField(_l("Vietnam national brand (Thương hiệu quốc gia)"))

    FIELDS = ("name", "category", "kind", "description", "language", "sku", "cpv_codes", "hs_code",
              "capacity_value", "capacity_unit", "throughput_value", "throughput_unit", "efficiency_pct", "power_kw",
              "price_min_vnd", "price_max_vnd", "domestic_content_pct", "made_in_vietnam", "national_brand")

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        session = db.session()
        self.category.choices = choices(
            (c.code, ("— " if c.parent_id else "") + c.name(lang))
            for c in categories.all_categories(session, active_only=True))

    def data_for_service(self) -> dict:
        return {k: self.data[k] for k in self.FIELDS}

    def fill(self, p: Product) -> None:
        for k in self.FIELDS:
            if k == "category":
                self.category.data = p.category.code
            elif k == "kind":
                self.kind.data = p.kind.value
            elif k == "cpv_codes":
                self.cpv_codes.data = ", ".join(p.cpv_codes or [])
            else:
                value = getattr(p, k)
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                getattr(self, k).data = value if isinstance(value, bool) else ("" if value is None else str(value))


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejection"), validators=[Length(max=2000)])


class ImageForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG or WebP)"))


class CertificateForm(FlaskForm):
    kind = SelectField(_l("Eco-label or certificate"),
                       choices=choices((k.value, v) for k, v in svc.CERTIFICATE_LABELS.items()),
                       validate_choice=False)
    name = StringField(_l("Name (optional)"), validators=[Length(max=200)])
    issuer = StringField(_l("Issued by"), validators=[Length(max=200)])
    number = StringField(_l("Certificate number"), validators=[Length(max=100)])
    valid_until = StringField(_l("Valid until"), render_kw={"type": "date"})
    document = FileField(_l("Scanned certificate (PDF or image, optional)"))


class CategoryForm(FlaskForm):
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    description_vi = TextAreaField(_l("Description (Vietnamese)"))
    description_en = TextAreaField(_l("Description (English)"))
    cpv_codes = StringField(_l("CPV codes"), description=_l("Separated by commas."))
    hs_codes = StringField(_l("HS headings"), description=_l("Separated by commas, e.g. 8421.21, 9027."))
    domestic_target_min = StringField(_l("Domestic supply target from (%)"))
    domestic_target_max = StringField(_l("Domestic supply target to (%)"))
    is_active = BooleanField(_l("Active"))


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file contains"), choices=choices([
        (ImportKind.ORGANISATIONS.value, _l("Organisations")), (ImportKind.PRODUCTS.value, _l("Products"))]),
        validate_choice=False)
    file = FileField(_l("CSV file (UTF-8)"))


def _lang() -> str:
    return current_language()


# ---- public catalogue ---------------------------------------------------------------------------------------

@bp.get("/")
def products_page():
    return redirect(url_for("catalog.products", **request.args))


@bp.get("/products")
def products():
    session = db.session()
    q = request.args.get("q", "").strip()
    if q and product_codes.parse(q).ok:
        found = product_codes.verify(session, q, _lang())
        if found.get("status") in ("valid",):
            return redirect(url_for("catalog.product", product_id=found["product_id"]))
    page = request.args.get("page", 1, type=int)
    made = request.args.get("made_in_vietnam")
    items, total = svc.search(session, q=q, category=request.args.get("category") or None,
                              province=request.args.get("province") or None,
                              made_in_vietnam=True if made == "1" else None,
                              kind=request.args.get("kind") or None, page=page)
    return render_template("catalog/products.html", items=items, total=total, page=page, per_page=20,
                           categories=categories.all_categories(session, active_only=True),
                           provinces=province_choices(_lang()), args=request.args,
                           kinds=products_kinds())


def products_kinds():
    return [(k.value, svc.KIND_LABELS[k]) for k in ProductKind]


@bp.get("/products/<int:product_id>")
def product(product_id: int):
    session = db.session()
    user = current_user if current_user.is_authenticated else None
    p = svc.get_visible(session, user, product_id)
    return render_template("catalog/product.html", p=p, images=svc.images(session, p.id),
                           can_edit=svc.can_edit(user, p), can_review=svc.can_review(user),
                           form=EmptyForm(), reject_form=RejectForm(), image_form=ImageForm(),
                           cert_form=CertificateForm(), lang=_lang())


@bp.route("/products/new", methods=["GET", "POST"])
@login_required
def new_product():
    orgs = svc.listing_orgs(current_user)
    authz.require(bool(orgs), _("Only supplier representatives can list products."))
    form = ProductForm(lang=_lang())
    form.organisation_id.choices = choices((o.id, o.name) for o in orgs)
    if not form.is_submitted():
        form.made_in_vietnam.data = True
    if form.validate_on_submit():
        try:
            p = svc.create(db.session(), current_user, int(form.organisation_id.data or orgs[0].id),
                           form.data_for_service())
        except ValidationError as e:
            apply_errors(form, e.fields)
            flash(_("Please correct the marked fields."), "error")
        else:
            flash(_("The product is saved as a draft. Add images and certificates, then submit it for review."),
                  "success")
            return redirect(url_for("catalog.product", product_id=p.id))
    return render_template("catalog/product_form.html", form=form, p=None, orgs=orgs), (422 if form.errors else 200)


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@login_required
def edit_product(product_id: int):
    session = db.session()
    p = svc.get_visible(session, current_user, product_id)
    authz.require(svc.can_edit(current_user, p), _("Only the organisation's supplier representatives can edit this product."))
    form = ProductForm(lang=_lang())
    del form.organisation_id
    if not form.is_submitted():
        form.fill(p)
    if form.validate_on_submit():
        try:
            svc.update(session, current_user, p.id, form.data_for_service())
        except ValidationError as e:
            session.rollback()
            apply_errors(form, e.fields)
            flash(_("Please correct the marked fields."), "error")
        else:
            flash(_("The product has been saved."), "success")
            return redirect(url_for("catalog.product", product_id=p.id))
    return render_template("catalog/product_form.html", form=form, p=p, orgs=[]), (422 if form.errors else 200)


def _post_action(product_id: int, action, message):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    action(db.session(), current_user, product_id)
    flash(message, "success")
    return redirect(url_for("catalog.product", product_id=product_id))


@bp.post("/products/<int:product_id>/submit")
@login_required
def submit_product(product_id: int):
    return _post_action(product_id, svc.submit, _("The product has been sent for review."))


@bp.post("/products/<int:product_id>/approve")
@login_required
def approve_product(product_id: int):
    return _post_action(product_id, svc.approve,
                        _("The product is approved and its identification code has been issued."))


@bp.post("/products/<int:product_id>/code")
@login_required
def issue_code(product_id: int):
    return _post_action(product_id, svc.issue_code, _("The identification code has been issued."))


@bp.post("/products/<int:product_id>/withdraw")
@login_required
def withdraw_product(product_id: int):
    return _post_action(product_id, svc.withdraw, _("The product has been withdrawn."))


@bp.post("/products/<int:product_id>/reject")
@login_required
def reject_product(product_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.reject(db.session(), current_user, product_id, form.reason.data or "")
    except ValidationError as e:
        flash(e.fields.get("reason", e.message), "error")
    else:
        flash(_("The product has been sent back to the enterprise."), "success")
    return redirect(url_for("catalog.product", product_id=product_id))


@bp.post("/products/<int:product_id>/images")
@login_required
def add_image(product_id: int):
    form = ImageForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.image.data
    try:
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError({"image": _("Choose an image file.")})
        svc.add_image(db.session(), current_app.config, current_user, product_id, upload.read(), upload.filename)
    except ValidationError as e:
        db.session().rollback()
        flash(e.fields.get("image", e.message), "error")
    else:
        flash(_("The image has been added."), "success")
    return redirect(url_for("catalog.product", product_id=product_id))


@bp.post("/products/<int:product_id>/certificates")
@login_required
def add_certificate(product_id: int):
    form = CertificateForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.document.data
    doc = (upload.filename, upload.read()) if upload is not None and getattr(upload, "filename", "") else None
    data = {k: form.data[k] for k in ("kind", "name", "issuer", "number", "valid_until")}
    try:
        svc.add_certificate(db.session(), current_app.config, current_user, product_id, data, doc)
    except ValidationError as e:
        db.session().rollback()
        for message in e.fields.values():
            flash(message, "error")
    else:
        flash(_("The certificate has been added."), "success")
    return redirect(url_for("catalog.product", product_id=product_id))


def _visible_file(file_id: int, kinds: tuple[str, ...]) -> StoredFile:
    session = db.session()
    stored = session.get(StoredFile, file_id)
    if stored is None or stored.owner_kind not in kinds:
        abort(404)
    if stored.owner_kind == svc.CERT_OWNER:
        cert = session.get(ProductCertificate, stored.owner_id)
        product_id = cert.product_id if cert else None
    else:
        if stored.slot != "image":
            abort(404)
        product_id = stored.owner_id
    user = current_user if current_user.is_authenticated else None
    try:
        svc.get_visible(session, user, product_id or 0)
    except NotFound:
        abort(404)
    return stored


@bp.get("/images/<int:file_id>")
def image(file_id: int):
    stored = _visible_file(file_id, (svc.IMAGE_OWNER,))
    return Response(files.read(current_app.config, stored), mimetype=stored.content_type,
                    headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


@bp.get("/images/<int:file_id>/thumbnail")
def thumbnail(file_id: int):
    stored = _visible_file(file_id, (svc.IMAGE_OWNER,))
    return Response(files.thumbnail(current_app.config, stored, 320), mimetype="image/png",
                    headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


@bp.get("/certificates/files/<int:file_id>")
def certificate_document(file_id: int):
    stored = _visible_file(file_id, (svc.CERT_OWNER,))
    return Response(files.read(current_app.config, stored), mimetype=stored.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"',
                             "X-Content-Type-Options": "nosniff"})


@bp.get("/mine")
@login_required
def mine():
    session = db.session()
    orgs = svc.listing_orgs(current_user)
    authz.require(bool(orgs), _("Only supplier representatives can list products."))
    items = []
    for org in orgs:
        items += svc.search(session, organisation_id=org.id, statuses=tuple(ProductStatus), per_page=500)[0]
    return render_template("catalog/mine.html", items=items, orgs=orgs)


@bp.get("/review")
@login_required
def review():
    return render_template("catalog/review.html", items=svc.review_queue(db.session(), current_user),
                           form=EmptyForm())


# ---- codes -----------------------------------------------------------------------------------------------

@bp.get("/verify")
def verify():
    code = request.args.get("code", "").strip()
    result = product_codes.verify(db.session(), code, _lang()) if code else None
    status = 200
    if result is not None and result["status"] in ("malformed", "check_digit"):
        status = 422
    elif result is not None and result["status"] == "unknown":
        status = 404
    return render_template("catalog/verify.html", code=code, result=result), status


# ---- directory --------------------------------------------------------------------------------------------

@bp.get("/enterprises")
def enterprises():
    session = db.session()
    page = request.args.get("page", 1, type=int)
    orgs, total = directory.search(session, q=request.args.get("q", ""), category=request.args.get("category"),
                                   province=request.args.get("province"), size=request.args.get("size"),
                                   sme=request.args.get("sme"), domestic=request.args.get("domestic"), page=page)
    counts = directory.product_counts(session, [o.id for o in orgs])
    return render_template("catalog/enterprises.html", orgs=orgs, total=total, page=page, per_page=20,
                           counts=counts, args=request.args, provinces=province_choices(_lang()),
                           categories=[c for c in categories.all_categories(session, True) if c.parent_id is None],
                           sizes=[(s.value, SIZE_LABELS[s]) for s in SizeClass])


@bp.get("/enterprises/<int:org_id>")
def enterprise(org_id: int):
    session = db.session()
    org = directory.get_profile(session, org_id)
    items = svc.for_organisation(session, org.id)
    return render_template("catalog/enterprise.html", org=org, items=items,
                           categories=directory.categories_of(session, org.id),
                           sections=directory.render_sections(session, org), lang=_lang())


# ---- taxonomy ------------------------------------------------------------------------------------------------

@bp.get("/categories")
def categories_page():
    session = db.session()
    user = current_user if current_user.is_authenticated else None
    return render_template("catalog/categories.html", cats=categories.all_categories(session),
                           is_admin=authz.is_admin(user), lang=_lang())


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@login_required
def edit_category(category_id: int):
    authz.require(authz.is_admin(current_user), _("Only administrators can edit the taxonomy."))
    session = db.session()
    cat = categories.get_category(session, category_id)
    form = CategoryForm()
    if not form.is_submitted():
        for k in ("name_vi", "name_en", "description_vi", "description_en", "is_active"):
            getattr(form, k).data = getattr(cat, k)
        form.cpv_codes.data = ", ".join(cat.cpv_codes or [])
        form.hs_codes.data = ", ".join(cat.hs_codes or [])
        form.domestic_target_min.data = "" if cat.domestic_target_min is None else str(cat.domestic_target_min)
        form.domestic_target_max.data = "" if cat.domestic_target_max is None else str(cat.domestic_target_max)
    if form.validate_on_submit():
        data = {k: form.data[k] for k in ("name_vi", "name_en", "description_vi", "description_en", "cpv_codes",
                                          "hs_codes", "domestic_target_min", "domestic_target_max", "is_active")}
        try:
            categories.update_category(session, current_user, cat.id, data)
        except ValidationError as e:
            session.rollback()
            apply_errors(form, e.fields)
            flash(_("Please correct the marked fields."), "error")
        else:
            flash(_("The category has been saved."), "success")
            return redirect(url_for("catalog.categories_page"))
    return render_template("catalog/category_form.html", form=form, cat=cat), (422 if form.errors else 200)


# ---- CSV import --------------------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_page():
    authz.require(authz.is_admin(current_user), _("Only administrators can import data."))
    session = db.session()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is None or not getattr(upload, "filename", ""):
                raise ValidationError({"file": _("Choose a CSV file.")})
            fn = csv_import.import_products if form.kind.data == "products" else csv_import.import_organisations
            run = fn(session, current_user, upload.read(), upload.filename)
        except ValidationError as e:
            session.rollback()
            apply_errors(form, e.fields)
        else:
            flash(_("Import finished: %(created)s created, %(updated)s updated, %(errors)s rows with errors.",
                    created=run.created_count, updated=run.updated_count, errors=run.error_count),
                  "warning" if run.error_count else "success")
            return redirect(url_for("catalog.import_report", run_id=run.id))
    return render_template("catalog/import.html", form=form, runs=csv_import.recent_runs(session, current_user),
                           org_columns=csv_import.ORG_COLUMNS, product_columns=csv_import.PRODUCT_COLUMNS,
                           org_required=csv_import.ORG_REQUIRED, product_required=csv_import.PRODUCT_REQUIRED
                           ), (422 if form.errors else 200)


@bp.get("/import/<int:run_id>")
@login_required
def import_report(run_id: int):
    run = csv_import.get_run(db.session(), current_user, run_id)
    only_errors = request.args.get("errors") == "1"
    rows = [r for r in run.report if r["status"] == "error"] if only_errors else run.report
    return render_template("catalog/import_report.html", run=run, rows=rows, only_errors=only_errors)


@bp.get("/import/<int:run_id>.csv")
@login_required
def import_report_csv(run_id: int):
    import csv
    import io

    run = csv_import.get_run(db.session(), current_user, run_id)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["row", "key", "status", "field", "message"])
    for r in run.report:
        if r["errors"]:
            for field, message in r["errors"].items():
                w.writerow([r["row"], r["key"], r["status"], field, message])
        else:
            w.writerow([r["row"], r["key"], r["status"], "", ""])
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="import-{run.id}-report.csv"'})


@bp.get("/import/template-<kind>.csv")
@login_required
def import_template(kind: str):
    authz.require(authz.is_admin(current_user), _("Only administrators can import data."))
    cols = {"organisations": csv_import.ORG_COLUMNS, "products": csv_import.PRODUCT_COLUMNS}.get(kind)
    if cols is None:
        abort(404)
    return Response("\ufeff" + ",".join(cols) + "\r\n", mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'})

