"""Excel exports of the stock reports: openpyxl write-only workbooks fed from a database iterator.

Rows are written to a temporary file as they are read (``iterator()`` on a ``values_list``), so
memory stays flat whatever the row count; the file is then streamed to the client.
"""

import tempfile
from collections.abc import Iterable, Sequence

from django.http import FileResponse
from openpyxl import Workbook

CHUNK_SIZE = 2000


def xlsx_response(*, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([str(header) for header in headers])
    for row in rows:
        sheet.append(list(row))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when the response ends)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
