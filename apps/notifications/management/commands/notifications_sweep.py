from django.core.management.base import BaseCommand

from apps.notifications.triggers import sweep


class Command(BaseCommand):
    help = "Raise the notifications whose conditions hold and close those that cleared (run every few minutes)."

    def handle(self, *args, **options):
        sweep()
        self.stdout.write("notifications swept")
