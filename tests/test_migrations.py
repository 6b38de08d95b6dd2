"""One Alembic head, and an upgrade from empty gives exactly the models' schema."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from market import migrate
from market.models import Base


def test_single_head():
    assert len(migrate.heads()) == 1


@pytest.fixture
def empty_database_url(tmp_path):
    pg = os.environ.get("MARKET_TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    # A schema of its own on PostgreSQL so the shared test schema is untouched.
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in pg else "?"
    yield f"{pg}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_upgrade_from_empty_matches_models(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], diff


def test_downgrade_to_base_and_up_again(empty_database_url):
    migrate.upgrade(empty_database_url)
    from alembic import command

    command.downgrade(migrate.alembic_config(empty_database_url), "base")
    migrate.upgrade(empty_database_url)
