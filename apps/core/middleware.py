"""Response headers every page gets beyond Django's security middleware; clean request input."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import add_never_cache_headers

from apps.core.hygiene import clean_text

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
