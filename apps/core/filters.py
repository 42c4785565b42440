import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.models import AuditAction, AuditLog

PROJECT_APP_LABELS = ("core", "accounts", "masterdata", "inventory", "procurement", "sales", "analytics")


class RecordTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ContentType) -> str:
        model = obj.model_class()
        return capfirst(model._meta.verbose_name) if model else obj.model


class RecordTypeFilter(django_filters.ModelChoiceFilter):
    """The kinds of record the log holds, by their translated names (客户, 采购订单), in that order."""

    field_class = RecordTypeChoiceField

    def get_queryset(self, request):
        logged = AuditLog.objects.order_by().values("content_type_id").distinct()
        return super().get_queryset(request).filter(pk__in=logged)

    @property
    def field(self):
        field = super().field
        field.choices = sorted(field.choices, key=lambda choice: (choice[0] != "", str(choice[1])))
        return field


class AuditLogFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        label=_("User"), queryset=get_user_model().objects.order_by("username"), empty_label=_("All users")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices, empty_label=_("All actions"))
    content_type = RecordTypeFilter(
        label=_("Record type"),
        queryset=ContentType.objects.filter(app_label__in=PROJECT_APP_LABELS),
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
