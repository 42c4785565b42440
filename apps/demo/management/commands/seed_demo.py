"""``python manage.py seed_demo [--scale N]``: load the demo company (idempotent) and print the logins."""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.roles import ROLE_LABELS
from apps.core.models import SystemSettings
from apps.demo.seeders import history, inventory, masterdata, procurement, sales, texts
from apps.demo.seeders.masterdata import DEMO_PASSWORD
from apps.inventory.services.hooks import posting_clock

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
            "--warehouses",
            type=int,
            default=None,
            metavar="W",
            help="With --scale: make sure at least W warehouses exist (the benchmark uses 10).",
        )
        parser.add_argument(
            "--movements",
            type=int,
            default=0,
            metavar="M",
            help="With --scale: append about M stock movements over the last year (the benchmark uses 1000000).",
        )
        parser.add_argument(
            "--language",
            choices=texts.LANGUAGES,
            default="zh-hans",
            help="The language of the demo company's names and texts (default zh-hans).",
        )
        parser.add_argument(
            "--url", default=DEMO_URL, help="The address printed with the logins (make run passes its HOST:PORT)."
        )

    def handle(
        self,
        *args,
        scale: int | None = None,
        warehouses: int | None = None,
        movements: int = 0,
        url: str = DEMO_URL,
        language: str = "zh-hans",
        **options,
    ) -> None:
        # The demo's names and texts are written in ``language``; what the command prints stays in
        # the language it runs in.
        self.data_language = language
        users = self.seed(scale=scale, warehouses=warehouses, movements=movements)
        if users is not None:
            self.print_logins(users, url)

    def seed(self, *, scale: int | None, warehouses: int | None, movements: int) -> list[tuple[str, str]] | None:
        """Load the demo company; returns the logins, or None when the options are refused."""
        if scale is not None and scale < 1:
            self.stderr.write(_("--scale must be a positive number of products."))
            return None
        if (warehouses or movements) and scale is None:
            self.stderr.write(_("--warehouses and --movements go with --scale."))
            return None
        started = time.monotonic()
        with translation.override(self.data_language):
            result = masterdata.seed(scale=scale)
            company = SystemSettings.load()
            if company.company_name in texts.in_every_language(texts.COMPANY_NAME):
                company.company_name = str(texts.COMPANY_NAME)
                company.save(update_fields=["company_name", "updated_at"])
        self.stdout.write(
            _("Master data: %(products)d products, %(suppliers)d suppliers, %(customers)d customers added.") % result
        )
        admin = User.objects.get(username="admin")
        if scale is None:
            # The opening stock is dated where the history starts, then a year is posted in date order.
            start = history.history_start(timezone.localdate())
            with translation.override(self.data_language), posting_clock(history.at(start, 9)):
                opening = inventory.seed(actor=admin, day=start)
            self.stdout.write(_("Stock: %(count)d opening stock documents posted.") % {"count": len(opening)})
            with translation.override(self.data_language):
                past = history.seed()
            self.stdout.write(
                _("History: %(receipts)d receipts, %(shipments)d deliveries, %(returns)d returns posted in date order.")
                % past
            )
            with translation.override(self.data_language):
                purchasing = procurement.seed()
            if not purchasing.get("skipped"):
                self.stdout.write(_("Purchasing: demo orders, receipts, returns and payments added."))
            with translation.override(self.data_language):
                selling = sales.seed()
            self.stdout.write(
                _(
                    "Sales: %(orders)d orders, %(shipments)d deliveries, %(returns)d returns, "
                    "%(receipts)d customer receipts added."
                )
                % selling
            )
            # Last, so that the open count's book quantities are today's: a count and a transfer in progress.
            with translation.override(self.data_language):
                inventory.seed_operations(actor=admin)
        else:
            if warehouses:
                masterdata.seed_extra_warehouses(warehouses)
            if movements:
                counts = inventory.seed_scale(movements=movements, actor=admin)
                self.stdout.write(_("Stock: %(movements)d movements in %(postings)d documents appended.") % counts)
        elapsed = time.monotonic() - started
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": elapsed})
        return result["users"]

    def print_logins(self, users: list[tuple[str, str]], url: str) -> None:
        """The demo logins in English and in Chinese: the README is English, the app opens in zh-hans."""
        self.stdout.write("")
        for language in ("en", "zh-hans"):
            with translation.override(language):
                self.stdout.write(self.style.SUCCESS(_("Open %(url)s and sign in as:") % {"url": url}))
        labels = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                labels[language] = [_("Username"), _("Password"), _("Role")]
        header = [f"{english} / {chinese}" for english, chinese in zip(labels["en"], labels["zh-hans"], strict=True)]
        self.stdout.write(f"  {_pad(header[0], 16)}{_pad(header[1], 18)}{header[2]}")
        self.stdout.write("  " + "-" * 60)
        for username, role in users:
            with translation.override("en"):
                english = str(ROLE_LABELS[role])
            with translation.override("zh-hans"):
                chinese = str(ROLE_LABELS[role])
            self.stdout.write(f"  {_pad(username, 16)}{_pad(DEMO_PASSWORD, 18)}{english} / {chinese}")
