"""Template tags every document page uses: its buttons, its badge, its form token."""

from django import template
from django.utils.html import format_html

from apps.core.documents import tokens
from apps.core.documents.badges import badge_for
from apps.core.documents.registry import pipeline_of

register = template.Library()


@register.inclusion_tag("documents/_actions.html", takes_context=True)
def document_actions(context, document):
    """The pipeline's buttons for this user on this document (none they could not use)."""
    user = context["request"].user
    return {"actions": pipeline_of(document).actions(document, user), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("documents/_status_badge.html")
def status_badge(document):
    return {"status": document.status, "label": document.get_status_display(), "colour": badge_for(document.status)}


@register.simple_tag(takes_context=True)
def form_token(context):
    """The hidden one-time token of a create form (kept while the form is shown again)."""
    request = context["request"]
    value = tokens.token_for_form(request.POST if request.method == "POST" else {})
    return format_html('<input type="hidden" name="{}" value="{}">', tokens.FIELD, value)
