"""Fixtures: an app per test on SQLite, or on PostgreSQL when MARKET_TEST_DATABASE_URL is set."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from market import create_app
from market.models import Base

from . import factories

PG_URL = os.environ.get("MARKET_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def pg_engine():
    """Create the schema once per run on PostgreSQL; tests truncate instead of re-creating."""
    if not PG_URL:
        yield None
        return
    engine = create_engine(PG_URL)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _truncate(engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(tmp_path, pg_engine) -> str:
    if pg_engine is not None:
        _truncate(pg_engine)
        return PG_URL
    url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def app_config(tmp_path, database_url) -> dict:
    """Settings for a test app; tests may change them before asking for `app`."""
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "SERVER_NAME": "localhost",
        # A pure memo keyed by model and text, shared by every test app so labels are encoded once per machine.
        "EMBEDDING_CACHE_DIR": str(Path(__file__).resolve().parent.parent / ".cache" / "embeddings"),
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app_with(app_config):
    """Build extra apps with changed settings; their engines are disposed after the test (no leaked connections)."""
    made = []

    def build(**changes):
        made.append(create_app(app_config | changes))
        return made[-1]

    yield build
    for extra in made:
        extra.extensions["db_engine"].dispose()


@pytest.fixture
def session(app):
    """A session outside any request, for arranging data and checking results.

    No app context stays pushed, so each test-client request gets its own context, `g` and session.
    """
    s = app.extensions["db_sessionmaker"]()
    yield s
    s.close()


@pytest.fixture
def client(app):
    return app.test_client()


class _MarketRunner:
    """Invoke the `market` command group against the test app."""

    def __init__(self, app):
        self._runner = app.test_cli_runner()

    def invoke(self, args: list[str], **kwargs):
        from market.cli import main

        return self._runner.invoke(main, args, **kwargs)


@pytest.fixture
def runner(app):
    return _MarketRunner(app)


@pytest.fixture
def make(session):
    """Factories bound to the test session: make.user(...), make.org(...)."""
    return factories.Factories(session)


def login(client, email: str, password: str = factories.PASSWORD):
    """Log a test client in through the real login form."""
    resp = client.post("/account/login", data={"email": email, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


def bearer(client, email: str, password: str = factories.PASSWORD) -> dict[str, str]:
    """Return Authorization headers for a fresh API token."""
    resp = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert resp.status_code == 201, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}
