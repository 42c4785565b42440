import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _switch(client, language: str, next_url: str):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_login_page_carries_the_language_switcher(client):
    content = client.get(reverse("accounts:login")).content.decode()

    assert f'action="{reverse("set_language")}" method="post"' in content
    assert '<option value="zh-hans"' in content
    assert '<option value="en"' in content


@pytest.mark.parametrize(
    ("language", "log_in"),
    [pytest.param("zh-hans", "登录", id="zh-hans"), pytest.param("en", "Log in", id="en")],
)
def test_anonymous_user_switches_the_login_page_language(client, language, log_in):
    login_url = reverse("accounts:login")

    response = _switch(client, language, login_url)

    assert response.status_code == 302
    assert response.url == login_url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    content = client.get(login_url).content.decode()
    assert f'<html lang="{language}">' in content
    assert f'<h1 class="h4 mb-3">{log_in}</h1>' in content


def test_signed_in_user_switches_to_chinese_and_back(client_for):
    client = client_for("admin")
    home = reverse("core:home")

    _switch(client, "zh-hans", home)
    chinese = client.get(home).content.decode()
    _switch(client, "en", home)
    english = client.get(home).content.decode()

    assert "系统管理" in chinese
    assert "退出登录" in chinese
    assert "System" in english
    assert "Log out" in english
    assert "退出登录" not in english


def test_pages_in_chinese_use_the_app_catalogs(client_for):
    client = client_for("admin")
    _switch(client, "zh-hans", "/")

    content = client.get(reverse("core:settings_edit")).content.decode()

    assert "系统配置" in content  # apps/core catalog
    assert "允许负库存" in content  # model field label
    assert "保存" in content  # the project catalog (templates/)
