"""``manage.py stock_snapshots [--rebuild]``: bring the monthly stock snapshots up to date (or rebuild them all)."""

from django.core.management.base import BaseCommand

from apps.inventory.services.snapshots import stock_snapshots_update


class Command(BaseCommand):
    help = "Build the monthly stock snapshots that are due; --rebuild drops them all and builds them again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Drop every snapshot first")

    def handle(self, *args, rebuild: bool, **options) -> None:
        built = stock_snapshots_update(rebuild=rebuild)
        if built:
            self.stdout.write(f"stock snapshots built: {built[0]:%Y-%m} to {built[-1]:%Y-%m} ({len(built)} months)")
        else:
            self.stdout.write("stock snapshots up to date")
