"""Fixtures of the browser tests: Debian's Chromium driven by playwright.

The browser is the system's Chromium (``/usr/bin/chromium``), never one that
playwright downloads. When it is missing the tests install it with apt-get,
but only when they run as root (as in CI); anywhere else they are skipped
with the command to install it. Servers the tests start listen on 127.0.0.1
on a free port, and are stopped by the fixture that started them.

Screenshots go to ``.ci-artifacts/browser/`` (git ignores it).
"""

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".ci-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keep a headless browser from reaching out to
# the network (the machines have none but the package registries). playwright
# gives every launch a fresh temporary profile (user-data-dir) of its own.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
INSTALL_TIMEOUT = 900  # seconds for apt-get update + install


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _running_as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure_chromium():
    """The path of Debian's Chromium; installed with apt-get when missing and we are root."""
    if CHROMIUM.exists():
        return CHROMIUM
    if not _running_as_root() or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package "
                    "(sudo apt-get install chromium) to run the browser tests; as root "
                    "(e.g. in CI) the tests install it themselves")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        done = subprocess.run(command, env=env, timeout=INSTALL_TIMEOUT, capture_output=True,
                              text=True)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium, but {CHROMIUM} is still missing")
    return CHROMIUM


def _free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def free_port():
    """``free_port()``: a free TCP port on 127.0.0.1."""
    return _free_port


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = ensure_chromium()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable),
                                              args=CHROMIUM_ARGS, headless=True,
                                              timeout=60_000)
        yield chromium
        chromium.close()


class WatchedPage:
    """A page that records console errors, uncaught exceptions and failed requests."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        page.on("console", lambda message: self.errors.append(
            f"console {message.type}: {message.text}") if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda request: self.errors.append(
            f"request failed: {request.url} ({request.failure})"))
        page.on("response", lambda response: self.errors.append(
            f"HTTP {response.status}: {response.url}") if response.status >= 400 else None)


def _watched_page(browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    return context, WatchedPage(page)


@pytest.fixture
def watched_page(browser):
    context, page = _watched_page(browser, 1280)
    yield page
    context.close()


@pytest.fixture
def wide_watched_page(browser):
    """A watched page 1400 px wide, where a wide display equation must still read whole."""
    context, page = _watched_page(browser, 1400)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    """axe-core's runner (axe-playwright-python ships axe.min.js: nothing is downloaded)."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        pytest.fail("axe-playwright-python is missing: run `python3 course.py setup` "
                    "(it is pinned in requirements/lock.txt and the dev extra)")
    return Axe()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (``item.rep_call``) for fixtures to read."""
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report
