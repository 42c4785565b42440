"""Reading a demand file: xlsx or csv, one row per item, an id column, optional attributes, then periods.

Header rows are found rather than assumed: the data start at the first row whose cells (after the
id) are numbers, and every row after it is an item; so an export with a multi-row header (units
on one row, years on another) reads as well as a plain CSV. Attribute columns are recognised by
their header text (lead time, unit cost, minimum order quantity, pack size, in English or
Chinese); the period columns are the
non-empty columns after the last attribute column. Empty period cells are zero demand, except
before an item's first value, where the history has not started yet.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ATTRIBUTES = {
    "pack": ("packag", "pack size", "包装", "箱规"),
    "lead": ("lead", "提前期", "交货期", "交期"),
    "cost": ("cost", "成本", "单价"),
    "moq": ("min. order", "minimum order", "moq", "min order", "起订"),
}
TEXT_TOLERANCE = 0.02  # share of text cells a data row may hold (a stray "n/a")


class DemandFileError(ValueError):
    pass


@dataclass
class DemandFile:
    ids: list[str]
    y: np.ndarray  # (items, periods), NaN before an item's history starts
    periods: list[str]
    lead: np.ndarray | None
    cost: np.ndarray | None
    moq: np.ndarray | None
    pack: np.ndarray | None


def _number(cell) -> float | None:
    if cell is None:
        return None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return None if np.isnan(cell) else float(cell)
    text = str(cell).strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return np.nan  # text


def _rows(path: Path) -> list[list]:
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book["Data"] if "Data" in book.sheetnames else book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if suffix in {".csv", ".txt"}:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DemandFileError(f"{path.name}: not UTF-8 or GB18030 text")
        return list(csv.reader(io.StringIO(text)))
    raise DemandFileError(f"{path.name}: expected an .xlsx or .csv file")


def read_demand_file(path: str | Path) -> DemandFile:
    """Parse ``path``; raises DemandFileError with a message naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise DemandFileError(f"{path}: no such file")
    rows = [r for r in _rows(path) if any(c not in (None, "") for c in r)]
    if not rows:
        raise DemandFileError(f"{path.name}: the file is empty")
    width = max(len(r) for r in rows)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    first_data = None
    for i, row in enumerate(rows):
        values = [_number(c) for c in row[1:]]
        filled = [v for v in values if v is not None]
        text = sum(1 for v in filled if np.isnan(v))
        if row[0] not in (None, "") and len(filled) - text >= 1 and text <= TEXT_TOLERANCE * len(filled):
            first_data = i
            break
    if first_data is None:
        raise DemandFileError(f"{path.name}: no row of numbers found (one row per item: id, then periods)")
    header = [
        " ".join(str(rows[r][c]) for r in range(first_data) if rows[r][c] not in (None, "")).lower()
        for c in range(width)
    ]
    data = rows[first_data:]
    grid = np.array([[_number(c) for c in row] for row in data], dtype=object)
    numeric = np.array([[v if v is not None else np.nan for v in row] for row in grid[:, 1:]], dtype=float)
    empty = np.array([[v is None for v in row] for row in grid[:, 1:]], dtype=bool)
    columns: dict[str, int] = {}
    for c in range(1, width):
        for key, words in ATTRIBUTES.items():
            if key not in columns and any(w in header[c] for w in words):
                columns[key] = c
                break
    last_attr = max(columns.values(), default=0)
    period_cols = [c for c in range(last_attr + 1, width) if not empty[:, c - 1].all()]
    if len(period_cols) < 2:
        raise DemandFileError(f"{path.name}: fewer than two period columns after the item attributes")
    y = numeric[:, [c - 1 for c in period_cols]]
    if np.isnan(y[~empty[:, [c - 1 for c in period_cols]]]).any():
        bad = int(np.argwhere(np.isnan(y) & ~empty[:, [c - 1 for c in period_cols]])[0][0])
        raise DemandFileError(f"{path.name}: item {data[bad][0]} has a period cell that is not a number")
    started = np.cumsum(~np.isnan(y), axis=1) > 0
    y = np.where(started, np.nan_to_num(y, nan=0.0), np.nan)
    y = np.where(np.isnan(y), y, np.maximum(y, 0.0))  # net returns beyond the demand are not negative demand

    def attribute(key):
        if key not in columns:
            return None
        return numeric[:, columns[key] - 1]

    periods = [header[c] or str(c) for c in period_cols]
    ids = [str(r[0]).strip() for r in data]
    return DemandFile(ids, y, periods, attribute("lead"), attribute("cost"), attribute("moq"), attribute("pack"))
