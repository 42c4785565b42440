import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

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


def test_forbidden_page_is_in_the_shell_and_explains(client_for):
    response = client_for("warehouse").get(reverse("core:settings_edit"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Access denied" in html
    assert 'class="navbar' in html
    assert reverse("core:home") in html


def test_not_found_page_is_in_the_shell(client_for, settings):
    settings.DEBUG = False

    response = client_for("manager").get("/masterdata/products/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="navbar' in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    with translation.override("en"):
        html = render_to_string("500.html")

    assert "Server error" in html
    assert "css/app.css" in html
