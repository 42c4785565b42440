import pytest
from django.contrib.auth.decorators import permission_required as django_permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from apps.core.mixins import PermissionMixin
from apps.core.permissions import permission_required, view_permissions


def _view(request, pk=None):
    return HttpResponse("ok")


def test_decorator_records_the_permission_through_outer_decorators():
    view = require_POST(permission_required("procurement.approve_purchaseorder")(_view))

    assert view_permissions(view) == ("procurement.approve_purchaseorder",)


def test_decorator_accepts_several_permissions():
    view = permission_required(["sales.view_salesorder", "sales.change_salesorder"])(_view)

    assert view_permissions(view) == ("sales.view_salesorder", "sales.change_salesorder")


def test_decorator_refuses_an_empty_permission():
    with pytest.raises(ValueError, match="at least one"):
        permission_required("")


@pytest.mark.django_db
def test_decorated_view_refuses_with_403(make_user):
    request = RequestFactory().get("/")
    request.user = make_user("sales")
    view = permission_required("core.change_systemsettings")(_view)

    with pytest.raises(PermissionDenied):
        view(request)


def test_djangos_own_decorator_is_recognised_too():
    view = require_POST(django_permission_required("inventory.view_stockbalance", raise_exception=True)(_view))

    assert view_permissions(view) == ("inventory.view_stockbalance",)


def test_class_view_declares_through_the_mixin():
    class Guarded(PermissionMixin, TemplateView):
        permission_required = "core.view_auditlog"

    assert view_permissions(Guarded.as_view()) == ("core.view_auditlog",)


def test_views_without_a_declaration_have_none():
    assert view_permissions(_view) == ()
    assert view_permissions(TemplateView.as_view()) == ()
