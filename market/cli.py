"""The `market` command: run, up, demo, worker, db upgrade, audit verify, eval."""
from __future__ import annotations

import logging
import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Vietnam Environmental Industry Marketplace."""


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the database schema."""
    from .migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@main.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data (idempotent: does nothing when demo users exist)."""
    from . import db as dbm
    from .demo import load_demo

    with dbm.new_session() as session:
        created = load_demo(session)
    click.echo("demo data loaded" if created else "demo data already present")


@main.command("worker")
@click.option("--once", is_flag=True, help="Process what is due, then exit.")
@with_appcontext
def worker(once: bool) -> None:
    """Run the background worker (outbox, deadlines, indexing)."""
    from .jobs.worker import run_forever, run_once

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    _check_encoder(load=True)
    factory = current_app.extensions["db_sessionmaker"]
    if once:
        click.echo(f"processed {run_once(factory)}")
        return
    run_forever(factory, float(current_app.config["WORKER_POLL_SECONDS"]))


def _check_encoder(load: bool) -> None:
    """Stop with a message naming MARKET_ENCODER when the configured model cannot be used."""
    from matching.encoders import EncoderLoadError, check_encoder_setting

    setting = current_app.config["ENCODER"]
    if not isinstance(setting, str):
        return  # an encoder object given by code (tests)
    try:
        if load:
            from .services.matching import runtime_for

            runtime_for(current_app.config).encoder
        else:
            check_encoder_setting(setting)
    except EncoderLoadError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default="5000 or $PORT", type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start the in-process worker (run `market worker` beside).")
@with_appcontext
def up(host: str, port: int, threads: int, no_worker: bool) -> None:
    """Upgrade the database, load demo data on first run, start the worker and serve the site."""
    from waitress import serve

    from . import db as dbm
    from .demo import load_demo
    from .jobs.worker import start_thread
    from .migrate import upgrade

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    _check_encoder(load=False)  # the worker loads the model; a setting that cannot work must stop us here
    upgrade(app.config["DATABASE_URL"])
    with dbm.new_session() as session:
        if load_demo(session):
            click.echo("demo data loaded (logins in README.md)")
    if not no_worker:
        start_thread(app)
    click.echo(f"serving on http://{host}:{port}")
    serve(app, host=host, port=port, threads=threads)


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Verify the audit chain; exit 1 when it is broken."""
    from . import db as dbm
    from .services.audit import verify_chain

    with dbm.new_session() as session:
        report = verify_chain(session)
    if report.ok:
        click.echo(f"audit chain intact ({report.checked} entries)")
    else:
        click.echo(f"audit chain BROKEN at entry {report.first_bad_id}: {report.problem}", err=True)
        sys.exit(1)


@main.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform administrator."""
    from . import db as dbm
    from .errors import ValidationError
    from .services.accounts import add_platform_admin

    with dbm.new_session() as session:
        try:
            add_platform_admin(session, email, name, password)
        except ValidationError as exc:
            for field, message in exc.fields.items():
                click.echo(f"{field}: {message}", err=True)
            sys.exit(2)
    click.echo("administrator created")


@main.group()
def index() -> None:
    """The matching index."""


@index.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Re-index every listing and recompute stored matches (unchanged texts are not re-encoded)."""
    from . import db as dbm
    from .jobs.worker import load_handlers
    from .services.matching import runtime_for

    load_handlers()  # the areas' document builders register on import
    with dbm.new_session() as session:
        try:
            report = runtime_for(current_app.config).rebuild(session)
        except Exception as exc:
            session.rollback()
            raise click.ClickException(f"index rebuild failed: {exc}") from exc
        session.commit()
    click.echo(f"indexed {report['documents']} documents, {report['new_embeddings']} newly encoded, "
               f"in {report['seconds']} s")


@index.command("status")
@with_appcontext
def index_status() -> None:
    """Print the index size, model and pending work."""
    import json

    from . import db as dbm
    from .services.matching import index_lag, runtime_for

    with dbm.new_session() as session:
        click.echo(json.dumps(runtime_for(current_app.config).status() | index_lag(session)))


# --- matching evaluation (owned by the matching area; a thin wrapper over matching.evaluate) ---
@main.command("eval")
@click.option("--task", help="Task JSONL (qid, query, gold).")
@click.option("--corpus", help="Corpus JSONL (doc_id = CPV code, text).")
@click.option("--encoder", default="engine", show_default=True, help="engine | bm25 | minilm | e5 | ensemble | <model folder>")
@click.option("--all", "all_", is_flag=True, help="Run every system on every test task and print the README table.")
@click.option("--out", default=None, help="With --all: also write the markdown table here.")
@click.option("--limit", type=int, default=None, help="Only the first N queries.")
@click.option("--cache-dir", default=None, help="Embedding cache folder (default .cache/embeddings; '' disables).")
def eval_cmd(task, corpus, encoder, all_, out, limit, cache_dir) -> None:
    """Measure CPV matching quality: S@10, MRR@10, nDCG@10 at exact/class/group level (JSON)."""
    if all_:
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ lives beside market/
        from bench.eval_table import main as table_main

        sys.exit(table_main(["--out", out] if out else []))
    if not task or not corpus:
        raise click.UsageError("give --task and --corpus (or --all)")
    from matching.evaluate import main as eval_main

    argv = ["--task", task, "--corpus", corpus, "--encoder", encoder]
    argv += ["--limit", str(limit)] if limit else []
    argv += ["--cache-dir", cache_dir] if cache_dir is not None else []
    sys.exit(eval_main(argv))
