"""Product catalogue: enterprises list equipment, technologies and services; administrators review them.

Review is a state machine (TRANSITIONS): draft -> pending_review -> approved (published) | rejected (reason);
a rejected or draft product may be resubmitted, editing an approved product sends it back to review (its code
is kept), and a product may be withdrawn (its code is revoked, never reused).
"""
from __future__ import annotations

import math
from datetime import date
from typing import Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..authz import has_role_in, is_admin, orgs_where, require, require_user
from ..errors import Conflict, NotFound, ValidationError
from ..i18n import _l
from ..indexing import ORGANISATION_PROFILE_PARTS, displayer, document_builder, related, reindex
from ..models import Organisation, OrgKind, Role, User, utcnow
from ..models.catalog import (CertificateKind, Product, ProductCategory, ProductCertificate, ProductKind,
                              ProductStatus)
from ..models.files import StoredFile
from . import audit, files
from .categories import clean_cpv_codes, hs_error, normalise_hs
from .outbox import send_email

S = ProductStatus
# (state, event) -> new state; anything else is refused.
TRANSITIONS: dict[tuple[ProductStatus, str], ProductStatus] = {
    (S.DRAFT, "submit"): S.PENDING_REVIEW,
    (S.REJECTED, "submit"): S.PENDING_REVIEW,
    (S.PENDING_REVIEW, "approve"): S.APPROVED,
    (S.PENDING_REVIEW, "reject"): S.REJECTED,
    (S.APPROVED, "edit"): S.PENDING_REVIEW,
    (S.DRAFT, "edit"): S.DRAFT,
    (S.REJECTED, "edit"): S.REJECTED,
    (S.DRAFT, "withdraw"): S.WITHDRAWN,
    (S.PENDING_REVIEW, "withdraw"): S.WITHDRAWN,
    (S.APPROVED, "withdraw"): S.WITHDRAWN,
    (S.REJECTED, "withdraw"): S.WITHDRAWN,
}
IMAGE_OWNER = "product"
CERT_OWNER = "product_certificate"
MAX_IMAGES = 8
CERT_TYPES = {**files.DOCUMENT_TYPES, **files.IMAGE_TYPES}
CERTIFICATE_LABELS = {
    CertificateKind.VN_GREEN_LABEL: _l("Vietnam Green Label"),
    CertificateKind.ISO_14001: _l("ISO 14001 environmental management"),
    CertificateKind.ISO_9001: _l("ISO 9001 quality management"),
    CertificateKind.ISO_50001: _l("ISO 50001 energy management"),
    CertificateKind.EU_ECOLABEL: _l("EU Ecolabel"),
    CertificateKind.VN_ENERGY_LABEL: _l("Vietnam energy label"),
    CertificateKind.QCVN_CONFORMITY: _l("QCVN conformity certificate"),
    CertificateKind.OTHER: _l("Other certificate"),
}
KIND_LABELS = {ProductKind.EQUIPMENT: _l("Equipment"), ProductKind.TECHNOLOGY: _l("Technology"),
               ProductKind.SERVICE: _l("Service")}
STATUS_LABELS = {S.DRAFT: _l("Draft"), S.PENDING_REVIEW: _l("Pending review"), S.APPROVED: _l("Approved"),
                 S.REJECTED: _l("Rejected"), S.WITHDRAWN: _l("Withdrawn")}


def advance(state: ProductStatus, event: str) -> ProductStatus:
    """Return the state after event, or raise Conflict for a move the review process does not allow."""
    new = TRANSITIONS.get((state, event))
    if new is None:
        raise Conflict(str(_l("This cannot be done while the product is %(status)s.",
                              status=str(STATUS_LABELS[state]).lower())))
    return new


# ---- permissions -------------------------------------------------------------------------------------------

def can_edit(user: User | None, product: Product) -> bool:
    """Only the organisation's supplier representatives edit its products."""
    return has_role_in(user, product.organisation_id, Role.SUPPLIER_REPRESENTATIVE)


def can_review(user: User | None) -> bool:
    """Only administrators approve, reject, issue codes and import."""
    return is_admin(user)


