import sys

from django.apps import apps as django_apps
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error
from django.views.generic import FormView, ListView, TemplateView

from apps.core.db import is_busy_error
from apps.core.forms import SystemSettingsForm, apply_service_error
from apps.core.middleware import busy_response
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.models import SystemSettings
from apps.core.selectors import audit_log_list
from apps.core.services import system_settings_update


class HomeView(TemplateView):
    """The landing page every signed-in user may open. An app adds panels by naming a function
    ``home_panels(request) -> list[dict]`` on its AppConfig (each dict names its ``template``);
    without panels the page shows the menu."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        panels = []
        for config in django_apps.get_app_configs():
            if getattr(config, "home_panels", None):
                panels.extend(import_string(config.home_panels)(self.request))
        return super().get_context_data(home_panels=panels, **kwargs)


class SystemSettingsEditView(PermissionMixin, FormView):
    permission_required = "core.change_systemsettings"
    template_name = "core/settings_form.html"
    form_class = SystemSettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": SystemSettings.load()}

    def form_valid(self, form):
        try:
            system_settings_update(actor=self.request.user, data=form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Settings saved."))
        return redirect("core:settings_edit")


class AuditLogListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "core.view_auditlog"
    template_name = "core/auditlog_list.html"
    context_object_name = "entries"
    sortable_fields = ("created_at", "action")
    default_ordering = ("-created_at", "-id")

    def get_queryset(self):
        self.filterset = audit_log_list(filters=self.request.GET)
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a busy database is 503 "busy, try again" (see ``BusyDatabaseMiddleware``)."""
    error = sys.exc_info()[1]
    if error is not None and is_busy_error(error):
        return busy_response(request, error)
    return django_server_error(request)
