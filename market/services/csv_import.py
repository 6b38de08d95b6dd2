"""Bulk import of organisations and products from CSV, with a row-by-row report.

Every row is validated, then written inside its own savepoint: a bad row is reported with its reasons and
leaves nothing behind, good rows go in. Re-importing updates instead of duplicating: organisations are keyed
by tax code, products by (organisation tax code, SKU) when a SKU is given, else (organisation tax code, name).
The file must be UTF-8 (a BOM is accepted) with the exact header documented in ORG_COLUMNS / PRODUCT_COLUMNS
(required columns must be present, unknown columns are refused); comma or semicolon separated.
"""
from __future__ import annotations

import csv
import io
import logging
from typing import Callable, Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..authz import is_admin, require, require_user
from ..errors import DomainError, ValidationError
from ..i18n import _l
from ..indexing import reindex
from ..models import Organisation, OrgKind, SizeClass, User, utcnow
from ..models.catalog import ImportKind, ImportRun, Product, ProductStatus
from ..provinces import normalise_province
from ..validators import tax_code_error
from . import audit, product_codes, products

ORG_REQUIRED = ("tax_code", "name", "province", "size_class")
ORG_COLUMNS = (*ORG_REQUIRED, "kind", "is_sme", "domestic_manufacturer", "website", "description", "verified")
PRODUCT_REQUIRED = ("organisation_tax_code", "name", "category")
PRODUCT_COLUMNS = (*PRODUCT_REQUIRED, "sku", "kind", "description", "language", "cpv_codes", "hs_code",
                   "capacity_value", "capacity_unit", "throughput_value", "throughput_unit", "efficiency_pct",
                   "power_kw", "price_min_vnd", "price_max_vnd", "domestic_content_pct", "made_in_vietnam",
                   "national_brand", "status")
# Columns the export adds; accepted and ignored on import so an exported file can be imported back.
ORG_EXPORT_EXTRA = ("id", "categories", "products")
PRODUCT_EXPORT_EXTRA = ("id", "organisation", "province", "identification_code", "certificates")
log = logging.getLogger(__name__)
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
_SIZE_ALIASES = {"micro": "micro", "sieu nho": "micro", "siêu nhỏ": "micro", "small": "small", "nho": "small",
                 "nhỏ": "small", "medium": "medium", "vua": "medium", "vừa": "medium", "large": "large",
                 "lon": "large", "lớn": "large"}
_IMPORT_STATUSES = {"draft": ProductStatus.DRAFT, "pending_review": ProductStatus.PENDING_REVIEW,
                    "approved": ProductStatus.APPROVED}


