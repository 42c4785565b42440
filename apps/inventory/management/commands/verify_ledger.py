"""``manage.py verify_ledger [--repair]``: check the stock ledger's invariants; exit 1 when any fails."""

from django.core.management.base import BaseCommand, CommandError

from apps.inventory.selectors import LedgerReport, ledger_verify
from apps.inventory.services import stock_balances_rebuild


class Command(BaseCommand):
    help = (
        "Check that balances equal the sums of their movements (quantity and value), running balances "
        "add up, no stock is negative unless allowed, reserved stays within on-hand and every posting "
        "has a source document. Exits with status 1 and a report when a check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Rebuild balances (on-hand, value, average cost) from the movements, then check again.",
        )

    def handle(self, *args, repair: bool = False, **options):
        report = ledger_verify()
        self._print(report)
        if repair and not report.ok:
            repaired = stock_balances_rebuild(actor=None)
            self.stdout.write(self.style.WARNING(f"Repaired {len(repaired)} balance(s) from their movements:"))
            for row in repaired:
                self.stdout.write(
                    f"  product {row.product_id} / warehouse {row.warehouse_id}: on hand "
                    f"{row.on_hand[0]} -> {row.on_hand[1]}, value {row.value[0]} -> {row.value[1]}"
                )
            self.stdout.write("Checking again after the repair:")
            report = ledger_verify()
            self._print(report)
        if not report.ok:
            failed = ", ".join(check.name for check in report.checks if not check.ok)
            raise CommandError(f"stock ledger verification failed: {failed}", returncode=1)
        self.stdout.write(self.style.SUCCESS("Stock ledger OK."))

    def _print(self, report: LedgerReport) -> None:
        for check in report.checks:
            if check.ok:
                self.stdout.write(f"[ OK ] {check.description}")
                continue
            count = f"{check.failures}+" if check.capped else str(check.failures)
            self.stdout.write(self.style.ERROR(f"[FAIL] {check.description}: {count} failure(s)"))
            for sample in check.samples:
                self.stdout.write(f"         - {sample}")
            if check.failures > len(check.samples):
                self.stdout.write(f"         … and {check.failures - len(check.samples)} more")
