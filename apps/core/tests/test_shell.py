import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("core:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_page_renders_without_login(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_home_shows_only_sections_the_role_may_use(client_for):
    client = client_for("sales")

    response = client.get(reverse("core:home"))

    assert response.status_code == 200
    sections = [section["key"] for section in response.context["nav_sections"]]
    assert "system" not in sections


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").content == b"ok"
