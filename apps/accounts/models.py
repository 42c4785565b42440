import unicodedata

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(char) in "WF" for char in text)


class User(AbstractUser):
    """A person who signs in. Roles are groups (see ``apps.accounts.roles``).

    Data scope fails closed: a user sees the warehouses they are assigned to (on the warehouse)
    and the customers they are the salesperson of, and nothing more, unless the administrator
    ticks "all warehouses" / "all customers". Superusers always see everything. The scope is read
    through ``apps.masterdata.selectors.warehouse_scope_ids`` and ``customer_scope_owner``.
    """

    sees_all_warehouses = models.BooleanField(
        _("all warehouses"),
        default=False,
        help_text=_("Sees and works in every warehouse. Otherwise only the warehouses the user is assigned to."),
    )
    sees_all_customers = models.BooleanField(
        _("all customers"),
        default=False,
        help_text=_("Sees every customer and their documents. Otherwise only the customers they are salesperson of."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username

    def get_full_name(self) -> str:
        """The name as its owner writes it: 王仓管 (family name first, no space) for a Chinese name,
        "Ada Lovelace" for a Western one, whatever the interface language."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if _is_cjk(first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()
