"""Permission checks for function views.

Every function view in the project is wrapped by :func:`permission_required` from this module
(not Django's directly): it refuses with 403 like Django's decorator with
``raise_exception=True`` and records the permissions on the view as ``permission_required``,
the attribute class views carry through ``apps.core.mixins.PermissionMixin``. The permission
matrix test (``apps/accounts/tests/test_permission_matrix.py``) reads that attribute to check
every URL for every role, so a function view without it fails the suite.

    @require_POST
    @permission_required("procurement.approve_purchaseorder")
    def purchaseorder_approve(request, pk): ...

Django's own decorator is recognised too (by introspection, as a fallback), but only this one
states the permissions plainly. Outer decorators built with ``functools.wraps`` (``require_POST``,
``require_GET``) copy the attribute onto their wrapper, so the order above works; put this
decorator innermost.
"""

import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.decorators import permission_required as django_permission_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

V = TypeVar("V", bound=Callable)


def permission_required(perm: str | Iterable[str]) -> Callable[[V], V]:
    """Refuse with 403 unless the user holds ``perm`` (one ``app.codename`` or several)."""
    perms = (perm,) if isinstance(perm, str) else tuple(perm)
    if not perms or not all(perms):
        raise ValueError("permission_required needs at least one 'app_label.codename'")

    def decorator(view: V) -> V:
        wrapped = django_permission_required(perms, raise_exception=True)(view)
        wrapped.permission_required = perms
        return wrapped

    return decorator


def view_permissions(view: Callable) -> tuple[str, ...]:
    """The permissions a resolved URL callback declares: ``()`` when it declares none.

    Class views answer through ``PermissionMixin`` (``view.view_class``), function views through
    the attribute set by :func:`permission_required`.
    """
    from apps.core.mixins import PermissionMixin

    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        if not issubclass(view_class, PermissionMixin):
            return ()
        declared = getattr(view, "view_initkwargs", {}).get("permission_required", view_class.permission_required)
    else:
        declared = getattr(view, "permission_required", None) or _django_decorator_permissions(view)
    if not declared:
        return ()
    return (declared,) if isinstance(declared, str) else tuple(declared)


def _django_decorator_permissions(view: Callable) -> tuple[str, ...]:
    """The permissions of Django's own ``permission_required`` decorator, read from its closure.

    A fallback so that views decorated the Django way are recognised too; the decorator above
    says it without introspection and is the one to use.
    """
    func, seen = view, set()
    while callable(func) and id(func) not in seen:
        seen.add(id(func))
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if callable(value) and getattr(value, "__name__", "") == "check_perms":
                perms = inspect.getclosurevars(value).nonlocals.get("perms")
                if perms:
                    return (perms,) if isinstance(perms, str) else tuple(perms)
        func = getattr(func, "__wrapped__", None)
    return ()


def require_permission(actor: Any, permission: str) -> None:
    """A service's own check: raise ``PermissionDenied`` unless ``actor`` holds ``permission``.

    Services check the permission of the action they perform, whoever calls them (a view, a
    command, an import job); views translate the refusal into a message.
    """
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to do this."))