def can_view(user: User | None, product: Product) -> bool:
    """Approved products are public; others only for their organisation and administrators."""
    return product.status == S.APPROVED or can_edit(user, product) or is_admin(user)


def listing_orgs(user: User | None) -> list[Organisation]:
    """Organisations in which the user may list products."""
    return [o for o in orgs_where(user, Role.SUPPLIER_REPRESENTATIVE)]


# ---- validation --------------------------------------------------------------------------------------------

_TEXT_FIELDS = {"name": 300, "description": 8000, "sku": 60, "capacity_unit": 30, "throughput_unit": 30}
_NUMBER_FIELDS = ("capacity_value", "throughput_value", "efficiency_pct", "power_kw", "domestic_content_pct")
_PERCENT_FIELDS = ("efficiency_pct", "domestic_content_pct")
_MONEY_FIELDS = ("price_min_vnd", "price_max_vnd")
_BOOL_FIELDS = ("made_in_vietnam", "national_brand")
FIELDS = ("name", "description", "language", "kind", "category", "sku", "cpv_codes", "hs_code", *_NUMBER_FIELDS,
          "capacity_unit", "throughput_unit", "specs", *_MONEY_FIELDS, *_BOOL_FIELDS)


def _number(value) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    out = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    if math.isnan(out) or math.isinf(out):
        raise ValueError
    return out


