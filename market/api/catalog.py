"""JSON API for the catalogue: taxonomy, products and their review, identification codes, directory, CSV."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for

from .. import db
from ..authz import is_admin
from ..errors import ValidationError
from ..i18n import _l, current_language
from ..services import categories, csv_import, directory, exports, product_codes, products
from ..services.products import CertificateKind, ProductKind, ProductStatus
from . import api_user, route

_ADMINS_ONLY = (is_admin, _l("Only administrators can import data."))

_NUM = {"type": ["number", "string", "null"]}
_MONEY = {"type": ["integer", "string", "null"], "description": "đồng, a non-negative whole number"}
_PCT = {"type": ["number", "string", "null"], "description": "percent, 0 to 100"}
PRODUCT_PROPERTIES = {
    "name": {"type": "string", "maxLength": 300},
    "description": {"type": "string", "maxLength": 8000},
    "language": {"type": "string", "enum": ["vi", "en"]},
    "kind": {"type": "string", "enum": [k.value for k in ProductKind]},
    "category": {"type": ["string", "integer"], "description": "category code (e.g. 'wastewater.industrial') or id"},
    "sku": {"type": ["string", "null"], "maxLength": 60},
    "cpv_codes": {"type": "array", "items": {"type": "string"}, "description": "CPV 2008 codes"},
    "hs_code": {"type": ["string", "null"], "description": "HS code: 4, 6, 8 or 10 digits, dots optional"},
    "capacity_value": _NUM, "capacity_unit": {"type": ["string", "null"], "maxLength": 30},
    "throughput_value": _NUM, "throughput_unit": {"type": ["string", "null"], "maxLength": 30},
    "efficiency_pct": _PCT, "power_kw": _NUM,
    "specs": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
    "price_min_vnd": _MONEY, "price_max_vnd": _MONEY, "domestic_content_pct": _PCT,
    "made_in_vietnam": {"type": "boolean"}, "national_brand": {"type": "boolean"},
}
CREATE_SCHEMA = {"type": "object", "required": ["name", "category"],
                 "properties": {**PRODUCT_PROPERTIES,
                                "organisation_id": {"type": "integer",
                                                    "description": "needed only if you represent several"}},
                 "additionalProperties": False}
UPDATE_SCHEMA = {"type": "object", "properties": PRODUCT_PROPERTIES, "additionalProperties": False}
APPROVE_SCHEMA = {"type": "object", "properties": {"issue_code": {"type": "boolean"}}, "additionalProperties": False}
REJECT_SCHEMA = {"type": "object", "required": ["reason"],
                 "properties": {"reason": {"type": "string", "maxLength": 2000}}, "additionalProperties": False}
WITHDRAW_SCHEMA = {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 500}},
                   "additionalProperties": False}
CATEGORY_SCHEMA = {
    "type": "object",
    "properties": {
        "name_vi": {"type": "string", "maxLength": 200}, "name_en": {"type": "string", "maxLength": 200},
        "description_vi": {"type": ["string", "null"]}, "description_en": {"type": ["string", "null"]},
        "cpv_codes": {"type": "array", "items": {"type": "string"}},
        "hs_codes": {"type": "array", "items": {"type": "string"}},
        "domestic_target_min": {"type": ["integer", "null"]}, "domestic_target_max": {"type": ["integer", "null"]},
        "is_active": {"type": "boolean"}, "sort_order": {"type": "integer"},
    },
    "additionalProperties": False,
}


def _product_json(p, user=None) -> dict:
    session = db.session()
    out = products.product_dict(p, current_language(), [f.id for f in products.images(session, p.id)])
    out["url"] = url_for("catalog.product", product_id=p.id, _external=True)
    out["image_urls"] = [url_for("catalog.image", file_id=i, _external=True) for i in out["image_ids"]]
    out["thumbnail_urls"] = [url_for("catalog.thumbnail", file_id=i, _external=True) for i in out["image_ids"]]
    out["can_edit"] = products.can_edit(user, p) if user is not None else False
    return out


def _flag(name: str):
    raw = request.args.get(name)
    if raw in (None, "", "any"):
        return None
    return raw.lower() in ("1", "true", "yes", "on")


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        raise ValidationError({"page": str(_l("Enter a whole number."))}) from None


# ---- taxonomy --------------------------------------------------------------------------------------------

@route("/categories", summary="Taxonomy of the environmental industry (Vietnamese and English, CPV and HS)",
       query={"active": "true to hide deactivated categories"}, tags=("catalog",))
def catalog_categories():
    session = db.session()
    cats = categories.all_categories(session, active_only=request.args.get("active") in ("1", "true"))
    return jsonify({"items": [categories.category_dict(c, current_language()) for c in cats]})


@route("/categories/<int:category_id>", ("PATCH",), summary="Administrators: edit a category", auth=True,
       body=CATEGORY_SCHEMA, tags=("catalog",), responses={403: "Not an administrator", 422: "Field errors"})
def catalog_update_category(category_id: int, data):
    cat = categories.update_category(db.session(), api_user(), category_id, data)
    return jsonify(categories.category_dict(cat, current_language()))


# ---- products --------------------------------------------------------------------------------------------

@route("/products", ("POST",), summary="List a product (draft) for an organisation you represent", auth=True,
       body=CREATE_SCHEMA, tags=("catalog",),
       gate=(lambda u: bool(products.listing_orgs(u)), _l("Only supplier representatives can list products.")),
       responses={201: "Created", 403: "Not a supplier representative",
                                                          422: "Field errors"})
def catalog_create_product(data):
    user = api_user()
    data = dict(data)
    org_id = data.pop("organisation_id", None)
    p = products.create(db.session(), user, org_id, data)
    return jsonify(_product_json(p, user)), 201


@route("/products", summary="Search approved products", tags=("catalog",),
       query={"q": "words or an identification code", "category": "category code", "province": "province code",
              "organisation_id": "an organisation", "made_in_vietnam": "true/false", "kind": "equipment, technology "
              "or service", "status": "mine: your organisations' products in any state; review: the admin queue",
              "page": "page number (20 per page)"})
def catalog_list_products():
    session = db.session()
    user = api_user(optional=True)
    status = request.args.get("status")
    if status == "review":
        items = products.review_queue(session, user)
        return jsonify({"items": [_product_json(p, user) for p in items], "total": len(items), "page": 1})
    kw = dict(q=request.args.get("q", ""), category=request.args.get("category") or None,
              province=request.args.get("province") or None, made_in_vietnam=_flag("made_in_vietnam"),
              kind=request.args.get("kind") or None, page=_page())
    if status == "mine":
        orgs = products.listing_orgs(user)
        from ..authz import require_user
        require_user(user)
        items, total = [], 0
        for org in orgs:
            found, n = products.search(session, organisation_id=org.id, statuses=tuple(ProductStatus), **kw)
            items += found
            total += n
    else:
        org_id = request.args.get("organisation_id", type=int)
        items, total = products.search(session, organisation_id=org_id, **kw)
    return jsonify({"items": [_product_json(p, user) for p in items], "total": total, "page": kw["page"]})


@route("/products/<int:product_id>", summary="One product (unpublished ones only for their organisation and admins)",
       tags=("catalog",), responses={404: "No such product, or not public"})
def catalog_get_product(product_id: int):
    user = api_user(optional=True)
    return jsonify(_product_json(products.get_visible(db.session(), user, product_id), user))


@route("/products/<int:product_id>", ("PATCH",), summary="Edit a product (an approved one goes back to review)",
       auth=True, body=UPDATE_SCHEMA, tags=("catalog",),
       responses={403: "Not the organisation's representative", 409: "Under review or withdrawn", 422: "Field errors"})
def catalog_update_product(product_id: int, data):
    user = api_user()
    return jsonify(_product_json(products.update(db.session(), user, product_id, data), user))


@route("/products/<int:product_id>/submit", ("POST",), summary="Send a product for review", auth=True,
       tags=("catalog",), responses={403: "Not the organisation's representative", 409: "Wrong state"})
def catalog_submit_product(product_id: int):
    user = api_user()
    return jsonify(_product_json(products.submit(db.session(), user, product_id), user))


@route("/products/<int:product_id>/approve", ("POST",), summary="Administrators: approve and issue the code",
       auth=True, body=APPROVE_SCHEMA, tags=("catalog",), responses={403: "Not an administrator", 409: "Wrong state"})
def catalog_approve_product(product_id: int, data):
    user = api_user()
    p = products.approve(db.session(), user, product_id, issue_code=data.get("issue_code", True))
    return jsonify(_product_json(p, user))


@route("/products/<int:product_id>/reject", ("POST",), summary="Administrators: reject with a reason", auth=True,
       body=REJECT_SCHEMA, tags=("catalog",), responses={403: "Not an administrator", 409: "Wrong state"})
def catalog_reject_product(product_id: int, data):
    user = api_user()
    return jsonify(_product_json(products.reject(db.session(), user, product_id, data["reason"]), user))


@route("/products/<int:product_id>/withdraw", ("POST",), summary="Withdraw a product (its code is revoked)",
       auth=True, body=WITHDRAW_SCHEMA, tags=("catalog",), responses={403: "Not allowed", 409: "Wrong state"})
def catalog_withdraw_product(product_id: int, data):
    user = api_user()
    return jsonify(_product_json(products.withdraw(db.session(), user, product_id, data.get("reason", "")), user))


@route("/products/<int:product_id>/code", ("POST",), summary="Administrators: issue the identification code",
       auth=True, tags=("catalog",), responses={201: "Issued", 403: "Not an administrator", 409: "Not approved"})
def catalog_issue_code(product_id: int):
    code = products.issue_code(db.session(), api_user(), product_id)
    return jsonify(product_codes.verify(db.session(), code.code, current_language())), 201


@route("/products/<int:product_id>/images", ("POST",), summary="Add an image (multipart field 'image': PNG, "
       "JPEG or WebP)", auth=True, tags=("catalog",),
       responses={201: "Stored", 403: "Not the organisation's representative", 422: "Not an image or too large"})
def catalog_add_image(product_id: int):
    user = api_user()
    upload = request.files.get("image") or request.files.get("file")
    if upload is None:
        raise ValidationError({"image": str(_l("Send the image in the multipart field 'image'."))})
    stored = products.add_image(db.session(), current_app.config, user, product_id, upload.read(),
                                upload.filename or "")
    return jsonify({"id": stored.id, "filename": stored.filename, "content_type": stored.content_type,
                    "size": stored.size, "url": url_for("catalog.image", file_id=stored.id, _external=True),
                    "thumbnail_url": url_for("catalog.thumbnail", file_id=stored.id, _external=True)}), 201


@route("/products/<int:product_id>/certificates", ("POST",), summary="Add an eco-label or certificate (multipart: "
       "kind, name, issuer, number, valid_until, optional file 'document')", auth=True, tags=("catalog",),
       responses={201: "Stored", 403: "Not the organisation's representative", 422: "Field errors"})
def catalog_add_certificate(product_id: int):
    user = api_user()
    data = request.form.to_dict() if request.form else (request.get_json(silent=True) or {})
    upload = request.files.get("document")
    doc = (upload.filename or "", upload.read()) if upload is not None else None
    if data.get("kind") and data["kind"] not in {k.value for k in CertificateKind}:
        raise ValidationError({"kind": str(_l("Choose the kind of certificate."))})
    cert = products.add_certificate(db.session(), current_app.config, user, product_id, data, doc)
    return jsonify({"id": cert.id, "kind": cert.kind.value, "name": cert.name,
                    "document_file_id": cert.document_file_id}), 201


# ---- codes -----------------------------------------------------------------------------------------------

@route("/product-codes/<path:code>", summary="Verify an environmental product identification code",
       tags=("catalog",), responses={200: "Valid or revoked", 404: "Unknown code", 422: "Malformed or wrong check "
                                                                                        "character"})
def catalog_verify_code(code: str):
    result = product_codes.verify(db.session(), code, current_language())
    status = {"valid": 200, "revoked": 200, "unknown": 404}.get(result["status"], 422)
    if status == 422:
        return jsonify({"error": {"code": result["status"], "message": result["message"],
                                  "fields": {"code": result["message"]}}, **result}), 422
    return jsonify(result), status


# ---- directory ---------------------------------------------------------------------------------------------

@route("/enterprises", summary="Directory of verified enterprises", tags=("catalog",),
       query={"q": "words or a tax code", "category": "category code", "province": "province code",
              "size": "micro, small, medium or large", "sme": "true/false", "domestic": "domestic manufacturer "
              "true/false", "page": "page number (20 per page)"})
def catalog_enterprises():
    session = db.session()
    orgs, total = directory.search(session, q=request.args.get("q", ""), category=request.args.get("category"),
                                   province=request.args.get("province"), size=request.args.get("size"),
                                   sme=request.args.get("sme"), domestic=request.args.get("domestic"), page=_page())
    counts = directory.product_counts(session, [o.id for o in orgs])
    items = []
    for o in orgs:
        item = directory.enterprise_dict(session, o, counts.get(o.id, 0))
        item["url"] = url_for("catalog.enterprise", org_id=o.id, _external=True)
        items.append(item)
    return jsonify({"items": items, "total": total, "page": _page()})


@route("/enterprises/<int:org_id>", summary="One enterprise's public profile with its approved products",
       tags=("catalog",), responses={404: "Not a verified directory organisation"})
def catalog_enterprise(org_id: int):
    session = db.session()
    org = directory.get_profile(session, org_id)
    out = directory.enterprise_dict(session, org)
    out["product_list"] = [_product_json(p) for p in products.for_organisation(session, org.id)]
    out["sections"] = {s.key: items for s, items in directory.render_sections(session, org)}
    return jsonify(out)


# ---- import / export ---------------------------------------------------------------------------------------

def _upload_bytes() -> tuple[bytes, str]:
    upload = request.files.get("file")
    if upload is not None:
        return upload.read(), upload.filename or ""
    if request.mimetype in ("text/csv", "application/csv", "application/octet-stream"):
        return request.get_data(), ""
    raise ValidationError({"file": str(_l("Send the CSV in the multipart field 'file' or as a text/csv body."))})


@route("/imports/organisations", ("POST",), summary="Administrators: import organisations from CSV (multipart "
       "'file'); returns the row-by-row report", auth=True, tags=("catalog",), gate=_ADMINS_ONLY,
       responses={201: "Imported (see report)", 403: "Not an administrator", 422: "Wrong header or encoding"})
def catalog_import_organisations():
    user = api_user()
    data, name = _upload_bytes()
    run = csv_import.import_organisations(db.session(), user, data, name)
    return jsonify(csv_import.run_dict(run)), 201


@route("/imports/products", ("POST",), summary="Administrators: import products from CSV (multipart 'file'); "
       "returns the row-by-row report", auth=True, tags=("catalog",), gate=_ADMINS_ONLY,
       responses={201: "Imported (see report)", 403: "Not an administrator", 422: "Wrong header or encoding"})
def catalog_import_products():
    user = api_user()
    data, name = _upload_bytes()
    run = csv_import.import_products(db.session(), user, data, name)
    return jsonify(csv_import.run_dict(run)), 201


def _csv_response(text: str, name: str) -> Response:
    return Response("\ufeff" + text, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _json_response(text: str) -> Response:
    return Response(text, mimetype="application/json")


@route("/exports/enterprises.csv", summary="Directory as CSV (UTF-8, import-compatible columns)", tags=("catalog",))
def catalog_export_enterprises_csv():
    return _csv_response(exports.enterprises_csv(db.session()), "enterprises.csv")


@route("/exports/enterprises.json", summary="Directory as JSON", tags=("catalog",))
def catalog_export_enterprises_json():
    return _json_response(exports.to_json(exports.enterprise_rows(db.session())))


@route("/exports/products.csv", summary="Approved products as CSV (UTF-8, import-compatible columns)",
       tags=("catalog",))
def catalog_export_products_csv():
    return _csv_response(exports.products_csv(db.session()), "products.csv")


@route("/exports/products.json", summary="Approved products as JSON", tags=("catalog",))
def catalog_export_products_json():
    return _json_response(exports.to_json(exports.product_rows(db.session())))
