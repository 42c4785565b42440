from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import MenuItem


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    menu = (MenuItem("system", _("Background jobs"), "jobs:job_list", "jobs.follow_job"),)

    def ready(self) -> None:
        # Job handlers live in each app's ``jobs.py``; import them so every worker knows them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
