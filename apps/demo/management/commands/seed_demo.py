"""``python manage.py seed_demo [--scale N]``: load the demo company (idempotent) and print the logins."""

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from apps.demo.seeders import masterdata
from apps.demo.seeders.masterdata import DEMO_PASSWORD

DEMO_URL = "http://127.0.0.1:8000"


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

    def handle(self, *args, scale: int | None = None, **options) -> None:
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
        self.print_logins(result["users"])

    def print_logins(self, users: list[tuple[str, str]]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("Open %(url)s and sign in as:") % {"url": DEMO_URL}))
        username_label, password_label, role_label = _("Username"), _("Password"), _("Role")
        header = f"  {username_label:<12} {password_label:<16} {role_label:<12}"
        self.stdout.write(header)
        self.stdout.write("  " + "-" * (len(header) - 2))
        for username, role in users:
            self.stdout.write(f"  {username:<12} {DEMO_PASSWORD:<16} {role:<12}")
        self.stdout.write(f"  URL: {DEMO_URL}")
