"""Validate OCDS packages offline against ../shared/ocds (no $ref ever fetches the network).

The shared folder next to the repository is the reference; tests/data/ocds is a copy of the files used here,
for checkouts without it (tests/services/test_ocds_copy.py keeps the copy identical).
"""
from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "ocds"
COPY = Path(__file__).resolve().parent / "data" / "ocds"


def _folders() -> tuple[Path, Path]:
    """The schema and code list folders: the shared ones when present, else the copy (which is flat)."""
    if (SHARED / "release-package-schema.json").is_file():
        return SHARED, SHARED / "codelists"
    return COPY, COPY


SCHEMAS, CODELISTS = _folders()


def _offline(uri: str):
    raise NoSuchResource(ref=uri)  # refuse any reference not stored locally


@functools.cache
def _registry() -> Registry:
    resources = []
    for name in ("release-schema.json", "release-package-schema.json", "record-package-schema.json",
                 "record-schema.json"):
        schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry(retrieve=_offline).with_resources(resources)


def _validator(name: str) -> Draft4Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return Draft4Validator(schema, registry=_registry(), format_checker=Draft4Validator.FORMAT_CHECKER)


@functools.cache
def codes(codelist: str) -> set[str]:
    with (CODELISTS / f"{codelist}.csv").open(encoding="utf-8", newline="") as fh:
        return {row["Code"] for row in csv.DictReader(fh)}


def _errors(validator: Draft4Validator, doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def _check_codes(release: dict) -> list[str]:
    bad = [f"tag {t}" for t in release.get("tag", []) if t not in codes("releaseTag")]
    for party in release.get("parties", []):
        bad += [f"role {r}" for r in party.get("roles", []) if r not in codes("partyRole")]
    tender = release.get("tender", {})
    if "procurementMethod" in tender and tender["procurementMethod"] not in codes("method"):
        bad.append(f"method {tender['procurementMethod']}")
    if "awardCriteria" in tender and tender["awardCriteria"] not in codes("awardCriteria"):
        bad.append(f"awardCriteria {tender['awardCriteria']}")
    return bad


def release_package_errors(package: dict) -> list[str]:
    """Schema errors of a release package, plus releases using codes outside the code lists."""
    errors = _errors(_validator("release-package-schema.json"), package)
    for r in package.get("releases", []):
        errors += _check_codes(r)
    return errors


def record_package_errors(package: dict) -> list[str]:
    errors = _errors(_validator("record-package-schema.json"), package)
    for record in package.get("records", []):
        for r in [*record.get("releases", []), record.get("compiledRelease", {})]:
            errors += _check_codes(r)
    return errors
