"""A busy database is answered 503 "busy, try again", never 500 (SQLite and PostgreSQL)."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from apps.core.db import is_busy_error

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _locked_writes(execute, sql, params, many, context):
    """What SQLite answers when another process holds the write lock past the busy timeout."""
    if sql.lstrip().upper().startswith(WRITES):
        raise OperationalError("database is locked")
    return execute(sql, params, many, context)


def _settings_form(**overrides):
    return {
        "company_name": "Acme Trading",
        "purchase_approval_threshold": "20000.00",
        "adjustment_approval_threshold": "10000.00",
        "receipt_tolerance_percent": "5.00",
        **overrides,
    }


@pytest.fixture
def locked_writes():
    with connection.execute_wrapper(_locked_writes):
        yield


def test_a_locked_database_answers_busy_try_again_and_saves_nothing(client, make_user):
    user = make_user("sales", password="pass-1234")
    login_url = "http://testserver" + reverse("accounts:login")

    with connection.execute_wrapper(_locked_writes):
        response = client.post(
            reverse("accounts:login"), {"username": user.username, "password": "pass-1234"}, HTTP_REFERER=login_url
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    page = response.content.decode()
    assert "Busy, try again" in page
    assert "Nothing was saved." in page
    assert f'href="{login_url}"' in page
    user.refresh_from_db()
    assert user.last_login is None


def test_the_busy_page_speaks_the_users_language(client_for, settings):
    client = client_for("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    with connection.execute_wrapper(_locked_writes):
        response = client.post(reverse("core:settings_edit"), _settings_form())

    assert response.status_code == 503
    assert "系统繁忙，请稍后重试" in response.content.decode()


def test_an_htmx_request_gets_a_fragment(client_for):
    client = client_for("admin")

    with connection.execute_wrapper(_locked_writes):
        response = client.post(reverse("core:settings_edit"), _settings_form(), HTTP_HX_REQUEST="true")

    assert response.status_code == 503
    fragment = response.content.decode()
    assert fragment.startswith('<div class="alert alert-warning" role="alert" data-busy>')
    assert "<html" not in fragment


def test_signing_in_while_the_database_is_locked_is_busy_not_a_server_error(client, make_user):
    user = make_user("sales", password="pass-1234")

    with connection.execute_wrapper(_locked_writes):
        response = client.post(reverse("accounts:login"), {"username": user.username, "password": "pass-1234"})

    assert response.status_code == 503
    assert "Busy, try again" in response.content.decode()


def test_a_busy_page_after_a_get_offers_the_same_page_again(client_for):
    """Here even the session cannot be read: the error is met in a middleware, before any view."""
    client = client_for("admin")
    client.raise_request_exception = False

    def locked_reads(execute, sql, params, many, context):
        raise OperationalError("database is locked")

    with connection.execute_wrapper(locked_reads):
        response = client.get(reverse("core:auditlog_list") + "?page=1")

    assert response.status_code == 503
    assert f'href="{reverse("core:auditlog_list")}?page=1"' in response.content.decode()


def test_other_database_errors_are_not_disguised_as_busy(client_for):
    client = client_for("admin")
    client.raise_request_exception = True

    def broken(execute, sql, params, many, context):
        raise OperationalError("no such table: core_systemsettings")

    with connection.execute_wrapper(broken), pytest.raises(OperationalError):
        client.get(reverse("core:settings_edit"))


class _PgError(Exception):
    def __init__(self, pgcode):
        self.pgcode = pgcode


@pytest.mark.parametrize(("pgcode", "busy"), [("40P01", True), ("40001", True), ("55P03", True), ("23505", False)])
def test_postgresql_busy_states(pgcode, busy):
    error = OperationalError("...")
    error.__cause__ = _PgError(pgcode)

    assert is_busy_error(error) is busy


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_a_lock_held_past_the_lock_timeout_answers_busy(client, make_user):
    """A real lock: another transaction holds the user's row while they sign in (last login)."""
    user = make_user("sales", password="pass-1234")
    holding, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                type(user).objects.select_for_update().get(pk=user.pk)
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    holding.wait(timeout=10)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
    try:
        response = client.post(reverse("accounts:login"), {"username": user.username, "password": "pass-1234"})
    finally:
        release.set()
        holder.join(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert response.status_code == 503
    assert "Busy, try again" in response.content.decode()
    user.refresh_from_db()
    assert user.last_login is None
