"""Turning one spreadsheet cell into a typed value, or a message saying why not.

Chinese data arrives with full-width digits and letters (１２３, ＡＢＣ), ideographic spaces,
stray spaces around values, thousands separators and currency signs, dates typed as text in
several ways or stored as Excel serial numbers. Each ``to_*`` function accepts those, and
raises ``CellError`` (message in the user's language) for anything it cannot read exactly:
NaN, infinities, numbers too large for the column, dates out of range, control characters.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MIN_DATE = datetime.date(2000, 1, 1)
MAX_DATE_YEARS_AHEAD = 5
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_NUMBER_JUNK = str.maketrans({",": None, "¥": None, "￥": None, "元": None, " ": None})


class CellError(ValueError):
    """A value that cannot be read; ``str(error)`` is the message for the user."""


def to_text(value: Any, *, max_length: int | None = None, upper: bool = False) -> str:
    """Trimmed text, full-width letters and digits folded, inner runs of spaces made one."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 1001.0 is "1001"
    if isinstance(value, datetime.datetime | datetime.date):
        raise CellError(_("A date is not allowed here."))
    text = str(value)
    if _CONTROL.search(text):
        raise CellError(_("The text contains control characters."))
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if upper:
        text = text.upper()
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": max_length, "count": len(text)}
        )
    return text


def to_code(value: Any, *, max_length: int) -> str:
    """A code: like text, but without any space inside."""
    return to_text(value, max_length=max_length).replace(" ", "")


def to_decimal(
    value: Any,
    *,
    max_digits: int = 18,
    decimal_places: int = 4,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal | None = None,
) -> Decimal | None:
    """A number: Excel numbers, or text such as "１,２００.５０", "¥12", "3%"; ``None`` when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | datetime.date | datetime.datetime):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, float):
        text = repr(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).translate(_NUMBER_JUNK).strip().rstrip("%")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise CellError(_("“%(value)s” is not a number.") % {"value": str(value)[:40]}) from error
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": str(value)[:40]})
    integer_digits = max_digits - decimal_places
    if abs(number) >= Decimal(10) ** integer_digits:
        raise CellError(
            _("%(value)s is too large (at most %(digits)d digits before the decimal point).")
            % {"value": str(value)[:40], "digits": integer_digits}
        )
    rounded = number.quantize(Decimal(1).scaleb(-decimal_places))
    if rounded != number:
        raise CellError(
            _("%(value)s has more than %(places)d decimal places.")
            % {"value": str(value)[:40], "places": decimal_places}
        )
    if minimum is not None and number < minimum:
        if minimum == 0:
            raise CellError(_("%(value)s is negative; enter zero or more.") % {"value": str(value)[:40]})
        raise CellError(
            _("%(value)s is below the minimum %(minimum)s.") % {"value": str(value)[:40], "minimum": minimum}
        )
    if maximum is not None and number > maximum:
        raise CellError(
            _("%(value)s is above the maximum %(maximum)s.") % {"value": str(value)[:40], "maximum": maximum}
        )
    return number


def to_int(value: Any, *, minimum: int = 0, maximum: int = 2_147_483_647) -> int | None:
    number = to_decimal(value, max_digits=14, decimal_places=4, minimum=Decimal(minimum), maximum=Decimal(maximum))
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("%(value)s is not a whole number.") % {"value": value})
    return int(number)


def to_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = to_text(value).lower()
    if text in ("1", "y", "yes", "true", "是", "有效", "启用", "√"):
        return True
    if text in ("0", "n", "no", "false", "否", "无效", "停用", "×"):
        return False
    raise CellError(_("“%(value)s” is neither yes nor no.") % {"value": str(value)[:40]})


def to_date(value: Any, *, today: datetime.date | None = None) -> datetime.date | None:
    """A date: an Excel date, an Excel serial number, or text 2026-11-30, 2026/11/30, 2026年11月30日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        serial = float(value)
        if not 1 <= serial < 2958466:
            raise CellError(_("%(value)s is not a date.") % {"value": value})
        day = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = _DATE_TEXT.match(text)
        if match is None:
            if text.isdigit():
                return to_date(int(text), today=today)
            raise CellError(_("“%(value)s” is not a date (write 2026-11-30).") % {"value": text[:40]})
        try:
            day = datetime.date(*(int(part) for part in match.groups()))
        except ValueError as error:
            raise CellError(_("“%(value)s” is not a date (write 2026-11-30).") % {"value": text[:40]}) from error
    today = today or datetime.date.today()  # noqa: DTZ011  (a calendar bound, not a timestamp)
    latest = today.replace(year=today.year + MAX_DATE_YEARS_AHEAD)
    if not MIN_DATE <= day <= latest:
        raise CellError(
            _("%(day)s is outside the accepted range %(first)s – %(last)s.")
            % {"day": day.isoformat(), "first": MIN_DATE.isoformat(), "last": latest.isoformat()}
        )
    return day


def header_key(text: str) -> str:
    """A header reduced for matching: folded width, lower case, no spaces or punctuation."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s_\-:：()（）*%/.]+", "", folded)