def read_csv(data: bytes, required: tuple[str, ...], allowed: tuple[str, ...],
             columns: tuple[str, ...] | None = None) -> list[tuple[int, dict]]:
    """Decode and parse a CSV upload; raise a clear ValidationError on size, encoding or header problems.

    Returns (line number, row) pairs, line numbers as a spreadsheet shows them (header is line 1).
    """
    columns = columns or allowed
    if not data:
        raise ValidationError({"file": str(_l("The file is empty."))})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": str(_l("The file is larger than %(mb)s MB.", mb=MAX_BYTES // 1048576))})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValidationError({"file": str(_l(
            "The file is not UTF-8 text (unreadable bytes near position %(pos)s). Save it as 'CSV UTF-8' "
            "and try again.", pos=e.start))}) from None
    if "\x00" in text:
        raise ValidationError({"file": str(_l("The file is not a CSV text file."))})
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError({"file": str(_l("The file is empty."))}) from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in allowed]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or dupes:
        parts = []
        if missing:
            parts.append(str(_l("missing columns: %(cols)s", cols=", ".join(missing))))
        if unknown:
            parts.append(str(_l("unknown columns: %(cols)s", cols=", ".join(c or "''" for c in unknown))))
        if dupes:
            parts.append(str(_l("repeated columns: %(cols)s", cols=", ".join(dupes))))
        raise ValidationError({"file": str(_l("The header row is wrong (%(problems)s). Expected columns: "
                                              "%(expected)s.", problems="; ".join(parts),
                                              expected=", ".join(c for c in allowed if c in columns)))})
    rows: list[tuple[int, dict]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError({"file": str(_l("At most %(n)s rows per file.", n=MAX_ROWS))})
            line = reader.line_num
            row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
            if len(values) > len(header):
                row["__extra__"] = "1"
            rows.append((line, row))
    except csv.Error as e:
        raise ValidationError({"file": str(_l("The CSV file is broken near line %(line)s: %(error)s",
                                              line=reader.line_num, error=str(e)))}) from None
    if not rows:
        raise ValidationError({"file": str(_l("The file has a header but no rows."))})
    return rows


def _require_admin(user: User | None) -> None:
    require_user(user)
    require(is_admin(user), str(_l("Only administrators can import data.")))


def _finish(session: Session, user: User, kind: ImportKind, filename: str, report: list[dict]) -> ImportRun:
    run = ImportRun(kind=kind, filename=(filename or "")[:255], created_by_id=user.id, total_rows=len(report),
                    created_count=sum(r["status"] == "created" for r in report),
                    updated_count=sum(r["status"] == "updated" for r in report),
                    error_count=sum(r["status"] == "error" for r in report), report=report)
    session.add(run)
    session.flush()
    audit.record(session, f"catalog.import_{kind.value}", actor_id=user.id, subject_type="import_run",
                 subject_id=run.id, detail={"rows": run.total_rows, "created": run.created_count,
                                            "updated": run.updated_count, "errors": run.error_count})
    session.commit()
    return run


def _bool(value: str) -> bool:
    return products._bool(value)


def _write_row(session: Session, entry: dict, write: Callable[[], str]) -> None:
    """Run write() in a savepoint and set the entry's status from it; on any failure undo the row and say why."""
    try:
        with session.begin_nested():
            status = write()
    except IntegrityError as e:
        entry["status"] = "error"
        entry["errors"] = {"_row": str(_l("The database refused the row: %(error)s",
                                          error=str(e.orig).splitlines()[0][:200]))}
    except DomainError as e:
        entry["status"] = "error"
        entry["errors"] = dict(e.fields) or {"_row": e.message}
    except Exception:
        # An unexpected failure in one row must neither leave half of it behind nor lose the good rows around it.
        log.exception("CSV import: row %s (%s) could not be written", entry["row"], entry["key"])
        entry["status"] = "error"
        entry["errors"] = {"_row": str(_l("The row could not be written because of an unexpected error; "
                                          "nothing of it was saved."))}
    else:
        entry["status"] = status
        entry["errors"] = {}


def _clean_org_row(row: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    out: dict = {}
    if row.get("__extra__"):
        errors["_row"] = str(_l("The row has more values than the header has columns."))
    tax = (row.get("tax_code") or "").strip()
    if err := tax_code_error(tax):
        errors["tax_code"] = err
    out["tax_code"] = tax
    name = (row.get("name") or "").strip()
    if not name or len(name) > 300:
        errors["name"] = str(_l("Enter a name of 1 to 300 characters."))
    out["name"] = name
    province = normalise_province(row.get("province"))
    if province is None:
        errors["province"] = str(_l("Unknown province or city."))
    out["province"] = province
    size = _SIZE_ALIASES.get((row.get("size_class") or "").strip().lower())
    if size is None:
        errors["size_class"] = str(_l("Size must be micro, small, medium or large."))
    else:
        out["size_class"] = SizeClass(size)
    kind = (row.get("kind") or "enterprise").strip().lower()
    if kind not in (OrgKind.ENTERPRISE.value, OrgKind.RESEARCH_INSTITUTE.value):
        errors["kind"] = str(_l("Kind must be enterprise or research_institute."))
    else:
        out["kind"] = OrgKind(kind)
    if "is_sme" in row and row["is_sme"] != "":
        out["is_sme"] = _bool(row["is_sme"])
    elif "size_class" in out:
        out["is_sme"] = out["size_class"] != SizeClass.LARGE
    if "domestic_manufacturer" in row:
        out["domestic_manufacturer"] = _bool(row["domestic_manufacturer"])
    website = (row.get("website") or "").strip()
    if website and (len(website) > 300 or not website.startswith(("http://", "https://"))):
        errors["website"] = str(_l("The website must start with http:// or https://."))
    if "website" in row:
        out["website"] = website or None
    if "description" in row:
        if len(row["description"]) > 4000:
            errors["description"] = str(_l("At most %(n)s characters.", n=4000))
        out["description"] = row["description"] or None
    out["verified"] = _bool(row["verified"]) if row.get("verified", "") != "" else True
    return out, errors


def import_organisations(session: Session, user: User | None, data: bytes, filename: str = "") -> ImportRun:
    """Import organisations from CSV (administrators only) and return the stored report."""
    _require_admin(user)
    rows = read_csv(data, ORG_REQUIRED, ORG_COLUMNS + ORG_EXPORT_EXTRA, ORG_COLUMNS)
    report: list[dict] = []
    for line, row in rows:
        values, errors = _clean_org_row(row)
        entry = {"row": line, "key": values.get("tax_code") or "", "status": "error", "errors": errors}
        if errors:
            report.append(entry)
            continue
        _write_row(session, entry, lambda: _write_org(session, user, values))
        report.append(entry)
    return _finish(session, user, ImportKind.ORGANISATIONS, filename, report)


def _write_org(session: Session, user: User, values: dict) -> str:
    """Create or update one organisation from clean row values; return "created" or "updated"."""
    values = dict(values)
    verified = values.pop("verified")
    org = session.scalar(select(Organisation).where(Organisation.tax_code == values["tax_code"]))
    if org is None:
        org = Organisation(**values)
        session.add(org)
        status = "created"
    else:
        for k, v in values.items():
            setattr(org, k, v)
        status = "updated"
    if verified and org.verified_at is None:
        org.verified_at = utcnow()
        org.verified_by_id = user.id
    session.flush()
    reindex(session, "organisation", org.id)
    return status


def _product_key(session: Session, org_id: int, sku: str | None, name: str) -> Product | None:
    if sku:
        return session.scalar(select(Product).where(Product.organisation_id == org_id, Product.sku == sku))
    return session.scalar(select(Product).where(Product.organisation_id == org_id,
                                                func.lower(Product.name) == name.lower()).order_by(Product.id))


def _write_product(session: Session, user: User, org: Organisation, values: dict, status: ProductStatus,
                   status_given: bool) -> str:
    """Create or update one product from clean row values, issuing its code when approved; return the outcome."""
    product = _product_key(session, org.id, values.get("sku"), values["name"])
    if product is None:
        product = Product(organisation_id=org.id, created_by_id=user.id, status=status, submitted_at=utcnow(),
                          **values)
        session.add(product)
        outcome = "created"
    else:
        for k, v in values.items():
            setattr(product, k, v)
        if status_given:
            product.status = status
        outcome = "updated"
    session.flush()
    session.refresh(product)
    if product.status == ProductStatus.APPROVED:
        product.approved_at = product.approved_at or utcnow()
        product.reviewed_by_id = product.reviewed_by_id or user.id
        product_codes.issue_for(session, product, user)
    session.flush()
    reindex(session, "product", product.id)
    return outcome


def import_products(session: Session, user: User | None, data: bytes, filename: str = "") -> ImportRun:
    """Import products from CSV (administrators only) and return the stored report.

    A new product's status comes from the `status` column (draft, pending_review or approved; pending_review
    when empty); approved products of verified organisations get their identification code at once.
    """
    _require_admin(user)
    rows = read_csv(data, PRODUCT_REQUIRED, PRODUCT_COLUMNS + PRODUCT_EXPORT_EXTRA, PRODUCT_COLUMNS)
    orgs: dict[str, Organisation | None] = {}
    report: list[dict] = []
    for line, row in rows:
        errors: dict[str, str] = {}
        if row.get("__extra__"):
            errors["_row"] = str(_l("The row has more values than the header has columns."))
        tax = row.get("organisation_tax_code", "").strip()
        if tax not in orgs:
            orgs[tax] = session.scalar(select(Organisation).where(Organisation.tax_code == tax))
        org = orgs[tax]
        if org is None:
            errors["organisation_tax_code"] = str(_l("No organisation has this tax code; import it first."))
        fields = {k: v for k, v in row.items() if k in PRODUCT_COLUMNS and k not in ("organisation_tax_code",
                                                                                   "status")}
        if "made_in_vietnam" in fields and fields["made_in_vietnam"] == "":
            fields.pop("made_in_vietnam")
        if "national_brand" in fields and fields["national_brand"] == "":
            fields.pop("national_brand")
        values: dict = {}
        try:
            values = products.clean(session, fields)
        except ValidationError as e:
            errors.update(e.fields)
        status_raw = (row.get("status") or "").strip().lower()
        status = _IMPORT_STATUSES.get(status_raw or "pending_review")
        if status is None:
            errors["status"] = str(_l("Status must be draft, pending_review or approved."))
        elif status == ProductStatus.APPROVED and org is not None and org.verified_at is None:
            errors["status"] = str(_l("Products of an unverified organisation cannot be imported as approved."))
        key = f"{tax}/{values.get('sku') or row.get('sku') or row.get('name', '')}"
        entry = {"row": line, "key": key, "status": "error", "errors": errors}
        if errors:
            report.append(entry)
            continue
        _write_row(session, entry, lambda: _write_product(session, user, org, values, status, bool(status_raw)))
        report.append(entry)
    return _finish(session, user, ImportKind.PRODUCTS, filename, report)


def recent_runs(session: Session, user: User | None, limit: int = 20) -> list[ImportRun]:
    _require_admin(user)
    return list(session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))


def get_run(session: Session, user: User | None, run_id: int) -> ImportRun:
    from ..errors import NotFound

    _require_admin(user)
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(str(_l("Import not found.")))
    return run


def run_dict(run: ImportRun) -> dict:
    return {"id": run.id, "kind": run.kind.value, "filename": run.filename, "created_at": run.created_at.isoformat(),
            "total_rows": run.total_rows, "created": run.created_count, "updated": run.updated_count,
            "errors": run.error_count, "report": run.report}
