from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from apps.core.views import healthz

# The admin carries the product's name, not Django's.
admin.site.site_header = _("JXC administration")
admin.site.site_title = _("JXC administration")
admin.site.index_title = _("Users, roles and records")
admin.site.site_url = "/"

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    # The language switcher also serves the login page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("masterdata/", include("apps.masterdata.urls")),
    path("inventory/", include("apps.inventory.urls")),
    path("procurement/", include("apps.procurement.urls")),
    path("sales/", include("apps.sales.urls")),
    path("planning/", include("apps.planning.urls")),
    path("reports/", include("apps.analytics.urls")),
    path("jobs/", include("apps.jobs.urls")),
    path("imports/", include("apps.imports.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler500 = "apps.core.views.server_error"  # a busy database answers 503 "busy, try again"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
