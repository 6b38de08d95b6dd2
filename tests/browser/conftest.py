"""A live server (waitress + in-process worker) and a headless Debian chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import socket
import threading

import pytest

from market import create_app

CHROMIUM = os.environ.get("MARKET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_app(app_config):
    """The real app with CSRF and rate limits on, as users get it."""
    app = create_app(app_config | {"WTF_CSRF_ENABLED": True, "TESTING": False, "SERVER_NAME": None,
                                    "RATELIMIT_ENABLED": False, "WORKER_POLL_SECONDS": 0.2})
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def live_server(live_app):
    """Serve the app on a free local port with a worker thread; yield the base URL."""
    from waitress.server import create_server

    from market.jobs.worker import start_thread

    port = _free_port()
    server = create_server(live_app, host="127.0.0.1", port=port, threads=4)
    stop = threading.Event()
    def serve() -> None:
        try:
            server.run()
        except OSError:
            # Closing the listening socket from the test thread can break the select() the loop is in.
            if not stop.is_set():
                raise

    web = threading.Thread(target=serve, daemon=True)
    web.start()
    # The same worker thread `market up` starts, so the journeys see the product's own time-driven moves.
    worker = start_thread(live_app, stop)
    yield f"http://127.0.0.1:{port}"
    stop.set()
    server.close()
    web.join(10)
    worker.join(30)  # its session must be closed before the engine is disposed, or its connection leaks


@pytest.fixture
def browser():
    """A headless chromium; the suite fails (not skips) when it is missing, since CI installs it."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM}; install Debian's chromium package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
