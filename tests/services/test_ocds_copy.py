"""The OCDS schemas and code lists the tests validate against: ../shared/ocds first, an identical copy otherwise."""
from __future__ import annotations

import pytest

from tests import ocds_validation
from tests.ocds_validation import COPY, SHARED

needs_shared = pytest.mark.skipif(not (SHARED / "release-package-schema.json").is_file(),
                                  reason="../shared/ocds is not next to this checkout; the copy is used")


def _copied_files() -> list[str]:
    return sorted(p.name for p in COPY.iterdir() if p.suffix in (".json", ".csv"))


def _shared_twin(name: str):
    return SHARED / name if name.endswith(".json") else SHARED / "codelists" / name


@needs_shared
def test_validation_reads_the_shared_files_when_present():
    assert ocds_validation.SCHEMAS == SHARED and ocds_validation.CODELISTS == SHARED / "codelists"


@needs_shared
@pytest.mark.parametrize("name", _copied_files())
def test_the_copy_is_identical_to_the_shared_file(name):
    assert _shared_twin(name).is_file(), f"{name} is not in {SHARED}"
    assert (COPY / name).read_bytes() == _shared_twin(name).read_bytes(), f"tests/data/ocds/{name} differs"


def test_the_copy_holds_every_file_validation_needs():
    names = set(_copied_files())
    assert {"release-schema.json", "release-package-schema.json", "record-schema.json",
            "record-package-schema.json"} <= names
    assert {"releaseTag.csv", "partyRole.csv", "method.csv", "awardCriteria.csv"} <= names


def test_the_copy_is_used_when_the_shared_folder_is_absent(monkeypatch, tmp_path):
    monkeypatch.setattr(ocds_validation, "SHARED", tmp_path / "no-shared-folder")
    assert ocds_validation._folders() == (COPY, COPY)
