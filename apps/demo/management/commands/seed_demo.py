"""``python manage.py seed_demo [--scale N]``: load the demo company (idempotent) and print the logins."""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from apps.accounts.roles import ROLE_LABELS
from apps.demo.seeders import masterdata
from apps.demo.seeders.masterdata import DEMO_PASSWORD

DEMO_URL = "http://127.0.0.1:8000/"


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns; a Chinese character takes two."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - used, 1)


class Command(BaseCommand):
    help = "Load the demo company: users per role, master data (and, as they come, stock and documents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=None,
            metavar="N",
            help="Generate N products (plus proportionate suppliers and customers) for benchmarks.",
        )
        parser.add_argument(
            "--url", default=DEMO_URL, help="The address printed with the logins (make run passes its HOST:PORT)."
        )

    def handle(self, *args, scale: int | None = None, url: str = DEMO_URL, **options) -> None:
        if scale is not None and scale < 1:
            self.stderr.write(_("--scale must be a positive number of products."))
            return
        started = time.monotonic()
        result = masterdata.seed(scale=scale)
        # Other areas add one call each here: inventory.seed(...), procurement.seed(...), ...
        elapsed = time.monotonic() - started
        self.stdout.write(
            _("Master data: %(products)d products, %(suppliers)d suppliers, %(customers)d customers added.") % result
        )
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": elapsed})
        self.print_logins(result["users"], url)

    def print_logins(self, users: list[tuple[str, str]], url: str) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("Open %(url)s and sign in as:") % {"url": url}))
        username_label, password_label, role_label = _("Username"), _("Password"), _("Role")
        self.stdout.write(f"  {_pad(username_label, 12)}{_pad(password_label, 16)}{role_label}")
        self.stdout.write("  " + "-" * 40)
        for username, role in users:
            self.stdout.write(f"  {_pad(username, 12)}{_pad(DEMO_PASSWORD, 16)}{ROLE_LABELS[role]}")
