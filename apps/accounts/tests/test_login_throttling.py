"""Login throttling (django-axes): per user name and per address, a clear message, admin unlock."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234"  # UserFactory's password
LIMIT = 5


def _attempt(client, username, password, address="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_after_too_many_wrong_passwords_even_the_right_one_is_refused_with_a_message(client, make_user):
    make_user("buyer", username="li.lei")
    for _ in range(LIMIT):
        _attempt(client, "li.lei", "wrong")

    response = _attempt(client, "li.lei", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes" in response.content.decode()
    assert "ask an administrator to unlock" in response.content.decode()
    assert SESSION_KEY not in client.session


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_user_name_is_locked_from_every_address(client, make_user):
    make_user("buyer", username="li.lei")
    for number in range(LIMIT):
        _attempt(client, "li.lei", "wrong", address=f"10.0.0.{number + 1}")

    response = _attempt(client, "li.lei", PASSWORD, address="10.9.9.9")

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_an_address_guessing_many_user_names_is_locked(client, make_user):
    make_user("buyer", username="li.lei")
    for number in range(LIMIT):
        _attempt(client, f"guess{number}", "wrong", address="10.6.6.6")

    locked = _attempt(client, "li.lei", PASSWORD, address="10.6.6.6")
    elsewhere = _attempt(client, "li.lei", PASSWORD, address="10.0.0.7")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, make_user):
    make_user("buyer", username="li.lei")
    for _ in range(LIMIT - 1):
        _attempt(client, "li.lei", "wrong")

    response = _attempt(client, "li.lei", PASSWORD)

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="li.lei").exists()  # reset on success


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_an_administrator_unlocks_the_account_in_the_admin(client, client_for, make_user):
    make_user("buyer", username="li.lei")
    for _ in range(LIMIT):
        _attempt(client, "li.lei", "wrong")
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    admin = client_for("admin")

    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    client.logout()
    response = _attempt(client, "li.lei", PASSWORD)

    assert listing.status_code == 200
    assert "li.lei" in listing.content.decode()
    assert response.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_lockout_message_is_translated(client, make_user):
    make_user("buyer", username="li.lei")
    for _ in range(LIMIT):
        _attempt(client, "li.lei", "wrong")

    with translation.override("zh-hans"):
        response = client.post(
            reverse("accounts:login"),
            {"username": "li.lei", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