def _money(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip().replace(".", "").replace(",", "").replace(" ", "").replace("₫", "")
        if not value.lstrip("-").isdigit():
            raise ValueError
        return int(value)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    return int(value)


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on", "x", "có", "co"}
    return bool(value)


def clean(session: Session, data: Mapping, current: Product | None = None) -> dict:
    """Validate product fields (all of them for a new product, the given ones for an edit) and return clean values.

    Raises ValidationError with one message per bad field; nothing is written.
    """
    errors: dict[str, str] = {}
    out: dict = {}
    partial = current is not None
    for key, limit in _TEXT_FIELDS.items():
        if key in data or (not partial and key == "name"):
            value = (data.get(key) or "")
            value = str(value).strip()
            if key == "name" and not value:
                errors[key] = str(_l("Enter the product name."))
            elif len(value) > limit:
                errors[key] = str(_l("At most %(n)s characters.", n=limit))
            out[key] = value if key in ("name", "description") else (value or None)
    if "language" in data:
        out["language"] = data["language"] if data["language"] in ("vi", "en") else "vi"
    if "kind" in data or not partial:
        try:
            out["kind"] = ProductKind(data.get("kind") or "equipment")
        except ValueError:
            errors["kind"] = str(_l("Choose equipment, technology or service."))
    if "category" in data or "category_id" in data or not partial:
        cat = None
        raw = data.get("category_id", data.get("category"))
        if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
            cat = session.get(ProductCategory, int(raw))
        elif isinstance(raw, str) and raw:
            cat = session.scalar(select(ProductCategory).where(ProductCategory.code == raw.strip()))
        if cat is None or not cat.is_active:
            errors["category"] = str(_l("Choose a category of the environmental industry."))
        else:
            out["category_id"] = cat.id
    if "cpv_codes" in data:
        codes, errs = clean_cpv_codes(data.get("cpv_codes") or [], "cpv_codes")
        errors.update(errs)
        out["cpv_codes"] = codes
    if "hs_code" in data:
        raw = (data.get("hs_code") or "").strip()
        if raw:
            if err := hs_error(raw):
                errors["hs_code"] = err
            else:
                out["hs_code"] = normalise_hs(raw)
        else:
            out["hs_code"] = None
    for key in _NUMBER_FIELDS:
        if key in data:
            try:
                value = _number(data[key])
            except (TypeError, ValueError):
                errors[key] = str(_l("Enter a number."))
                continue
            if value is not None and key in _PERCENT_FIELDS and not 0 <= value <= 100:
                errors[key] = str(_l("Enter a percentage between 0 and 100."))
            elif value is not None and value < 0:
                errors[key] = str(_l("Must not be negative."))
            out[key] = value
    for key in _MONEY_FIELDS:
        if key in data:
            try:
                value = _money(data[key])
            except (TypeError, ValueError):
                errors[key] = str(_l("Enter an amount in đồng, digits only."))
                continue
            if value is not None and value < 0:
                errors[key] = str(_l("Must not be negative."))
            elif value is not None and value > 10 ** 15:
                errors[key] = str(_l("This amount is implausibly large."))
            out[key] = value
    lo = out.get("price_min_vnd", current.price_min_vnd if current else None)
    hi = out.get("price_max_vnd", current.price_max_vnd if current else None)
    if "price_min_vnd" not in errors and "price_max_vnd" not in errors and lo is not None and hi is not None \
            and lo > hi:
        errors["price_max_vnd"] = str(_l("The maximum price must not be lower than the minimum price."))
    for key in _BOOL_FIELDS:
        if key in data:
            out[key] = _bool(data[key])
    if "specs" in data:
        specs = data.get("specs") or {}
        if not isinstance(specs, dict) or len(specs) > 30 or any(
                not isinstance(k, str) or len(k) > 80 or len(str(v)) > 200 for k, v in specs.items()):
            errors["specs"] = str(_l("Give up to 30 specifications as name and value pairs."))
        else:
            out["specs"] = {k.strip(): str(v).strip() for k, v in specs.items() if k.strip()}
    if errors:
        raise ValidationError(errors)
    return out


# ---- queries -----------------------------------------------------------------------------------------------

def get(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(str(_l("Product not found.")))
    return product


def get_visible(session: Session, user: User | None, product_id: int) -> Product:
    """Return the product if the user may see it; hide unpublished ones behind NotFound."""
    product = get(session, product_id)
    if not can_view(user, product):
        raise NotFound(str(_l("Product not found.")))
    return product


def search(session: Session, *, q: str = "", category: str | None = None, province: str | None = None,
           organisation_id: int | None = None, made_in_vietnam: bool | None = None, kind: str | None = None,
           statuses: tuple[ProductStatus, ...] = (S.APPROVED,), page: int = 1, per_page: int = 20
           ) -> tuple[list[Product], int]:
    """Return a page of products matching the filters (approved only unless statuses say otherwise) and the total."""
    from .categories import by_code, descendant_ids

    query = select(Product).join(Product.organisation)
    if statuses:
        query = query.where(Product.status.in_(statuses))
    if category:
        cat = by_code(session, category)
        query = query.where(Product.category_id.in_(descendant_ids(session, cat) if cat else [-1]))
    if province:
        query = query.where(Organisation.province == province)
    if organisation_id:
        query = query.where(Product.organisation_id == organisation_id)
    if made_in_vietnam is not None:
        query = query.where(Product.made_in_vietnam.is_(made_in_vietnam))
    if kind:
        query = query.where(Product.kind == kind)
    if q and q.strip():
        from ..models.catalog import ProductCode

        like = f"%{q.strip().lower()}%"
        code_ids = select(ProductCode.product_id).where(func.upper(ProductCode.code) == q.strip().upper())
        query = query.where(or_(func.lower(Product.name).like(like), func.lower(Product.description).like(like),
                                func.lower(Organisation.name).like(like), Product.id.in_(code_ids)))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = max(1, page)
    rows = session.scalars(query.order_by(Product.updated_at.desc(), Product.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).unique()
    return list(rows), total


def for_organisation(session: Session, org_id: int, public_only: bool = True) -> list[Product]:
    q = select(Product).where(Product.organisation_id == org_id)
    if public_only:
        q = q.where(Product.status == S.APPROVED)
    return list(session.scalars(q.order_by(Product.name)))


def review_queue(session: Session, user: User | None) -> list[Product]:
    """Products waiting for an administrator, oldest first."""
    require_user(user)
    require(can_review(user), str(_l("Only administrators review products.")))
    return list(session.scalars(select(Product).where(Product.status == S.PENDING_REVIEW)
                                .order_by(Product.submitted_at, Product.id)))


def images(session: Session, product_id: int) -> list[StoredFile]:
    """Current images of a product, oldest first."""
    return sorted(files.current(session, IMAGE_OWNER, product_id, "image"), key=lambda f: f.id)


# ---- writes ------------------------------------------------------------------------------------------------

def create(session: Session, user: User | None, organisation_id: int | None, data: Mapping) -> Product:
    """Create a draft product for an organisation the user represents."""
    require_user(user)
    if organisation_id is None:
        orgs = listing_orgs(user)
        require(len(orgs) > 0, str(_l("Only supplier representatives can list products.")))
        organisation_id = orgs[0].id
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(str(_l("Organisation not found.")))
    require(has_role_in(user, org.id, Role.SUPPLIER_REPRESENTATIVE),
            str(_l("Only the organisation's supplier representatives can list its products.")))
    values = clean(session, data)
    if values.get("sku") and session.scalar(select(Product.id).where(
            Product.organisation_id == org.id, Product.sku == values["sku"])):
        raise ValidationError({"sku": str(_l("Another of your products already uses this SKU."))})
    product = Product(organisation_id=org.id, created_by_id=user.id, status=S.DRAFT, **values)
    session.add(product)
    session.flush()
    audit.record(session, "catalog.product_created", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"name": product.name})
    reindex(session, "product", product.id)
    session.commit()
    return product


def update(session: Session, user: User | None, product_id: int, data: Mapping) -> Product:
    """Change a product's fields; an approved product goes back to review."""
    require_user(user)
    product = get(session, product_id)
    require(can_edit(user, product), str(_l("Only the organisation's supplier representatives can edit this product.")))
    new_status = advance(product.status, "edit")
    values = clean(session, data, current=product)
    if values.get("sku") and session.scalar(select(Product.id).where(
            Product.organisation_id == product.organisation_id, Product.sku == values["sku"],
            Product.id != product.id)):
        raise ValidationError({"sku": str(_l("Another of your products already uses this SKU."))})
    for key, value in values.items():
        setattr(product, key, value)
    if new_status != product.status:
        product.status = new_status
        product.submitted_at = utcnow()
    audit.record(session, "catalog.product_updated", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"fields": sorted(values), "status": product.status.value})
    reindex(session, "product", product.id)
    session.commit()
    return product


def submit(session: Session, user: User | None, product_id: int) -> Product:
    """Send a draft or rejected product for review."""
    require_user(user)
    product = get(session, product_id)
    require(can_edit(user, product), str(_l("Only the organisation's supplier representatives can submit this product.")))
    missing = {}
    if not (product.description or "").strip():
        missing["description"] = str(_l("Describe the product before submitting it for review."))
    if missing:
        raise ValidationError(missing)
    product.status = advance(product.status, "submit")
    product.submitted_at = utcnow()
    product.rejection_reason = None
    audit.record(session, "catalog.product_submitted", actor_id=user.id, subject_type="product",
                 subject_id=product.id)
    reindex(session, "product", product.id)
    session.commit()
    return product


def _notify_reps(session: Session, product: Product, subject: str, body: str) -> None:
    for m in product.organisation.memberships:
        if m.role == Role.SUPPLIER_REPRESENTATIVE and m.user.is_active:
            send_email(session, m.user, subject, body)


def approve(session: Session, user: User | None, product_id: int, issue_code: bool = True) -> Product:
    """Publish a product under review and, by default, issue its identification code."""
    from . import product_codes

    require_user(user)
    require(can_review(user), str(_l("Only administrators approve products.")))
    product = get(session, product_id)
    new_status = advance(product.status, "approve")
    if not product.organisation.is_verified:
        raise Conflict(str(_l("Verify the organisation before approving its products.")))
    product.status = new_status
    product.reviewed_at = product.approved_at = utcnow()
    product.reviewed_by_id = user.id
    product.rejection_reason = None
    code = product_codes.issue_for(session, product, user) if issue_code else None
    audit.record(session, "catalog.product_approved", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"code": code.code if code else None})
    _notify_reps(session, product, str(_l("Your product has been approved")),
                 str(_l("%(name)s is now published in the environmental catalogue.", name=product.name))
                 + (f"\n{code.code}" if code else ""))
    reindex(session, "product", product.id)
    session.commit()
    return product


