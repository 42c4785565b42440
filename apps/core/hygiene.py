"""Input hygiene: control characters, numbers and dates that break pages, exports and the ledger.

Control characters (BEL, ESC, NUL …) typed or pasted into a field were stored as they came and
later broke every export that held them (spreadsheets refuse them; PostgreSQL refuses NUL).
``InputHygieneMiddleware`` removes them from every submitted value before any form or lookup sees
it; ``clean_text`` is the same rule for code that reads text from elsewhere (JSON bodies, files),
and ``apps.core.forms.CleanFormMixin`` adds the per-field rules (single-line fields lose tabs and
line breaks too, names are trimmed, dates stay within a sensible range).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# C0 controls and DEL. Tab, line feed and carriage return are kept where text may span lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]+")

EARLIEST_DOCUMENT_DATE = datetime.date(2000, 1, 1)
LATEST_DOCUMENT_DAYS_AHEAD = 366


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``value`` without control characters; single-line text also loses tabs and line breaks
    (each run becomes one space). Line breaks in multi-line text are normalised to ``\\n``."""
    if not isinstance(value, str) or not value:
        return value
    if multiline:
        return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL_SINGLE_LINE.sub(" ", value)


def document_date_range() -> tuple[datetime.date, datetime.date]:
    """The dates a document may carry: from 2000-01-01 to a year from today."""
    return EARLIEST_DOCUMENT_DATE, timezone.localdate() + datetime.timedelta(days=LATEST_DOCUMENT_DAYS_AHEAD)


def validate_document_date(value: datetime.date | None) -> None:
    """Refuse a date outside ``document_date_range`` (a typo such as 9999-12-31 or 0202-01-01)."""
    if value is None:
        return
    earliest, latest = document_date_range()
    if not earliest <= value <= latest:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": earliest.isoformat(), "latest": latest.isoformat()},
        )


def to_decimal(value, *, places: int, max_digits: int = 18) -> Decimal:
    """``value`` (text, number or spreadsheet cell) as a Decimal rounded to ``places``.

    Raises ``ValidationError`` with a clear message for anything that is not a finite number
    that fits ``max_digits`` digits (NaN, Infinity, 1e30, "abc"), never ``InvalidOperation``.
    """
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(_("“%(value)s” is not a number."), code="invalid", params={"value": value}) from None
    if not number.is_finite():
        raise ValidationError(_("“%(value)s” is not a number."), code="invalid", params={"value": value})
    limit = Decimal(10) ** (max_digits - places)
    if abs(number) >= limit:
        raise ValidationError(
            _("%(value)s is too large: at most %(digits)d digits before the decimal point."),
            code="max_whole_digits",
            params={"value": value, "digits": max_digits - places},
        )
    return number.quantize(Decimal(1).scaleb(-places))
