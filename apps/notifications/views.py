"""The bell, the list, opening a notification, marking read, e-mail preferences. Each user sees only their own."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.permissions import permission_required
from apps.notifications import selectors
from apps.notifications.forms import PreferenceForm
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.services import notification_preference_update, notifications_mark_read

PERMISSION = "notifications.view_notification"


class NotificationListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = PERMISSION
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"

    def get_queryset(self):
        self.show = self.request.GET.get("show", "open")
        if self.show not in selectors.FILTERS:
            self.show = "open"
        return selectors.notifications_for(user=self.request.user, show=self.show)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(show=self.show, filters=selectors.FILTERS, **kwargs)
        context["notifications"] = selectors.with_text(context["notifications"])
        return context


@require_GET
@permission_required(PERMISSION)
def bell(request: HttpRequest) -> HttpResponse:
    """The top bar's bell: the unread count and the latest open notifications (loaded by htmx)."""
    latest = selectors.with_text(selectors.notifications_for(user=request.user, show="open")[:6])
    context = {"count": selectors.unread_count(user=request.user), "latest": latest}
    return render(request, "notifications/partials/_bell.html", context)


@require_POST
@permission_required(PERMISSION)
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect("notifications:notification_list")


@require_POST
@permission_required(PERMISSION)
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("notifications:notification_list")


@permission_required(PERMISSION)
def preferences(request: HttpRequest) -> HttpResponse:
    instance = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        notification_preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Notification settings saved."))
        return redirect("notifications:notification_list")
    return render(request, "notifications/preferences.html", {"form": form})
