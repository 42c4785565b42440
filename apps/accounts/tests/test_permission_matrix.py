"""Every URL of the project, for every role: declared permissions, 403s and the menu.

The routes are read from the URL configuration at collection time, so a view added by any app
is covered without touching this file:

- every view declares a permission (class views: ``PermissionMixin`` with
  ``permission_required``; function views: ``apps.core.permissions.permission_required``),
  except the public and login-only routes listed in ``OPEN_ROUTES``;
- each (role, route) pair is its own test: a role without the view's permission gets 403, a
  role with it does not. Routes with arguments are called with values that match no record:
  the permission check runs before the lookup, so the answer is 403 without the permission and
  404 (or anything but 403) with it. POST-only routes (405 on GET) are checked with an empty
  POST for the roles that must be refused;
- anonymous users are sent to the login page;
- the menu shows a role exactly the items it may open.
"""

import uuid
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter

from apps.accounts.roles import ROLE_PERMISSIONS, role_grants
from apps.core.permissions import view_permissions

ROLES = tuple(ROLE_PERMISSIONS)

# Routes that need no permission, with the reason. Names are namespaced URL names; a namespace
# ending in ":" allows the whole namespace.
OPEN_ROUTES: dict[str, str] = {
    "accounts:login": "public",
    "accounts:logout": "public (POST only)",
    "set_language": "public: the language switcher serves the login page too",
    "healthz": "public: load balancer probe",
    "admin:": "Django admin: guarded by is_staff and model permissions",
    "core:home": "login only: the landing page of every signed-in user",
    "accounts:password_change": "login only: every user changes their own password",
    "accounts:password_change_done": "login only",
}
PUBLIC_ROUTES = {"accounts:login", "accounts:logout", "set_language", "healthz", "admin:"}

# Argument values that match no record.
SAMPLE_ARGUMENTS = {
    IntConverter: 2147483000,
    StringConverter: "no-such-record",
    SlugConverter: "no-such-record",
    UUIDConverter: uuid.UUID(int=0),
    PathConverter: "no/such/record",
}


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "core:settings_edit"; "" if the pattern has none
    namespace: str
    pattern: str
    callback: object
    converters: tuple

    @property
    def id(self) -> str:
        return self.name or self.pattern

    @property
    def open_reason(self) -> str | None:
        return OPEN_ROUTES.get(self.name) or OPEN_ROUTES.get(f"{self.namespace}:" if self.namespace else "")

    @property
    def is_public(self) -> bool:
        return self.name in PUBLIC_ROUTES or f"{self.namespace}:" in PUBLIC_ROUTES

    def url(self) -> str:
        kwargs = {}
        for arg_name, converter in self.converters:
            if type(converter) not in SAMPLE_ARGUMENTS:
                converter_name = type(converter).__name__
                raise AssertionError(f"{self.id}: add a sample value for {converter_name} to SAMPLE_ARGUMENTS")
            kwargs[arg_name] = SAMPLE_ARGUMENTS[type(converter)]
        return reverse(self.name, kwargs=kwargs or None)


def _walk(patterns, prefix="", namespace="", converters=()):
    for entry in patterns:
        entry_converters = tuple(getattr(entry.pattern, "converters", {}).items())
        if isinstance(entry, URLResolver):
            child_namespace = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk(
                entry.url_patterns, prefix + str(entry.pattern), child_namespace, converters + entry_converters
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield Route(name, namespace, prefix + str(entry.pattern), entry.callback, converters + entry_converters)


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
GUARDED_ROUTES = [route for route in ALL_ROUTES if route.open_reason is None]
PRIVATE_ROUTES = [route for route in ALL_ROUTES if not route.is_public]


def _route_params(routes):
    return [pytest.param(route, id=route.id) for route in routes]


def _matrix_params(routes):
    return [pytest.param(role, route, id=f"{role}-{route.id}") for route in routes for role in ROLES]


def test_the_url_configuration_is_walked():
    names = {route.name for route in ALL_ROUTES}

    assert {"core:home", "core:settings_edit", "core:auditlog_list", "accounts:login", "admin:index"} <= names


@pytest.mark.parametrize("name", sorted(OPEN_ROUTES))
def test_every_open_route_exists(name):
    matching = [route for route in ALL_ROUTES if route.name == name or f"{route.namespace}:" == name]

    assert matching, f"OPEN_ROUTES lists {name}, which is not in the URL configuration any more"


@pytest.mark.parametrize("route", _route_params(GUARDED_ROUTES))
def test_view_declares_a_permission(route):
    assert route.name, f"{route.pattern}: give the route a name (app_name + name=...)"
    assert view_permissions(route.callback), (
        f"{route.id} declares no permission: subclass apps.core.mixins.PermissionMixin and set "
        "permission_required, or wrap the function view in apps.core.permissions.permission_required"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("route", _route_params(GUARDED_ROUTES))
def test_declared_permissions_exist(route):
    for perm in view_permissions(route.callback):
        app_label, _dot, codename = perm.partition(".")
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (
            f"{route.id} requires {perm}, which no model defines"
        )


@pytest.mark.parametrize(("role", "route"), _matrix_params(GUARDED_ROUTES))
def test_role_is_refused_exactly_when_it_lacks_the_permission(role, route, client, make_user):
    perms = view_permissions(route.callback)
    expected_allowed = all(role_grants(role, perm) for perm in perms)
    user = make_user(role)
    assert user.has_perms(perms) == expected_allowed, f"the {role} group is out of sync with roles.py for {perms}"
    client.force_login(user)

    response = client.get(route.url())

    if response.status_code == 405:  # POST-only command
        if expected_allowed:
            return
        response = client.post(route.url())
    if expected_allowed:
        assert response.status_code != 403, f"{role} holds {perms} but {route.id} answered 403"
    else:
        assert response.status_code == 403, f"{role} lacks {perms} but {route.id} answered {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", _route_params(PRIVATE_ROUTES))
def test_anonymous_user_is_sent_to_login(route, client):
    response = client.get(route.url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def _menu_items():
    for config in apps.get_app_configs():
        for item in getattr(config, "menu", ()):
            yield config.label, item


def _reachable_menu_items():
    """Menu items whose URL exists (apps may declare items before their views land)."""
    items = []
    for label, item in _menu_items():
        try:
            items.append((label, item, reverse(item.url_name)))
        except NoReverseMatch:  # the app declares the item before its view lands
            continue
    return items


@pytest.mark.parametrize(
    ("item", "url"), [pytest.param(item, url, id=item.url_name) for _label, item, url in _reachable_menu_items()]
)
def test_menu_item_permission_is_the_view_permission(item, url):
    perms = view_permissions(resolve(url).func)

    assert perms, f"menu item {item.url_name} opens a view without a permission"
    assert set(perms) <= {item.permission}, f"menu item {item.url_name} checks {item.permission}, the view {perms}"


@pytest.mark.parametrize("role", ROLES)
def test_menu_shows_a_role_exactly_the_items_it_may_open(role, client_for):
    client = client_for(role)
    sections = client.get(reverse("core:home")).context["nav_sections"]
    shown = {entry["url"] for section in sections for entry in section["items"]}

    for _label, item, url in _reachable_menu_items():
        may_open = client.get(url).status_code != 403
        assert (url in shown) == may_open, f"{role}: {item.url_name} shown={url in shown}, may open={may_open}"
