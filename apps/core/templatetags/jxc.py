"""Formatting for money and quantities, sortable column headers."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html

from apps.core.fields import MONEY_QUANT

register = template.Library()


@register.filter
def money(value) -> str:
    """¥ with two decimals and thousands separators: ¥1,234.50."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value).quantize(MONEY_QUANT)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"¥{amount:,}"


@register.filter
def qty(value) -> str:
    """A quantity without trailing zeros: 12, 1.5, 0.125."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str) -> str:
    """A column header that toggles ``?sort=field`` / ``?sort=-field``, keeping other filters."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    new = f"-{field}" if current == field else field
    params["sort"] = new
    params.pop("page", None)
    arrow = "▲" if current == field else "▼" if current == f"-{field}" else ""
    return format_html('<a href="?{}" class="sort-link">{} {}</a>', params.urlencode(), label, arrow)


@register.simple_tag
def bs_widget(bound_field, **attrs):
    """Render a form field's widget with the Bootstrap class for its kind, marked invalid on error."""
    input_type = getattr(bound_field.field.widget, "input_type", "")
    if input_type in ("checkbox", "radio"):
        css = "form-check-input"
    elif input_type == "select":
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    existing = bound_field.field.widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={**attrs, "class": f"{css} {existing}".strip()})
