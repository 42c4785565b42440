from django.core.management.base import BaseCommand

from apps.notifications.services import daily_digest_send


class Command(BaseCommand):
    help = "E-mail each user who opted in the list of their open notifications (run once a day)."

    def handle(self, *args, **options):
        self.stdout.write(f"digests sent: {daily_digest_send()}")
