"""Import batches: upload, check (the preview), import (the confirm), expiry.

Checking and importing run as background jobs (``apps.imports.jobs``). Both read and prepare
everything outside any transaction; importing then writes in one short transaction that also
marks the batch imported, so a worker killed at any point leaves either nothing or everything,
and the retried job finds the batch imported and stops.
"""

import datetime
import logging
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.db import atomic_with_retry
from apps.core.exports import Table, write_xlsx
from apps.imports.framework import (
    Kind,
    Plan,
    RowError,
    guess_mapping,
    kind_named,
    mapping_problems,
    parse_rows,
)
from apps.imports.models import BatchStatus, ImportBatch
from apps.imports.reader import FileRefused, Sheet, read_upload, sheet_dump, sheet_load
from apps.jobs.context import JobContext, JobError
from apps.jobs.services import job_start

logger = logging.getLogger(__name__)

SHOWN_ERRORS = 1000  # on the page; the rejected-rows file has every one


def kinds_for(user) -> list[Kind]:
    from apps.imports.framework import kinds

    return [kind for kind in kinds() if user.has_perm(kind.permission)]


def _kind_for(user, name: str) -> Kind:
    try:
        kind = kind_named(name)
    except KeyError as error:
        raise ValidationError({"kind": _("Choose what the file holds.")}) from error
    if not user.has_perm(kind.permission):
        raise PermissionDenied
    return kind


def batch_create(*, user: Any, kind: str, upload: Any) -> ImportBatch:
    """Store ``upload`` and start checking it; raises ``ValidationError`` for a file refused at once."""
    _kind_for(user, kind)
    limit = int(getattr(settings, "IMPORT_UPLOAD_MAX_SIZE", 20 * 1024 * 1024))
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
            }
        )
    name = PurePath(upload.name or "upload").name[:200]
    suffix = ".csv" if name.lower().endswith(".csv") else ".xlsx"
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)
    batch = ImportBatch.objects.create(kind=kind, user=user, file=stored, file_name=name, size=upload.size)
    return _start(batch, "imports.check", BatchStatus.CHECKING)


def batch_remap(*, user: Any, batch: ImportBatch, mapping: dict[int, str]) -> ImportBatch:
    """Check the file again with the columns mapped as the user chose."""
    kind = _kind_for(user, batch.kind)
    keys = {column.key for column in kind.columns}
    if batch.status != BatchStatus.CHECKED:
        raise ValidationError(_("This import cannot be changed any more."))
    batch.mapping = {str(index): key for index, key in mapping.items() if key in keys}
    batch.save(update_fields=["mapping"])
    return _start(batch, "imports.check", BatchStatus.CHECKING)


def batch_confirm(*, user: Any, batch: ImportBatch) -> ImportBatch:
    """Start importing a checked batch without errors."""
    _kind_for(user, batch.kind)
    stuck = batch.status == BatchStatus.IMPORTING and batch.job is not None and batch.job.status == "failed"
    if (batch.status != BatchStatus.CHECKED and not stuck) or batch.error_count:
        raise ValidationError(_("Only a checked file without errors can be imported."))
    return _start(batch, "imports.commit", BatchStatus.IMPORTING)


def _start(batch: ImportBatch, job_kind: str, status: str) -> ImportBatch:
    label = (_("Check %(file)s") if job_kind == "imports.check" else _("Import %(file)s")) % {"file": batch.file_name}
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    job = job_start(
        kind=job_kind,
        user=batch.user,
        params={"batch": str(batch.pk)},
        label=label,
        dedupe_key=f"{job_kind}:{batch.pk}",
    )
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return batch


# --- analysis (no transaction) ------------------------------------------------------------------


@dataclass
class Analysis:
    kind: Kind
    sheet: Sheet | None
    mapping: dict[int, str]
    plan: Plan | None
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0


