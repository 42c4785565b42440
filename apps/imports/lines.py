"""Order lines pasted or uploaded into a document's line grid (``static/js/line_grid.js``).

Columns, in this order: item code or barcode, quantity, unit price (optional), unit code
(optional). A first row that is not a line (its quantity is text, its code no product) is a
header and skipped. Every code is resolved in one go (``product_resolve``, constant queries);
the answer holds the lines the grid adds and, per refused row, a message naming it. Nothing is
written: the user still saves the document.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from apps.core.fields import PRICE_PLACES, QUANTITY_PLACES
from apps.imports.cleaning import CellError, to_code, to_decimal, to_text
from apps.imports.reader import FileRefused, read_upload
from apps.masterdata.selectors import ProductMatch, product_match_payload, product_resolve

MAX_PASTE_CHARS = 200_000
_PLAIN_SEPARATORS = re.compile(r"[,\s]+")


def max_lines() -> int:
    return int(getattr(settings, "IMPORT_MAX_ORDER_LINES", 1000))


@dataclass
class _Row:
    number: int
    cells: list[Any]

    def cell(self, index: int) -> Any:
        return self.cells[index] if index < len(self.cells) else None


def rows_from_text(text: str) -> list[tuple[int, list[Any]]]:
    """The rows of a clipboard: Excel's tab-separated lines, or code and quantity typed with spaces or commas."""
    if len(text) > MAX_PASTE_CHARS:
        raise FileRefused(
            _("The pasted text is longer than %(limit)d characters; upload a file instead.")
            % {"limit": MAX_PASTE_CHARS}
        )
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t") if "\t" in line else _PLAIN_SEPARATORS.split(line.strip())
        rows.append((number, [cell if cell.strip() else None for cell in cells]))
    return rows


def rows_from_upload(handle: IO[bytes], *, size: int | None = None) -> list[tuple[int, list[Any]]]:
    """The rows of an uploaded .xlsx or .csv, read by the hostile-file reader within the order-line limit.

    The reader takes the first row as a header; here it is given back as a row (the header is optional).
    """
    limit = int(getattr(settings, "IMPORT_ORDER_LINES_MAX_SIZE", 2 * 1024 * 1024))
    if size is not None and size > limit:
        raise FileRefused(
            _("The file is %(size)s MB; the limit for order lines is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    sheet = read_upload(handle, size=size, max_rows=max_lines())
    if sheet.formulas:
        cell, _formula = sheet.formulas[0]
        raise FileRefused(
            _("Cell %(cell)s holds a formula; paste values only (Excel: Paste Special → Values).") % {"cell": cell}
        )
    rows = list(sheet.rows)
    if sheet.header:
        first = rows[0][0] - 1 if rows else 1
        rows.insert(0, (first, list(sheet.header)))
    return rows


def lines_resolve(*, user: Any, rows: list[tuple[int, list[Any]]]) -> dict[str, Any]:
    """``{"lines": [...], "errors": [...]}`` for ``rows`` (see the module docstring).

    A line is ``{"row", "product" (the product lookup's payload, prices masked for ``user``),
    "unit_id", "quantity", "unit_price" (``None`` when not given)}``; an error is ``{"row",
    "message"}``. Raises ``FileRefused`` above ``max_lines()`` rows.
    """
    parsed = [_Row(number, cells) for number, cells in rows]
    if len(parsed) > max_lines() + 1:
        raise FileRefused(
            _("At most %(limit)d lines can be added at once; this has %(count)d.")
            % {"limit": max_lines(), "count": len(parsed)}
        )
    codes = {}
    for row in parsed:
        try:
            codes[row.number] = to_code(row.cell(0), max_length=64)
        except CellError:
            codes[row.number] = ""
    matches = product_resolve(codes.values())
    if parsed and _is_header(parsed[0], matches.get(codes[parsed[0].number].upper())):
        parsed = parsed[1:]
    if len(parsed) > max_lines():
        raise FileRefused(
            _("At most %(limit)d lines can be added at once; this has %(count)d.")
            % {"limit": max_lines(), "count": len(parsed)}
        )
    lines, errors = [], []
    for row in parsed:
        try:
            lines.append(_line(row, codes[row.number], matches, user))
        except CellError as error:
            errors.append({"row": row.number, "message": str(error)})
    return {"lines": lines, "errors": errors}


def _is_header(row: _Row, match: ProductMatch | None) -> bool:
    if match is not None:
        return False
    try:
        to_decimal(row.cell(1), minimum=None)
    except CellError:
        return True
    return False


def _line(row: _Row, code: str, matches: dict[str, ProductMatch], user: Any) -> dict[str, Any]:
    number = row.number
    if not code:
        raise CellError(_("Row %(row)s: the item code or barcode is missing.") % {"row": number})
    match = matches.get(code.upper())
    if match is None:
        raise CellError(
            _("Row %(row)s: no product has the code or barcode “%(term)s”.") % {"row": number, "term": code}
        )
    try:
        quantity = to_decimal(row.cell(1), decimal_places=QUANTITY_PLACES)
    except CellError as error:
        raise CellError(_("Row %(row)s, quantity: %(error)s") % {"row": number, "error": error}) from error
    if not quantity:
        raise CellError(_("Row %(row)s, quantity: enter a quantity above zero.") % {"row": number})
    try:
        price = to_decimal(row.cell(2), decimal_places=PRICE_PLACES)
    except CellError as error:
        raise CellError(_("Row %(row)s, unit price: %(error)s") % {"row": number, "error": error}) from error
    unit_id = _unit_id(row, match)
    return {
        "row": number,
        "product": product_match_payload(match, user=user),
        "unit_id": unit_id,
        "quantity": _plain(quantity),
        "unit_price": None if price is None else _plain(price),
    }


def _unit_id(row: _Row, match: ProductMatch) -> int:
    product = match.product
    text = to_text(row.cell(3)).upper()
    if not text:
        return match.barcode_unit_id or product.base_unit_id
    units = [product.base_unit, *(option.unit for option in product.units.all())]
    for unit in units:
        if text in (unit.code.upper(), unit.name.upper()):
            return unit.pk
    raise CellError(
        _("Row %(row)s: product %(code)s has no unit “%(unit)s”.")
        % {"row": row.number, "code": product.code, "unit": to_text(row.cell(3))}
    )


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if text != "-0" else "0"