def issue_code(session: Session, user: User | None, product_id: int):
    """Issue the identification code of an approved product that has none yet (idempotent)."""
    from . import product_codes

    require_user(user)
    require(can_review(user), str(_l("Only administrators issue identification codes.")))
    product = get(session, product_id)
    if product.status != S.APPROVED:
        raise Conflict(str(_l("Only approved products receive an identification code.")))
    existed = product.code is not None and product.code.revoked_at is None
    code = product_codes.issue_for(session, product, user)
    if not existed:
        audit.record(session, "catalog.code_issued", actor_id=user.id, subject_type="product",
                     subject_id=product.id, detail={"code": code.code})
    session.commit()
    return code


def reject(session: Session, user: User | None, product_id: int, reason: str) -> Product:
    """Send a product back to its organisation with the reason."""
    require_user(user)
    require(can_review(user), str(_l("Only administrators reject products.")))
    reason = (reason or "").strip()
    if len(reason) < 5 or len(reason) > 2000:
        raise ValidationError({"reason": str(_l("Explain the reason in 5 to 2000 characters."))})
    product = get(session, product_id)
    product.status = advance(product.status, "reject")
    product.reviewed_at = utcnow()
    product.reviewed_by_id = user.id
    product.rejection_reason = reason
    audit.record(session, "catalog.product_rejected", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"reason": reason})
    _notify_reps(session, product, str(_l("Your product needs changes")),
                 str(_l("%(name)s was not approved: %(reason)s", name=product.name, reason=reason)))
    reindex(session, "product", product.id)
    session.commit()
    return product


