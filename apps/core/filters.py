import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
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
    created = django_filters.DateFromToRangeFilter(
        label=_("Date"),
        field_name="created_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditLog
        fields = ["actor", "action", "content_type", "created"]
