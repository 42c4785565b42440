from django.contrib import admin

from apps.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by the worker only."""

    list_display = ("created_at", "label", "user", "status", "progress_done", "progress_total", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("label", "user__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
