"""Small helpers for the purchasing templates."""

from django import template

from apps.core.templatetags.jxc import qty

register = template.Library()


@register.simple_tag
def open_quantity_text(order_lines: dict, form) -> str:
    """The open quantity of the order line a receipt row belongs to, in the row's unit: "10 箱"."""
    if not order_lines:
        return ""
    value = form["order_line"].value()
    try:
        line = order_lines.get(int(value))
    except (TypeError, ValueError):
        return ""
    if line is None:
        return ""
    return f"{qty(line.open_quantity / line.ratio)} {line.unit}"
