"""Template helpers of the sales pages."""

import json
from decimal import Decimal

from django import template
from django.utils.html import format_html

from apps.sales.selectors import SEGMENT_BADGES, SEGMENT_LABELS

register = template.Library()


@register.filter
def segment_badge(segment: str) -> str:
    """An RFM segment code as a coloured badge with its translated label."""
    if segment not in SEGMENT_LABELS:
        return ""
    return format_html('<span class="badge text-bg-{}">{}</span>', SEGMENT_BADGES[segment], SEGMENT_LABELS[segment])


@register.filter
def negate(value):
    """−value, for showing a credit as a positive amount."""
    return -value if value is not None else value


@register.filter
def pick_steps(line) -> str:
    """What one scan adds to a delivery row, in the order line's unit, per code it answers to.

    The item code counts one of the line's unit; a barcode counts the units it stands for (a case
    barcode 24 on a row in bottles, 1 on a row in cases). A barcode worth a fraction of the line's
    unit (a bottle scanned on a row in cases) maps to 0: the page asks for the right barcode or a
    typed quantity instead of adding a whole case. JSON for a data attribute. Needs ``product__barcodes`` and
    ``product__units`` prefetched.
    """
    product = line.product
    ratios = {product_unit.unit_id: product_unit.ratio for product_unit in product.units.all()}
    steps = {product.code: 1}
    for barcode in product.barcodes.all():
        ratio = ratios.get(barcode.unit_id, Decimal(1)) if barcode.unit_id else Decimal(1)
        step = ratio / line.ratio
        steps[barcode.barcode] = int(step) if step == step.to_integral_value() and step >= 1 else 0
    return json.dumps(steps)
