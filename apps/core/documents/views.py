"""The views every document shares: one command view, one save-then-post helper.

Views stay thin: they find the document through the user's scoped queryset (404 outside it),
call one service, and turn every refusal into a message on the page — a ``ValidationError``,
a ``PermissionDenied`` from the service, a database still busy after the service's retries —
never a 500.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.documents import tokens
from apps.core.permissions import permission_required

Refusal = (ValidationError, PermissionDenied, OperationalError)


def show_refusal(request: HttpRequest, error: Exception) -> None:
    """Every message of a refusal, as error messages on the next page."""
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    elif isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You do not have permission to do this."))
    else:
        messages.error(request, _("The database is busy; nothing was changed. Try again in a moment."))


def run_refusable(request: HttpRequest, call: Callable[[], Any]) -> tuple[Any, bool]:
    """``(result, True)``, or ``(None, False)`` after showing why the service refused."""
    try:
        return call(), True
    except Refusal as error:
        show_refusal(request, error)
        return None, False


def command_view(
    *,
    queryset: Callable[[Any], QuerySet],
    permission: str,
    run: Callable[..., Any],
    success: str | None = None,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST-only view that runs one command on one document and redirects to it.

    ``queryset(user)`` is the documents the user may see (their data scope): any other pk
    answers 404. ``run(actor=…, document=…, reason=…)`` calls the service. ``success`` formats
    with the document's ``number`` and ``status``; by default "CGRK… is now Posted."
    """

    @require_POST
    @permission_required(permission)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(queryset(request.user), pk=pk)
        reason = request.POST.get("reason", "").strip()
        result, done = run_refusable(request, lambda: run(actor=request.user, document=document, reason=reason))
        if done:
            result = result if result is not None else document
            message = success or _("%(number)s is now %(status)s.")
            messages.success(request, message % {"number": result.number, "status": result.get_status_display()})
        return redirect(document)

    return view


def save_then_post(
    request: HttpRequest,
    *,
    create: Callable[[], Any],
    post: Callable[[Any], Any] | None = None,
) -> Any:
    """Save a new document once per form, then post it when the user pressed "save and post".

    A re-sent form (back button, retry, double click) answers the document the form created
    first and changes nothing. A refused post keeps the saved draft and says why. A refused save
    (``ValidationError``) propagates so the view puts it back onto the form.
    """
    document, created = tokens.create_once(user=request.user, token=tokens.token_from(request.POST), create=create)
    if not created:
        messages.info(
            request,
            _("%(number)s was already saved from this form; nothing was changed.") % {"number": document.number},
        )
        return document
    messages.success(request, _("%(number)s saved.") % {"number": document.number})
    if post is not None and "post" in request.POST:
        post_saved(request, post, document)
    return document


def post_saved(request: HttpRequest, post: Callable[[Any], Any], document: Any) -> None:
    """Post a saved draft; if posting is refused, say why and keep the draft."""
    posted, done = run_refusable(request, lambda: post(document))
    if done:
        messages.success(request, _("%(number)s posted.") % {"number": posted.number})
    else:
        messages.warning(request, _("The document was kept as a draft; correct it and post again."))