def analyse(batch: ImportBatch, job: JobContext | None = None) -> Analysis:
    """Read, map, parse and prepare ``batch``'s file; every problem becomes a ``RowError``."""
    kind = kind_named(batch.kind)
    if job:
        job.progress(0, None, _("Reading the file"), force=True)
    try:
        sheet = _read(batch)
    except FileRefused as refusal:
        return Analysis(kind, None, {}, None, [RowError(None, "", "", str(refusal))])
    except FileNotFoundError:
        return Analysis(kind, None, {}, None, [RowError(None, "", "", _("The file has expired; upload it again."))])
    mapping = {int(index): key for index, key in batch.mapping.items()} or guess_mapping(kind, sheet.header)
    errors = mapping_problems(kind, sheet.header, mapping)
    errors.extend(
        RowError(
            int("".join(ch for ch in cell if ch.isdigit())),
            cell,
            formula,
            _("Cell %(cell)s holds a formula (%(formula)s); formulas are not evaluated: paste the values instead.")
            % {"cell": cell, "formula": formula},
        )
        for cell, formula in sheet.formulas
    )
    errors.extend(
        RowError(
            None,
            ref,
            "",
            _("Cells %(range)s are merged: unmerge them and fill in every row.") % {"range": ref},
        )
        for ref in sheet.merged
    )
    analysis = Analysis(kind, sheet, mapping, None, errors, len(sheet.rows))
    if not sheet.rows:
        errors.append(RowError(None, "", "", _("The file has no data rows.")))
    if any(error.row in (None, 1) for error in errors):
        errors.sort(key=lambda error: (error.row or 0, error.column))
        return analysis  # the columns are wrong: row messages would only repeat it
    if job:
        job.progress(0, len(sheet.rows), _("Checking %(count)d rows") % {"count": len(sheet.rows)}, force=True)
    formula_rows = {error.row for error in errors}
    raw = [(number, values) for number, values in sheet.rows if number not in formula_rows]
    rows = parse_rows(kind, raw, mapping, errors)
    if job:
        job.progress(len(sheet.rows) // 2, message=_("Comparing with the stored records"), force=True)
    extra = {"header": sheet.header} if kind.wide else {}
    analysis.plan = kind.prepare(rows, errors, mapped=set(mapping.values()), actor=batch.user, **extra)
    errors.sort(key=lambda error: (error.row or 0, error.column))
    return analysis


def _read(batch: ImportBatch) -> Sheet:
    """The batch's sheet: read from the upload once, then from the copy the first read kept."""
    kept = _kept_name(batch.file.name)
    if default_storage.exists(kept):
        with default_storage.open(kept, "rb") as handle:
            return sheet_load(handle)
    with default_storage.open(batch.file.name, "rb") as handle:
        sheet = read_upload(handle)
    with tempfile.TemporaryFile() as handle:
        sheet_dump(sheet, handle)
        handle.seek(0)
        default_storage.save(kept, File(handle))
    return sheet


def _kept_name(upload_name: str) -> str:
    return f"{upload_name}.json"


def _delete_files(*names: str) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
            default_storage.delete(_kept_name(name))


def _summary(analysis: Analysis) -> dict[str, Any]:
    sheet, plan = analysis.sheet, analysis.plan
    summary: dict[str, Any] = {"rows": analysis.total_rows}
    if sheet is not None:
        summary.update(
            header=sheet.header,
            mapping={str(index): key for index, key in analysis.mapping.items()},
            notes=sheet.notes,
            sheet=sheet.name,
        )
    if plan is not None:
        summary.update(new=len(plan.new), changed=len(plan.changed), unchanged=plan.unchanged)
        summary["notes"] = [*summary.get("notes", []), *plan.notes]
    return summary


def batch_check(*, batch_id: str, job: JobContext) -> dict[str, Any]:
    """The check job: analyse, record counts and errors, write the rejected-rows file."""
    batches_expire()
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != BatchStatus.CHECKING:
        return {"next_url": batch.get_absolute_url()}
    analysis = analyse(batch, job)
    errors = analysis.errors
    rejected_name = ""
    if errors and analysis.sheet is not None:
        rejected_name = _rejected_file(batch, analysis)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.CHECKED if analysis.sheet is not None else BatchStatus.FAILED,
        summary=_summary(analysis),
        errors=[error.as_dict() for error in errors[:SHOWN_ERRORS]],
        error_count=len(errors),
        rejected_file=rejected_name,
    )
    return {"next_url": batch.get_absolute_url(), "next_label": _("See the result")}


