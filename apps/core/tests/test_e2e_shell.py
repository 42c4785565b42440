"""The shell in a real browser: sign in, the menu, the language switcher, sign out."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _menu(page, section: str):
    """Open a top-level menu section and return its dropdown."""
    toggle = page.locator(f"[data-section={section}] > .dropdown-toggle")
    toggle.click()
    return page.locator(f"[data-section={section}] .dropdown-menu")


def test_manager_signs_in_and_opens_the_operation_log_from_the_menu(page, live_server, login):
    login(page, live_server, "manager")

    system = _menu(page, "system")

    expect(system.get_by_role("link", name="Operation log")).to_be_visible()
    expect(system.get_by_role("link", name="System settings")).to_have_count(0)
    system.get_by_role("link", name="Operation log").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("core:auditlog_list")) + "$"))
    expect(page.get_by_role("heading", name="Operation log")).to_be_visible()


def test_sales_clerk_sees_no_system_menu(page, live_server, login):
    login(page, live_server, "sales")

    expect(page.locator("[data-section=system]")).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


def test_switching_to_chinese_and_back(page, live_server, login):
    login(page, live_server, "admin")
    switcher = page.locator(".language-switcher select[name=language]")

    with page.expect_navigation():
        switcher.select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("[data-section=system] > .dropdown-toggle")).to_have_text("系统管理")

    with page.expect_navigation():
        switcher.select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-section=system] > .dropdown-toggle")).to_have_text("System")


def test_login_page_switches_language_before_signing_in(page, live_server):
    page.goto(live_server.url + reverse("accounts:login"))

    with page.expect_navigation():
        page.locator(".language-switcher select[name=language]").select_option("zh-hans")

    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + "$"))


def test_wrong_password_shows_the_error(page, live_server, make_user):
    user = make_user("buyer")
    page.goto(live_server.url + reverse("accounts:login"))

    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + "$"))


def test_logout_from_the_user_menu(page, live_server, login):
    user = login(page, live_server, "warehouse")

    page.get_by_role("button", name=str(user)).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + "$"))