def withdraw(session: Session, user: User | None, product_id: int, reason: str = "") -> Product:
    """Take a product off the catalogue; its code is revoked and its number never reused."""
    from . import product_codes

    require_user(user)
    product = get(session, product_id)
    require(can_edit(user, product) or is_admin(user), str(_l("You cannot withdraw this product.")))
    product.status = advance(product.status, "withdraw")
    product_codes.revoke_for(product, reason or "withdrawn")
    audit.record(session, "catalog.product_withdrawn", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"reason": reason})
    reindex(session, "product", product.id)
    session.commit()
    return product


def image_max_bytes(config: Mapping) -> int:
    return int(float(config.get("CATALOG_IMAGE_MAX_MB", 5)) * 1024 * 1024)


def image_max_pixels(config: Mapping) -> int:
    """Return the largest number of pixels (width x height) an uploaded image may declare."""
    return int(config.get("IMAGE_MAX_PIXELS") or 40_000_000)


def add_image(session: Session, config: Mapping, user: User | None, product_id: int, data: bytes,
              filename: str) -> StoredFile:
    """Attach an image (PNG, JPEG or WebP, checked by content, size-limited) to a product."""
    require_user(user)
    product = get(session, product_id)
    require(can_edit(user, product), str(_l("Only the organisation's supplier representatives can add images.")))
    if product.status == S.WITHDRAWN:
        raise Conflict(str(_l("This product has been withdrawn.")))
    if len(images(session, product.id)) >= MAX_IMAGES:
        raise ValidationError({"image": str(_l("A product may have at most %(n)s images.", n=MAX_IMAGES))})
    _check_image(data, filename, config)
    stored = files.store(session, config, data, filename, owner_kind=IMAGE_OWNER, owner_id=product.id, slot="image",
                         uploaded_by=user, types=files.IMAGE_TYPES, max_bytes=image_max_bytes(config), field="image")
    product.updated_at = utcnow()
    audit.record(session, "catalog.product_image_added", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"file": stored.id, "filename": stored.filename})
    reindex(session, "product", product.id)
    session.commit()
    return stored


