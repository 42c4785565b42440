"""Price visibility in templates (see ``apps.core.prices``).

{% load prices %}
{% if can_see.cost %}<th>Average cost</th>{% endif %}      (context processor)
{{ line.amount|money_if:can_see.cost }}                    (the amount, or *** when hidden)
{{ balance.avg_cost|unit_cost_if:can_see.cost }}           (a unit cost at full precision, or ***)
{% price_visible "purchase_price" as show_price %}         (without the context processor)
"""

from django import template

from apps.core.prices import MASK, can_see
from apps.core.templatetags.jxc import money, unit_cost

register = template.Library()


@register.filter
def money_if(value, visible) -> str:
    """The amount formatted as money when ``visible``, else the mask."""
    return money(value) if visible else MASK


@register.filter
def unit_cost_if(value, visible) -> str:
    """The unit cost at full precision when ``visible``, else the mask."""
    return unit_cost(value) if visible else MASK


@register.simple_tag(takes_context=True)
def price_visible(context, kind: str) -> bool:
    request = context.get("request")
    return can_see(getattr(request, "user", None) or context.get("user"), kind)