def _rejected_file(batch: ImportBatch, analysis: Analysis) -> str:
    by_row: dict[int | None, list[str]] = {}
    for error in analysis.errors:
        text = f"{error.column}: {error.message}" if error.column else error.message
        by_row.setdefault(error.row, []).append(text)
    sheet = analysis.sheet
    rows = [[number, "; ".join(by_row[number]), *values] for number, values in sheet.rows if number in by_row]
    general = [[None, "; ".join(by_row[key])] for key in (None, 1) if key in by_row]
    table = Table(_("Rejected rows"), "rejected", [_("Row"), _("Errors"), *sheet.header], [*general, *rows])
    with tempfile.TemporaryFile() as handle:
        write_xlsx(table, handle)
        handle.seek(0)
        return default_storage.save(f"imports/rejected-{batch.pk.hex}.xlsx", File(handle))


def batch_commit(*, batch_id: str, job: JobContext) -> dict[str, Any]:
    """The import job: analyse again, then write everything in one short transaction, or nothing."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status == BatchStatus.IMPORTED:  # a retried job after a commit: done already
        return {"next_url": batch.get_absolute_url(), "summary": _("Imported.")}
    if batch.status != BatchStatus.IMPORTING:
        raise JobError(_("This import is not waiting to be imported."))
    analysis = analyse(batch, job)
    if analysis.errors or analysis.plan is None:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.CHECKED,
            errors=[error.as_dict() for error in analysis.errors[:SHOWN_ERRORS]],
            error_count=len(analysis.errors),
            summary=_summary(analysis),
        )
        raise JobError(
            _("The data changed since the check: %(count)d row(s) now have errors. Nothing was imported.")
            % {"count": len(analysis.errors)}
        )
    analysis.kind.compile(analysis.plan)
    job.progress(analysis.total_rows, analysis.total_rows, _("Writing"), force=True)
    counts = _write(batch, analysis)
    _delete_files(batch.file.name)
    summary = _("%(new)d new, %(changed)d changed, %(unchanged)d unchanged.") % {
        "new": counts.get("new", 0),
        "changed": counts.get("changed", 0),
        "unchanged": counts.get("unchanged", 0),
    }
    return {"next_url": batch.get_absolute_url(), "next_label": _("See the result"), "summary": summary}


@atomic_with_retry
def _write(batch: ImportBatch, analysis: Analysis) -> dict[str, int]:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != BatchStatus.IMPORTING:
        transaction.set_rollback(True)
        return locked.summary.get("written", {})
    counts = analysis.kind.write(analysis.plan, actor=batch.user)
    summary = {**_summary(analysis), "written": counts}
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.IMPORTED, imported_at=timezone.now(), summary=summary, file=""
    )
    return counts


def batches_expire() -> int:
    """Delete the files of batches not imported within ``IMPORT_PREVIEW_HOURS``; return how many."""
    hours = float(getattr(settings, "IMPORT_PREVIEW_HOURS", 24))
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    stale = ImportBatch.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[BatchStatus.IMPORTED, BatchStatus.EXPIRED, BatchStatus.IMPORTING]
    )
    count = 0
    for batch in stale:
        _delete_files(batch.file.name, batch.rejected_file.name)
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.EXPIRED, file="", rejected_file="")
        count += 1
    return count