def _check_image(data: bytes, filename: str, config: Mapping) -> None:
    """Refuse bytes that claim to be an image but cannot be decoded or declare too many pixels (before any write)."""
    import io
    import warnings

    files.check_upload(filename, data, types=files.IMAGE_TYPES, max_bytes=image_max_bytes(config), field="image")
    from PIL import Image, UnidentifiedImageError

    limit = image_max_pixels(config)
    too_big = ValidationError({"image": str(_l(
        "The image has too many pixels; at most %(mp)s megapixels are accepted.", mp=f"{limit / 1e6:g}"))})
    try:
        # A small file may declare a huge canvas; PIL warns or raises on open, so treat both as "too large".
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > limit:
                    raise too_big
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"image": str(_l("The file is not a readable image."))}) from None


def remove_image(session: Session, user: User | None, product_id: int, file_id: int) -> None:
    """Detach an image from a product (the file row stays for the record, moved to the 'removed' slot)."""
    require_user(user)
    product = get(session, product_id)
    require(can_edit(user, product), str(_l("Only the organisation's supplier representatives can remove images.")))
    stored = session.get(StoredFile, file_id)
    if stored is None or stored.owner_kind != IMAGE_OWNER or stored.owner_id != product.id:
        raise NotFound(str(_l("Image not found.")))
    stored.slot = "removed"
    audit.record(session, "catalog.product_image_removed", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"file": stored.id})
    reindex(session, "product", product.id)
    session.commit()


def add_certificate(session: Session, config: Mapping, user: User | None, product_id: int, data: Mapping,
                    document: tuple[str, bytes] | None = None) -> ProductCertificate:
    """Record an eco-label or certificate, optionally with its scanned document (PDF or image)."""
    require_user(user)
    product = get(session, product_id)
    require(can_edit(user, product), str(_l("Only the organisation's supplier representatives can add certificates.")))
    errors: dict[str, str] = {}
    try:
        kind = CertificateKind(data.get("kind") or "")
    except ValueError:
        kind = None
        errors["kind"] = str(_l("Choose the kind of certificate."))
    name = (data.get("name") or (str(CERTIFICATE_LABELS[kind]) if kind else "")).strip()
    if not name or len(name) > 200:
        errors["name"] = str(_l("Enter a name of 1 to 200 characters."))
    valid_until = data.get("valid_until")
    if valid_until in ("", None):
        valid_until = None
    elif not isinstance(valid_until, date):
        try:
            valid_until = date.fromisoformat(str(valid_until))
        except ValueError:
            errors["valid_until"] = str(_l("Enter a date as YYYY-MM-DD."))
    for key, limit in (("issuer", 200), ("number", 100)):
        if len(data.get(key) or "") > limit:
            errors[key] = str(_l("At most %(n)s characters.", n=limit))
    if document is not None:
        try:
            files.check_upload(document[0], document[1], types=CERT_TYPES,
                               max_bytes=files._max_bytes(config, None), field="document")
        except ValidationError as e:
            errors.update(e.fields)
    if errors:
        raise ValidationError(errors)
    cert = ProductCertificate(product_id=product.id, kind=kind, name=name, issuer=(data.get("issuer") or None),
                              number=(data.get("number") or None), valid_until=valid_until)
    session.add(cert)
    session.flush()
    if document is not None:
        stored = files.store(session, config, document[1], document[0], owner_kind=CERT_OWNER, owner_id=cert.id,
                             slot="document", uploaded_by=user, types=CERT_TYPES, field="document")
        cert.document_file_id = stored.id
    audit.record(session, "catalog.certificate_added", actor_id=user.id, subject_type="product",
                 subject_id=product.id, detail={"kind": kind.value, "name": name})
    reindex(session, "product", product.id)
    session.commit()
    return cert


# ---- serialisation -----------------------------------------------------------------------------------------

