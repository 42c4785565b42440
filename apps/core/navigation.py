"""The navigation menu: each app declares its items on its AppConfig as ``menu``.

The shell shows a user only the items whose permission they hold; the views enforce the same
permission, so the menu is a convenience, never the guard.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SECTIONS: tuple[tuple[str, Promise], ...] = (
    ("procurement", _("Purchasing")),
    ("inventory", _("Inventory")),
    ("sales", _("Sales")),
    ("reports", _("Reports")),
    ("masterdata", _("Master data")),
    ("system", _("System")),
)


@dataclass(frozen=True)
class MenuItem:
    section: str
    label: Promise | str
    url_name: str
    permission: str
