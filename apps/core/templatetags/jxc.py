"""Formatting for money, unit costs and quantities, sortable column headers, audit changes."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.forms.widgets import ChoiceWidget
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from apps.core.fields import COST_QUANT, MONEY_PLACES, MONEY_QUANT, MoneyField
from apps.core.prices import FIELD_KINDS, MASK, can_see

register = template.Library()


@register.filter
def money(value) -> str:
    """¥ with two decimals and thousands separators: ¥1,234.50."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value).quantize(MONEY_QUANT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if amount == 0:
        amount = abs(amount)  # no "¥-0.00"
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


@register.filter
def unit_cost(value) -> str:
    """A unit or average cost at its full precision, at least two decimals: ¥12.50, ¥3.141593."""
    if value in (None, ""):
        return ""
    try:
        cost = Decimal(value).quantize(COST_QUANT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{abs(cost):,f}".rstrip("0")
    whole, _point, decimals = text.partition(".")
    text = f"{whole}.{decimals.ljust(MONEY_PLACES, '0')}"
    return f"-¥{text}" if cost < 0 else f"¥{text}"


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
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", "")
    if isinstance(widget, ChoiceWidget) and input_type in ("checkbox", "radio"):
        # A group of radios or checkboxes: a class would land on the wrapping <div> too.
        return bound_field.as_widget(attrs=attrs)
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


# Labels of audit keys that are not model fields and that several records use; a model's own
# ``audit_labels`` take precedence.
COMMON_AUDIT_LABELS = {
    "lines": pgettext_lazy("audit", "Lines"),
    "tags": pgettext_lazy("audit", "Tags"),
    "auto": pgettext_lazy("audit", "Allocated automatically"),
    "allocations": pgettext_lazy("audit", "Allocations"),
    "repair": pgettext_lazy("audit", "Repair"),
    "reason": pgettext_lazy("audit", "Reason"),
    "memo": pgettext_lazy("audit", "Memo"),
    "rows": pgettext_lazy("audit", "Rows"),
    "imported": pgettext_lazy("audit", "Imported"),
}


def _audit_value(value: Any, choices: dict | None = None, money_field: bool = False) -> str:
    if choices and not isinstance(value, (list, bool)) and value in choices:
        return str(choices[value])
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_audit_value(item) for item in value) or "—"
    if isinstance(value, dict):  # e.g. {row: quantity}
        return ", ".join(f"{key}: {_audit_value(item)}" for key, item in value.items()) or "—"
    if money_field:
        return money(value) or str(value)
    return str(value)


def _audit_label(model: Any, name: str) -> tuple[str, dict | None, bool]:
    """The label of an audit key, its choices and whether it holds money."""
    try:
        field = model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):  # not a model field (e.g. an import summary), or a gone model
        label = getattr(model, "audit_labels", {}).get(name) or COMMON_AUDIT_LABELS.get(name)
        return capfirst(label or name.replace("_", " ")), None, False
    if not hasattr(field, "verbose_name"):  # a reverse relation
        return capfirst(COMMON_AUDIT_LABELS.get(name) or name.replace("_", " ")), None, False
    return capfirst(field.verbose_name), dict(field.flatchoices or ()), isinstance(field, MoneyField)


def _audit_hidden(model: Any, name: str, is_money: bool, user: Any) -> bool:
    """Whether ``user`` may not see this change (价格屏蔽): a protected price by its name, or an
    amount of a document whose amounts are protected (its model's ``price_kind``)."""
    if user is None:
        return False
    kind = FIELD_KINDS.get(name) or (getattr(model, "price_kind", None) if is_money else None)
    return kind is not None and not can_see(user, kind)


@register.simple_tag
def audit_changes(entry, user=None) -> list[tuple[str, str, str]]:
    """An audit row's changes as ``(label, old, new)``: the field's verbose name, Yes/No, "—" for empty,
    money as money (¥1,231.70), a price ``user`` may not see as ``***``."""
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    rows = []
    for name, change in (entry.changes or {}).items():
        old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
        label, choices, is_money = _audit_label(model, name)
        if _audit_hidden(model, name, is_money, user):
            rows.append((label, MASK, MASK))
            continue
        rows.append((label, _audit_value(old, choices, is_money), _audit_value(new, choices, is_money)))
    return rows
