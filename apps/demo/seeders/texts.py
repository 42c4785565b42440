"""What the demo company writes into its records, in the language it is seeded in (``seed_demo --language``).

Lazy: a seeder takes ``str(texts.NAME)`` under the language the command activated.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("zh-hans", "en")

COMPANY_NAME = _("JXC Demo Co.")
OPENING_STOCK = _("Demo opening stock")
SALES_OPENING_STOCK = _("Demo opening stock for the sales history")
OPERATIONS = _("Demo: inventory operations")
DAMAGED_PACKAGING = _("damaged packaging")
DUPLICATE = _("duplicate")
BETTER_PRICE = _("ask for a better price")
CANNOT_DELIVER = _("supplier cannot deliver the rest")
URGENT_TOP_UP = _("urgent top-up delivered without an order")
FAULTY_BATCH = _("faulty batch")
BANK = _("Bank deposit")
WRONG_SPECIFICATION = _("Customer return: wrong specification")
PACKAGING_BROKEN = _("Packaging broken")
BROKEN_IN_TRANSIT = _("Broken in transit")
STANDARD_PART = _("Standard part")


def part_number(number: int) -> str:
    return _("Part no. %(number)s") % {"number": number}


def in_every_language(text) -> list[str]:
    """``text`` as any earlier seeding wrote it, whatever its language (to find what it made)."""
    found = []
    for language in LANGUAGES:
        with translation.override(language):
            found.append(str(text))
    return found


def is_chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")
