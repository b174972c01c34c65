"""A live server on loopback (runserver against the test database) and headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(workspaces):
    """Base URL pattern "http://{host}.localhost:PORT" of a server that sees the committed test data."""
    port = _free_port()
    settings_dict = connection.settings_dict
    host = settings_dict["HOST"]
    database_url = f"postgresql://{settings_dict['USER']}@/{settings_dict['NAME']}?host={host}" if host.startswith(
        "/") else f"postgresql://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{host}:{settings_dict['PORT']}/" \
        f"{settings_dict['NAME']}"
    # Celery runs eagerly inside the live server: signup provisioning completes without a worker process.
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1", "PUBLIC_PORT": str(port),
           "DJANGO_SETTINGS_MODULE": "saas_platform.settings_test", "CELERY_TASK_ALWAYS_EAGER": "1"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=Path(__file__).resolve().parents[2], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        raise RuntimeError(f"live server did not start: {server.stderr.read().decode()[-2000:]}")
    yield f"http://{{host}}localhost:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(live_url):
    """Playwright's sync API runs an event loop in this thread, and Django's ORM refuses to run while
    one is open: so the browser starts after the live server and stops with its module."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps` (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
