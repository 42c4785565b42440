import datetime
from decimal import Decimal

import pytest

from apps.imports.cleaning import CellError, to_date, to_decimal, to_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("１２３.５", Decimal("123.5")),
        (" 1,200.50 ", Decimal("1200.50")),
        ("¥12", Decimal(12)),
        (3, Decimal(3)),
        ("", None),
    ],
)
def test_numbers_in_chinese_data(value, expected):
    assert to_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "“NaN” is not a number."),
        (float("inf"), "“inf” is not a number."),
        ("1e20", "1e20 is too large (at most 14 digits before the decimal point)."),
        ("-1", "-1 is negative; enter zero or more."),
        ("abc", "“abc” is not a number."),
        ("1.23456", "1.23456 has more than 4 decimal places."),
    ],
)
def test_unreadable_numbers(value, message):
    with pytest.raises(CellError) as caught:
        to_decimal(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "value",
    ["2026-11-30", "2026/11/30", "2026年11月30日", "２０２６-１１-３０", 46356, datetime.datetime(2026, 11, 30, 8)],  # noqa: DTZ001
)
def test_dates_as_text_serials_or_dates(value):
    assert to_date(value, today=datetime.date(2026, 11, 30)) == datetime.date(2026, 11, 30)


def test_far_future_date_is_refused():
    with pytest.raises(CellError) as caught:
        to_date("9999-12-31", today=datetime.date(2026, 11, 30))
    assert str(caught.value) == "9999-12-31 is outside the accepted range 2000-01-01 – 2031-11-30."


def test_text_is_trimmed_and_folded():
    assert to_text("  农夫\u3000 山泉  ＡＢＣ１ ") == "农夫 山泉 ABC1"


def test_control_characters_are_refused():
    with pytest.raises(CellError):
        to_text("bell\x07")