def product_dict(product: Product, lang: str = "vi", image_ids: list[int] | None = None) -> dict:
    """Serialise a product for the API and exports."""
    code = product.code
    return {
        "id": product.id, "organisation_id": product.organisation_id, "organisation": product.organisation.name,
        "organisation_tax_code": product.organisation.tax_code, "province": product.organisation.province,
        "category": product.category.code, "category_name": product.category.name(lang),
        "kind": product.kind.value, "sku": product.sku, "name": product.name, "description": product.description,
        "language": product.language, "cpv_codes": list(product.cpv_codes or []), "hs_code": product.hs_code,
        "capacity_value": product.capacity_value, "capacity_unit": product.capacity_unit,
        "throughput_value": product.throughput_value, "throughput_unit": product.throughput_unit,
        "efficiency_pct": product.efficiency_pct, "power_kw": product.power_kw, "specs": dict(product.specs or {}),
        "price_min_vnd": product.price_min_vnd, "price_max_vnd": product.price_max_vnd,
        "domestic_content_pct": product.domestic_content_pct, "made_in_vietnam": product.made_in_vietnam,
        "national_brand": product.national_brand, "status": product.status.value,
        "rejection_reason": product.rejection_reason,
        "code": code.code if code is not None and code.revoked_at is None else None,
        "certificates": [{"id": c.id, "kind": c.kind.value, "name": c.name, "issuer": c.issuer, "number": c.number,
                          "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                          "document_file_id": c.document_file_id} for c in product.certificates],
        "image_ids": list(image_ids or []),
        "created_at": product.created_at.isoformat(), "updated_at": product.updated_at.isoformat(),
    }


# ---- matching ----------------------------------------------------------------------------------------------

@document_builder("product", model=Product)
def product_document(session: Session, product_id: int):
    """Render an approved product of a verified organisation as a matching Document; others leave the index."""
    from matching import Document

    product = session.get(Product, product_id)
    if product is None or product.status != S.APPROVED or not product.organisation.is_verified:
        return None
    cat = product.category
    cert_names = ", ".join(c.name for c in product.certificates)
    text = "\n".join(p for p in (product.name, product.description, cat.name_vi, cat.name_en, cert_names,
                                 " ".join(f"{k}: {v}" for k, v in (product.specs or {}).items())) if p)
    codes = list(product.cpv_codes or []) or list(cat.cpv_codes or [])
    facets = {"province": product.organisation.province, "status": "active", "sme": product.organisation.is_sme,
              "domestic": bool(product.made_in_vietnam), "category": cat.top.code, "language": product.language}
    if product.price_min_vnd is not None:
        facets["price"] = int(product.price_min_vnd)  # the engine fits a supplier's price to a buyer's budget
    if product.domestic_content_pct is not None:
        facets["domestic_content"] = float(product.domestic_content_pct) / 100.0
    return Document(kind="product", ref=f"product:{product.id}", text=text, codes=tuple(codes), facets=facets,
                    language=product.language)


@displayer("product")
def show_product(session: Session, product_id: int) -> dict | None:
    """Show an approved product by name, linking to its public page."""
    from flask import url_for

    product = session.get(Product, product_id)
    if product is None or product.status != S.APPROVED:
        return None
    try:
        url = url_for("catalog.product", product_id=product.id)
    except Exception:  # outside a request (worker), a link cannot be built; the title still helps
        url = None
    return {"title": product.name, "url": url, "subtitle": product.organisation.name}


@related("product")
def _product_owner(session: Session, product_id: int) -> list[str]:
    """A product is part of its enterprise's matching profile, so refresh the enterprise too."""
    product = session.get(Product, product_id)
    return [f"organisation:{product.organisation_id}"] if product is not None else []


def _profile_part(session: Session, org_id: int) -> tuple[str, tuple[str, ...]]:
    """What an enterprise offers in the catalogue: approved product names and their CPV codes."""
    names, codes = [], []
    for p in for_organisation(session, org_id):
        names.append(p.name)
        codes += [c for c in (p.cpv_codes or []) if c not in codes]
    return "\n".join(names), tuple(codes)


if _profile_part not in ORGANISATION_PROFILE_PARTS:
    ORGANISATION_PROFILE_PARTS.append(_profile_part)


def enterprise_kinds() -> tuple[OrgKind, ...]:
    return (OrgKind.ENTERPRISE,)
