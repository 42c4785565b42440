"""Sign-in pages beyond Django's own views: the lockout answer of django-axes."""

import math
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

LOCKOUT_STATUS = 429


def lockout(request: HttpRequest, original_response: Any = None, credentials: dict | None = None) -> HttpResponse:
    """The login page again, with what happened and what to do, answered 429 (django-axes callable)."""
    minutes = max(1, math.ceil(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute, or ask an administrator to unlock "
        "the account.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes, or ask an administrator to unlock "
        "the account.",
        minutes,
    ) % {"minutes": minutes}
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": message, "next": request.POST.get("next", "")},
        status=LOCKOUT_STATUS,
    )
