"""Template helpers of the sales pages."""

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
