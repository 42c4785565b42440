import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AuditAction, AuditLog

PROJECT_APP_LABELS = ("core", "accounts", "masterdata", "inventory", "procurement", "sales", "analytics")


class AuditLogFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        label=_("User"), queryset=get_user_model().objects.order_by("username"), empty_label=_("All users")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices, empty_label=_("All actions"))
    content_type = django_filters.ModelChoiceFilter(
        label=_("Record type"),
        queryset=ContentType.objects.filter(app_label__in=PROJECT_APP_LABELS).order_by("app_label", "model"),
        empty_label=_("All types"),
    )
    created_after = django_filters.DateFilter(
        label=_("From date"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = django_filters.DateFilter(
        label=_("To date"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditLog
        fields = ["actor", "action", "content_type", "created_after", "created_before"]

    # Whole local days, compared on the indexed column (a __date lookup would defeat the index).
    def filter_from(self, queryset, name, value: datetime.date):
        return queryset.filter(created_at__gte=_local_midnight(value))

    def filter_to(self, queryset, name, value: datetime.date):
        return queryset.filter(created_at__lt=_local_midnight(value + datetime.timedelta(days=1)))


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
