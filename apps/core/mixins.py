"""View mixins shared by every app."""

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin


class PermissionMixin(PermissionRequiredMixin):
    """Refuse with 403 (never a login redirect loop) when the role lacks the permission.

    Every view in the project declares ``permission_required``; a test walks the URL
    configuration to keep it so.
    """

    raise_exception = True


class PaginatedListMixin:
    """Pagination and ``?sort=`` ordering restricted to the columns a list declares."""

    paginate_by = settings.PAGINATE_BY
    sortable_fields: tuple[str, ...] = ()
    default_ordering: tuple[str, ...] = ("-id",)

    def get_ordering(self):
        sort = self.request.GET.get("sort", "")
        if sort.lstrip("-") in self.sortable_fields:
            return (sort, "id") if not sort.startswith("-") else (sort, "-id")
        return self.default_ordering
