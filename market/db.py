"""Engine and session per application; one session per request, closed at teardown."""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout so the worker and web can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    """Attach an engine and session factory to the app."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    # Sessions carry the settings so worker handlers (which get only a session) can reach them.
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"config": app.config})
    event.listen(factory, "after_begin", _take_sqlite_write_lock)
    app.extensions["db_sessionmaker"] = factory
    app.teardown_appcontext(_close_session)


def _take_sqlite_write_lock(session: Session, _transaction, connection) -> None:
    """Begin a writing session's SQLite transaction with BEGIN IMMEDIATE.

    A deferred SQLite transaction that has read (a SAVEPOINT starts one) fails at once with "database is locked"
    when it tries to write after another connection committed; no busy timeout helps, and every later statement
    of that transaction fails the same way. Taking the write lock up front makes a writer wait its turn instead.
    """
    if not session.info.get("write_intent") or connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions["db_engine"]


def new_session(write: bool = False) -> Session:
    """Open a session outside a request (CLI, worker); the caller closes it.

    Args:
        write: the session will write, so on SQLite it takes the write lock at its first statement.
    """
    factory = current_app.extensions["db_sessionmaker"]
    return factory(info={"write_intent": True}) if write else factory()


def session() -> Session:
    """Return the request's session, opening it on first use (a writing one for POST, PATCH, DELETE...)."""
    if "db_session" not in g:
        g.db_session = new_session(write=has_request_context() and request.method not in SAFE_METHODS)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
