"""The template workbook of a kind: headers in the user's language, an example row, drop-downs."""

import datetime
import io
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.exports import clean_cell
from apps.imports.framework import Kind

TEMPLATE_ROWS = 5000  # rows the drop-downs cover


def template_bytes(kind: Kind) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(kind.label)[:31]
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    list_column = 0
    for index, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=capfirst(str(column.label)))
        header.font = bold
        notes = []
        if column.required:
            header.fill = required_fill
            notes.append(_("Required."))
        if column.help:
            notes.append(str(column.help))
        if notes:
            header.comment = Comment(" ".join(notes), "JXC")
        example = column.example
        if isinstance(example, Decimal | int | float | datetime.date) or example:
            cell = sheet.cell(row=2, column=index, value=clean_cell(example))
            if isinstance(example, datetime.date):
                cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = max(12, len(str(header.value)) * 2 + 2)
        choices = column.choices() if column.choices else []
        if choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            for row, choice in enumerate(choices, start=1):
                lists.cell(row=row, column=list_column, value=clean_cell(choice))
            validation = DataValidation(
                type="list",
                formula1=f"=lists!${list_letter}$1:${list_letter}${len(choices)}",
                allow_blank=not column.required,
                showErrorMessage=False,  # other values are still checked by the import
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
