"""Request-wide answers the views do not give themselves: a busy database, security headers, clean input."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.db import is_busy_error
from apps.core.hygiene import clean_text

logger = logging.getLogger(__name__)

BUSY_RETRY_AFTER_SECONDS = 2


class BusyDatabaseMiddleware:
    """Answer 503 "busy, try again" instead of 500 when the database stays busy.

    Services retry deadlocks, serialization failures and SQLite's "database is locked"
    (``atomic_with_retry``); when the retries are exhausted, or a read or a login meets a lock
    timeout, the error reaches here. Nothing was written, so the page says to try again and
    links back; an htmx request gets a fragment (an alert) instead of a whole page. The page
    is rendered without context processors or the menu, which would query the busy database.
    A lock met outside a view (loading the session in another middleware) reaches
    ``apps.core.views.server_error``, the ``handler500``, which answers alike.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy_error(exception):
            return None
        return busy_response(request, exception)


def busy_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 503 "busy, try again" answer: a page, or an alert fragment for htmx."""
    logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
    htmx = request.headers.get("HX-Request") == "true"
    template = "core/partials/_busy.html" if htmx else "core/busy.html"
    content = render_to_string(template, {"again_url": _again_url(request), "method": request.method})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _again_url(request: HttpRequest) -> str:
    """Where "try again" leads: the same page for a GET, the form the POST came from otherwise."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


# What the browser may use: nothing but the camera for barcode scanning (the app's own origin).
DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(self), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=(), "
    "interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``Cache-Control: no-store`` once signed in.

    Pages and exports of a signed-in user hold business data (prices, customers, stock), so no
    browser or proxy cache may keep them, including the back button after logging out. Static
    files are answered by WhiteNoise before this runs and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


def _cleaned(query: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(clean_text(key), [clean_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


class InputHygieneMiddleware:
    """Remove control characters (except tab and line breaks) from every query and form value.

    Every form, filter and lookup of every app reads ``request.GET`` / ``request.POST``, so text
    that would break pages and exports (BEL, ESC, NUL …) never reaches them. Single-line fields
    lose tabs and line breaks too in ``apps.core.forms.CleanFormMixin``. Uploaded files are left
    as they are: their readers check them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.GET:
            request.GET = _cleaned(request.GET)
        if request.method == "POST" and request.POST:
            request.POST = _cleaned(request.POST)
        return self.get_response(request)
