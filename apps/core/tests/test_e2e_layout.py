"""Every menu page fits the screens people use: a 768-px tablet in portrait and a 1366×768 laptop.

It also reads every filter form on those pages: an empty choice says "All" (全部), never "---------".

Walks the menu of the roles that see the most pages, in English and in Chinese, on the demo company,
and fails when the page scrolls sideways or a main table is wider than its box (a table that hides
its less important columns on a tablet passes; one that needs sideways scrolling does not).
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from apps.core.context_processors import navigation

# Layout does not depend on the database: the walk (about four minutes) runs once, in the SQLite run.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        "postgresql" in settings.DATABASES["default"]["ENGINE"], reason="layout is database-independent"
    ),
]

SCREENS = {"tablet": (768, 1024), "laptop": (1366, 768)}

OVERFLOWS = """() => {
  const found = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) found.push(`page ${page.scrollWidth}px > ${window.innerWidth}px`);
  document.querySelectorAll("main table").forEach((table, index) => {
    if (table.offsetParent === null) return;  // hidden (a collapsed panel)
    const box = table.closest(".table-responsive") || table.parentElement;
    if (table.scrollWidth > box.clientWidth + 1) {
      const caption = table.dataset.name || table.closest("[id]")?.id || `table ${index + 1}`;
      found.push(`${caption} ${table.scrollWidth}px > ${box.clientWidth}px`);
    }
  });
  document.querySelectorAll("main form:not([method=post i]) select option").forEach((option) => {
    if (option.textContent.trim() === "---------") found.push(`filter ${option.parentElement.name} reads ---------`);
  });
  return found;
}"""


# Document forms whose line grid must fit too (the purchase order's grid was cut after 税率 % on a tablet).
FORMS = ["procurement:purchaseorder_create"]


def _menu_urls(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    menu = [item["url"] for section in navigation(request)["nav_sections"] for item in section["items"]]
    return menu + [reverse(name) for name in FORMS]


@pytest.fixture
def demo_company(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115  (discarded output)


def test_menu_pages_fit_a_tablet_and_a_laptop(browser, live_server, login, demo_company):
    problems = []
    for role in ("admin",):  # the administrator sees every menu page the manager sees, and more
        for screen, (width, height) in SCREENS.items():
            # A tablet is touch-first: its coarse pointer gets the larger touch targets of app.css.
            context = browser.new_context(
                viewport={"width": width, "height": height}, has_touch=screen == "tablet", locale="en-US"
            )
            page = context.new_page()
            user = login(page, live_server, role)
            for language in ("zh-hans", "en"):
                page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                for url in _menu_urls(user):
                    response = page.goto(live_server.url + url)
                    assert response.status == 200, url
                    problems += [f"{language} {screen} {url}: {problem}" for problem in page.evaluate(OVERFLOWS)]
            context.close()

    assert not problems, "\n".join(sorted(set(problems)))
