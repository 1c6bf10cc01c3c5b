"""Playwright driving Debian's Chromium (Playwright cannot download its own browsers here)."""

import json
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make
# are still plain synchronous calls, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}. Install it with "
            "`sudo apt-get install chromium` (Debian/Ubuntu) to run the browser tests."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright's event loop runs in this thread, asgiref hands Django a fresh
    # connection object, without the serialized copy of the test database that restores
    # data-migration rows after each live-server test. Carry the copy over.
    with django_db_blocker.unblock():
        saved = {a: getattr(connections[a], "_test_serialized_contents", None) for a in connections}
    with sync_playwright() as playwright:
        with django_db_blocker.unblock():
            for alias, contents in saved.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield _ReducedMotion(browser)
        browser.close()


class _ReducedMotion:
    """The browser, whose every new context asks for reduced motion (a test may say otherwise).

    Bootstrap's colour transitions (0.15 s on buttons) then end at once. Under a loaded run
    axe sometimes measured a just-tapped button half way through its transition and
    reported its contrast; the finished colours are what a patient reads, and still what
    axe checks.
    """

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("reduced_motion", "reduce")
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


# live_server tests commit for real, so the database is flushed after each one; serialized
# rollback puts back the rows the data migrations made (appointment types, consent text…).
@pytest.fixture
def page(browser, live_server, django_db_serialized_rollback):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, django_db_serialized_rollback):
    """A 375 px wide phone screen."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    # Evaluated through the DevTools protocol rather than added as a <script>: the page's
    # Content-Security-Policy (no inline scripts) stays on while the tests run. A click that
    # navigates may still be loading the next page: axe runs once that page has loaded.
    page.wait_for_load_state("load")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in bad
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, indent=2)


def log_in(page, email: str, password: str) -> None:
    """Email and password, then (staff) the code their enrolled authenticator shows."""
    from clinic.accounts.models import User
    from tests.conftest import current_code

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith("/accounts/two-step/"):
        page.get_by_label("Code").fill(current_code(User.objects.get(email=email)))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
