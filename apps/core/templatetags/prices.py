"""Price visibility in templates (see ``apps.core.prices``).

{% load prices %}
{% if can_see.cost %}<th>Average cost</th>{% endif %}      (context processor)
{{ line.unit_cost|money_if:can_see.cost }}                 (the amount, or *** when hidden)
{% price_visible "purchase_price" as show_price %}         (without the context processor)
"""

from django import template

from apps.core.prices import MASK, can_see
from apps.core.templatetags.jxc import money

register = template.Library()


@register.filter
def money_if(value, visible) -> str:
    """The amount formatted as money when ``visible``, else the mask."""
    return money(value) if visible else MASK


@register.simple_tag(takes_context=True)
def price_visible(context, kind: str) -> bool:
    request = context.get("request")
    return can_see(getattr(request, "user", None) or context.get("user"), kind)
