"""Import rules: matching/ is a pure library; models know nothing of Flask; views never commit."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_matching_imports_no_flask_sqlalchemy_or_market():
    files = list((ROOT / "matching").rglob("*.py"))
    assert files
    for f in files:
        bad = _imports(f) & {"flask", "flask_login", "flask_babel", "sqlalchemy", "market", "werkzeug"}
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_models_import_no_flask():
    for f in (ROOT / "market" / "models").rglob("*.py"):
        bad = {n for n in _imports(f) if n.startswith("flask") or n == "werkzeug"}
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_views_and_api_never_commit():
    for folder in ("views", "api"):
        for f in (ROOT / "market" / folder).rglob("*.py"):
            assert ".commit(" not in f.read_text(encoding="utf-8"), f"{f.relative_to(ROOT)} commits"
