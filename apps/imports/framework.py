"""The import pipeline shared by every data kind.

A kind declares its columns (how each cell is read, which are required, what the template
offers in a drop-down) and two steps:

``prepare(rows, errors, mapped=, actor=)``
    Runs outside any transaction, for ``actor`` (whose scope and permissions apply). Resolves
    every reference of every row in bulk (one query per referenced table, never one per row),
    compares with the stored records by natural key and
    returns a :class:`Plan`: the new and changed records, ready to write, and how many rows are
    unchanged. Every problem becomes a :class:`RowError` (row, column, value, message).

``compile(plan)`` (optional)
    Runs after ``prepare`` for the import only, still outside any transaction: compiles what
    ``write`` will execute.

``write(plan, actor)``
    Runs inside the one short all-or-nothing transaction: bulk statements only.

Register a kind with :func:`register` (``apps/<app>/imports.py`` or the app's ``ready``); the
import page lists every registered kind the user may import. A per-warehouse safety stock kind,
for example, lives in ``kinds_stock`` and writes through the inventory service.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from apps.imports.cleaning import CellError, header_key

CHUNK = 2000  # keys per IN (...) query: below SQLite's variable limit, short statements on PostgreSQL


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: Any = ""
    choices: Callable[[], list[str]] | None = None  # a drop-down list in the template
    help: Promise | str = ""


@dataclass
class RowError:
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # column key -> parsed value (only the mapped columns that could be read)
    raw: list[Any]
    cells: dict[str, Any] = field(default_factory=dict)  # column key -> the cell as written
    failed: bool = False  # a cell could not be read: checked further, never written


@dataclass
class Plan:
    new: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)  # what the user should know before confirming
    extra: dict[str, Any] = field(default_factory=dict)  # whatever ``write`` needs besides


class Kind:
    """A kind of data the import page accepts."""

    name: ClassVar[str]
    label: ClassVar[Promise | str]
    permission: ClassVar[str]
    key_columns: ClassVar[tuple[str, ...]] = ("code",)
    columns: ClassVar[Sequence[Column]] = ()
    help: ClassVar[Promise | str] = ""
    wide: ClassVar[bool] = False  # True: ``prepare`` also gets ``header=`` (a kind with a column per period)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def column_label(self, key: str) -> str:
        return capfirst(str(self.column(key).label))

    def prepare(self, rows: list[Row], errors: list[RowError], *, mapped: set[str], actor: Any = None) -> Plan:
        raise NotImplementedError

    def compile(self, plan: Plan) -> None:
        """Before ``write``'s transaction: whatever Python work the write can do in advance
        (compiling its INSERTs), so that the transaction, which holds SQLite's one write lock,
        only runs statements."""

    def write(self, plan: Plan, *, actor: Any) -> dict[str, int]:
        raise NotImplementedError

    # helpers for the kinds ------------------------------------------------------------------

    def error(self, errors: list[RowError], row: Row, key: str, message: str) -> None:
        value = row.cells.get(key, row.values.get(key, ""))
        errors.append(RowError(row.number, self.column_label(key), _display(value), message))
        row.failed = True


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_display(item) for item in value)
    if isinstance(value, models.Model):
        return str(value)
    return str(value)[:100]


_KINDS: dict[str, Kind] = {}


def register(kind_class: type[Kind]) -> type[Kind]:
    _KINDS[kind_class.name] = kind_class()
    return kind_class


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def kind_named(name: str) -> Kind:
    return _KINDS[name]


# --- column mapping ---------------------------------------------------------------------------


def header_names(column: Column) -> set[str]:
    """Every header that means ``column``: its key, its label in English and Chinese, aliases."""
    names = {header_key(column.key), *(header_key(alias) for alias in column.aliases)}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(header_key(str(column.label)))
    return names


def guess_mapping(kind: Kind, header: Sequence[str]) -> dict[int, str]:
    """``{column index: column key}`` guessed from the headers (Chinese or English, any case)."""
    lookup: dict[str, str] = {}
    for column in kind.columns:
        for name in header_names(column):
            lookup.setdefault(name, column.key)
    mapping: dict[int, str] = {}
    for index, text in enumerate(header):
        key = lookup.get(header_key(text))
        if key is not None:
            mapping[index] = key
    return mapping


def mapping_problems(kind: Kind, header: Sequence[str], mapping: dict[int, str]) -> list[RowError]:
    problems = []
    used: dict[str, int] = {}
    for index, key in sorted(mapping.items()):
        if key in used:
            problems.append(
                RowError(
                    1,
                    kind.column_label(key),
                    header[index] if index < len(header) else "",
                    _("Two columns (%(first)s and %(second)s) are both taken as “%(column)s”.")
                    % {
                        "first": header[used[key]],
                        "second": header[index] if index < len(header) else "",
                        "column": kind.column_label(key),
                    },
                )
            )
        used.setdefault(key, index)
    problems.extend(
        RowError(
            1,
            kind.column_label(column.key),
            "",
            _("The file has no column “%(column)s”, which is required.") % {"column": kind.column_label(column.key)},
        )
        for column in kind.columns
        if column.required and column.key not in used
    )
    return problems


# --- reading rows -----------------------------------------------------------------------------


def parse_rows(
    kind: Kind, raw_rows: Iterable[tuple[int, list[Any]]], mapping: dict[int, str], errors: list[RowError]
) -> list[Row]:
    """Each row's mapped cells read by their column's parser; every unreadable cell is an error.

    Rows whose natural key repeats an earlier row's are errors too (the first one stays). Rows
    with an unreadable cell stay in the list, marked ``failed``, so that their references are
    checked too and the user sees every error at once; they are never written.
    """
    columns = {column.key: column for column in kind.columns}
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for number, raw in raw_rows:
        row = Row(number, {}, raw)
        for index, key in mapping.items():
            cell = raw[index] if index < len(raw) else None
            row.cells[key] = cell
            column = columns[key]
            try:
                value = column.parse(cell)
            except CellError as error:
                errors.append(RowError(number, capfirst(str(column.label)), _display(cell), str(error)))
                row.failed = True
                continue
            if column.required and value in (None, ""):
                errors.append(RowError(number, capfirst(str(column.label)), "", _("This column is required.")))
                row.failed = True
                continue
            row.values[key] = value
        if all(name in row.values for name in kind.key_columns):
            key = tuple(_key_part(row.values.get(name)) for name in kind.key_columns)
            first = seen.setdefault(key, number)
            if first != number:
                label = " + ".join(kind.column_label(name) for name in kind.key_columns)
                errors.append(
                    RowError(
                        number,
                        label,
                        " + ".join(str(part) for part in key),
                        _("Row %(first)d already has this %(column)s; each may appear once.")
                        % {"first": first, "column": label},
                    )
                )
                continue  # a duplicate is not checked further
        rows.append(row)
    return rows


def _key_part(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def chunked(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def in_bulk_by(model_queryset, field_name: str, values: Iterable[Any]) -> dict[Any, Any]:
    """``{value: record}`` for the records whose ``field_name`` is in ``values``, chunked."""
    wanted = sorted({value for value in values if value not in (None, "")}, key=str)
    found: dict[Any, Any] = {}
    for chunk in chunked(wanted):
        for record in model_queryset.filter(**{f"{field_name}__in": chunk}):
            found[getattr(record, field_name)] = record
    return found
