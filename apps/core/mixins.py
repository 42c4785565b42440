"""View mixins shared by every app."""

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin

from apps.core.prices import PriceKind, can_see


class PermissionMixin(PermissionRequiredMixin):
    """Refuse with 403 (never a login redirect loop) when the role lacks the permission.

    Every view in the project declares ``permission_required``; a test walks the URL
    configuration to keep it so.
    """

    raise_exception = True


class PaginatedListMixin:
    """Pagination and ``?sort=`` ordering restricted to the columns a list declares.

    ``price_sort_fields`` names the sortable columns that carry a protected price and its kind:
    a user who may not see it cannot sort by it either (the order would reveal it, ADR 0007).
    """

    paginate_by = settings.PAGINATE_BY
    sortable_fields: tuple[str, ...] = ()
    price_sort_fields: dict[str, PriceKind] = {}
    default_ordering: tuple[str, ...] = ("-id",)

    def get_ordering(self):
        sort = self.request.GET.get("sort", "")
        kind = self.price_sort_fields.get(sort.lstrip("-"))
        if kind is not None and not can_see(self.request.user, kind):
            return self.default_ordering
        if sort.lstrip("-") in self.sortable_fields:
            return (sort, "id") if not sort.startswith("-") else (sort, "-id")
        return self.default_ordering
