"""Project-wide pytest fixtures: users by role, logged-in clients, database vendor marks, and the
end-to-end browser harness.

Users and clients
    ``make_user(role)`` -> a user in that role group; ``client_for(role)`` -> a Django test client
    logged in as a fresh user of that role (``client.user`` is the user).

End-to-end tests (``@pytest.mark.e2e``)
    A real headless chromium (Debian's ``/usr/bin/chromium``; Playwright never downloads a
    browser) drives pytest-django's ``live_server``. Fixtures:

    ``browser``   session-scoped Playwright ``Browser``, started on first use.
    ``page``      a fresh ``Page`` in its own browser context (clean cookies, 1280x900, English),
                  closed after the test. Actions time out after 10 s, so a wrong selector fails fast.
    ``login``     ``login(page, live_server, role) -> user``: creates a user of ``role``, signs in
                  through the login form and waits for the home page. ``E2E_PASSWORD`` is its
                  password.

    A test that uses ``live_server`` runs on a transactional database, so rows created in the test
    (factories, services) are visible to the server thread and are flushed afterwards::

        import pytest
        from django.urls import reverse

        pytestmark = pytest.mark.e2e

        def test_product_is_found_by_barcode(page, live_server, login):
            login(page, live_server, "manager")
            page.goto(live_server.url + reverse("masterdata:product_create"))
            page.get_by_label("Code").fill("A001")
            ...
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("heading", name="A001")).to_be_visible()

    Use ``playwright.sync_api.expect`` for assertions on the page (it waits); keep each test to
    one flow (a few seconds). Without chromium the e2e tests are skipped locally and fail in CI
    (``CI`` set), so a CI machine without a browser cannot pass silently.

    Playwright's sync API keeps an asyncio event loop running in the test thread, which makes
    Django refuse database calls there ("You cannot call this from an async context"). The
    ``browser`` fixture therefore sets ``DJANGO_ALLOW_ASYNC_UNSAFE=true`` for the rest of the
    session: the database is still used from one thread at a time.
"""

import os
from pathlib import Path

import pytest
from django.db import connection

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
E2E_PASSWORD = "e2e-pass-2026"
E2E_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Skip ``postgres`` tests on SQLite, unless CI demands they run (then they fail loudly)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    if os.environ.get("REQUIRE_POSTGRES_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def make_user(db):
    """``make_user(role)`` -> a user in that role group (``None`` for no role)."""
    from apps.accounts.tests.factories import UserFactory

    def _make(role: str | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return _make


@pytest.fixture
def client_for(client, make_user):
    """``client_for(role)`` -> a test client logged in as a fresh user of that role."""

    def _client(role: str | None = None, **kwargs):
        user = make_user(role, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return _client


@pytest.fixture
def admin_client_(client_for):
    return client_for("admin")


@pytest.fixture(scope="session")
def browser():
    """A headless chromium for the whole session (see the module docstring)."""
    if not CHROMIUM.exists():
        message = f"e2e tests need chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh page with its own cookies; English unless the test switches language."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(E2E_TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    context.close()


@pytest.fixture
def login(make_user):
    """``login(page, live_server, role, **user_fields) -> user``: sign in through the login form."""
    from django.urls import reverse

    def _login(page, live_server, role: str, **user_fields):
        user = make_user(role, password=E2E_PASSWORD, **user_fields)
        page.goto(live_server.url + reverse("accounts:login"))
        page.locator("input[name=username]").fill(user.username)
        page.locator("input[name=password]").fill(E2E_PASSWORD)
        with page.expect_navigation():
            page.locator("form:has(input[name=password]) button[type=submit]").click()
        if page.url != live_server.url + reverse("core:home"):
            raise AssertionError(f"login as {role} ended on {page.url}")
        return user

    return _login


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English (the test settings' language), whatever an earlier request left.

    LocaleMiddleware activates the request's language in the thread and never deactivates it, so
    a zh-hans request in one test would otherwise translate the next test's messages.
    """
    from django.utils import translation

    with translation.override("en"):
        yield
