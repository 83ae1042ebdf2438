"""The roster import (花名册导入): a spreadsheet of workers in, validated rows upserted by the ID number.

`EmployeeImporter` is the domain class; the `import_employees` command, the upload page and the task are thin
wrappers. One streaming pass, so memory stays flat for a million rows:

- rows stream from the file (a CSV record by record; a workbook as python-calamine hands it over), each is
  cleaned and validated (GB 11643 in full, phone, dates, yes/no, batch…) and checked against earlier rows of
  the same file; invalid rows are recorded with row, column, code and message;
- valid rows are planned a chunk at a time against what is stored (create, update, unchanged) and written
  through roster_writer.do_bulk_import_employees — all inside one transaction, so a failure half-way, or
  --strict meeting an invalid row, leaves the database as it was. --dry-run opens no transaction at all.
  On PostgreSQL the rows go in by COPY.

Blank cells keep what is stored (a blank is not a "否"), so a partial sheet can top up an archive. Error
messages never quote an ID or phone number.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import excel, scoping
from fugong.core import wording as core_wording
from fugong.core.excel import CellError
from fugong.core.identifiers import IdentifierError
from fugong.core.runtime import collector_paused, frequent_switches, read_ahead
from fugong.enterprises.models import Enterprise

from . import roster_writer
from .models import Employee
from .records import ID_PURPOSE, PHONE_PURPOSE, EmployeeRecord, EmployeeValidationError, keyed_hasher
from .roster_rows import MEMO_SIZE, MISSING, SPEC, Hashers, Step, employee_record, plan_columns

CHUNK = 5000
INLINE_MAX_ROWS = 2000  # the upload page runs smaller files in the request, larger ones as a task
CSV_HEAD_BYTES = 256 * 1024  # enough for the header search (the first 30 rows)

Progress = Callable[[str, int, int], None]  # (stage, rows done, rows total)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    failed: list[list[Any]] = field(default_factory=list)  # [row, [cells as uploaded], reasons]
    sensitive_columns: dict[int, str] = field(default_factory=dict)  # column index → kind (id_number, phone)
    written: bool = False

    def as_json(self) -> dict[str, Any]:
        """Exactly the contract of `import_employees --json` (interfaces.md)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
        }

    def failed_rows_payload(self) -> dict[str, Any]:
        return {
            "headers": self.headers,
            "rows": self.failed,
            "sensitive": {str(k): v for k, v in self.sensitive_columns.items()},
        }


def _chunks(records: Iterator[EmployeeRecord], size: int) -> Iterator[list[EmployeeRecord]]:
    chunk: list[EmployeeRecord] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sealed_ahead(
    chunks: Iterator[list[EmployeeRecord]], seal: bool
) -> Iterator[tuple[list[EmployeeRecord], list[roster_writer.NewEmployee] | None]]:
    for chunk in chunks:
        yield chunk, roster_writer.seal_new_employees(chunk) if seal else None


def _prefetched(chunks: Iterator[Any], depth: int = 2) -> Generator[Any, None, None]:
    """`chunks` read and validated by a helper thread while this one writes the previous chunk: the database
    server works on one core while Python parses on the other (a write waits on the server with the GIL
    released). The helper touches no database and no shared state but the result's row and error counts.
    An exception in the helper is raised here; closing this generator stops the helper."""
    language = translation.get_language()
    # Messages in the uploader's language, as in the request.
    return read_ahead(chunks, depth=depth, name="roster-import-reader", setup=lambda: translation.activate(language))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _blank(cells: list[Any]) -> bool:
    for c in cells:  # a loop, not all(…): a data row is told apart at its first cell
        if c is None or c == "" or (type(c) is str and not c.strip()):
            continue
        return False
    return True


# --- reading -----------------------------------------------------------------------------------------------
@dataclass
class _Source:
    headers: list[str]
    columns: dict[str, int]
    ignored_headers: list[str]
    total: int  # data rows (an upper bound for CSV: lines below the header)
    rows: Iterator[tuple[int, list[Any]]]


def _size(source: excel.Source) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    pos = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(pos)
    return size


def _magic(source: excel.Source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(8)
    pos = source.tell()
    data = source.read(8) or b""
    source.seek(pos)
    return data


def _open_binary(source: excel.Source) -> IO[bytes]:
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb")
    source.seek(0)
    return source


def _csv_encoding(fh: IO[bytes]) -> tuple[str, int]:
    """The whole file's encoding (excel.text_encodings: the first that decodes it all strictly) and its line
    count, in one streaming pass: nothing of it is kept in memory."""
    fh.seek(0)
    for encoding in excel.text_encodings(fh.read(4096)):
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines, last = 0, "\n"
        try:
            while block := fh.read(1 << 20):
                # Counted in the decoded text: in UTF-16 a 0x0A byte is also half of many characters (上 is 0A 4E).
                text = decoder.decode(block)
                lines += text.count("\n")
                last = text[-1:] or last
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines + (last != "\n")
    raise excel.unknown_encoding()


def _delimiter(head: str, header_row: int, headers: list[str]) -> str:
    """The delimiter with which excel.read_table found the header (it tries comma, tab, semicolon in turn)."""
    for delimiter in (",", "\t", ";"):
        for number, cells in enumerate(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), start=1):
            if number == header_row:
                if [c.strip() for c in cells] == headers[: len(cells)] and len(cells) == len(headers):
                    return delimiter
                break
    return ","


def _open_csv(source: excel.Source, name: str, max_rows: int) -> _Source:
    """A CSV streamed record by record (excel.read_table would hold the whole text, several times over, in
    memory). The header is found by excel.read_table on the file's head, so the rules are the same."""
    owned = isinstance(source, (str, os.PathLike))
    fh = _open_binary(source)
    try:
        encoding, lines = _csv_encoding(fh)
        fh.seek(0)
        head = fh.read(CSV_HEAD_BYTES)
    finally:
        if owned:
            fh.close()
    # Decoded without its unfinished tail (a character split at the cut), then cut to whole lines.
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    head_text = decoder.decode(head, final=len(head) < CSV_HEAD_BYTES)
    if len(head) == CSV_HEAD_BYTES:
        head_text = head_text[: head_text.rfind("\n") + 1] or head_text
    utf8 = head_text.encode("utf-8")  # the size was checked on the file itself
    table = excel.read_table(io.BytesIO(utf8), name, SPEC, max_bytes=len(utf8) + 1, max_rows=max_rows)
    delimiter = _delimiter(head_text, table.header_row, table.headers)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Opened only when read (the upload page counts rows without reading them).
        binary = _open_binary(source)
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        try:
            for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
                if number > table.header_row:
                    yield number, cells
        except csv.Error as exc:
            raise excel.UnreadableFile(_("CSV文件格式有误：%(e)s") % {"e": str(exc)[:100]}, "not_text") from None
        finally:
            # Close the file we opened; leave a caller's file object open (detach, don't close).
            text.close() if owned else text.detach()

    total = max(lines - table.header_row, 0)
    return _Source(table.headers, table.columns, table.ignored_headers, total, rows())


def _refresh_statistics() -> None:
    """SQLite only, after an import that added many employees. Without statistics SQLite's planner guesses that
    `enterprise_id = ?` narrows a table to ten rows, so the next import's look-up (`enterprise_id = ? AND
    id_hash IN (…5,000 hashes)`) scans the whole enterprise through the (enterprise, batch) index instead of
    probing the unique (enterprise, id_hash) one — measured: a 1,000,000-row re-import took 141 s, more than
    the first import. ANALYZE takes about a second on a million rows. (PostgreSQL keeps its own statistics.)"""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Employee._meta.db_table)}")


def open_roster(
    source: excel.Source, filename: str, *, max_bytes: int | None = None, max_rows: int | None = None
) -> _Source:
    """Find the header and stream the rows (raw cells) of a roster; raises excel.UnreadableFile."""
    max_bytes = settings.FUGONG_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_rows = settings.FUGONG_MAX_IMPORT_ROWS if max_rows is None else max_rows
    name = Path(filename or "").name or "file"
    is_csv = Path(name).suffix.lower() in excel.TEXT_EXTENSIONS
    try:
        size = _size(source)
    except OSError:
        raise excel.UnreadableFile(_("无法读取文件“%(name)s”") % {"name": name}, "unreadable") from None
    if is_csv and 0 < size <= max_bytes and not _magic(source).startswith((excel.ZIP_MAGIC, excel.OLE_MAGIC)):
        return _open_csv(source, name, max_rows)
    table = excel.read_table(source, name, SPEC, max_bytes=max_bytes, max_rows=max_rows)
    # The raw cells: each column is cleaned by its own converter (roster_rows), which is much faster than the
    # generic cleaning of every cell (a 100,000-row roster in seconds, not tens of seconds).
    return _Source(table.headers, table.columns, table.ignored_headers, table.total_rows, table._source)


# --- the importer ------------------------------------------------------------------------------------------
class EmployeeImporter:
    kind = "employees"
    spec = SPEC

    def __init__(
        self,
        actor: Any,
        enterprise: Enterprise,
        *,
        dry_run: bool = False,
        strict: bool = False,
        progress: Progress | None = None,
        chunk_size: int = CHUNK,
        max_bytes: int | None = None,
        max_rows: int | None = None,
        note: str = "",
    ) -> None:
        """`actor` None is the system (the command without --user); a user needs IMPORT_EMPLOYEES (else
        PermissionDenied) and the enterprise in their scope (else Http404, as for a missing one)."""
        if actor is not None:
            if not roles.can(actor, roles.IMPORT_EMPLOYEES):
                raise PermissionDenied
            enterprise = scoping.get_in_scope(scoping.enterprises_for(actor), pk=enterprise.pk)
        self.actor = actor
        self.enterprise = enterprise
        self.dry_run = dry_run
        self.strict = strict
        self.progress = progress or (lambda stage, done, total: None)
        self.chunk_size = chunk_size
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.note = note

    def run(self, source: excel.Source, filename: str) -> ImportResult:
        """Import the file; raises excel.UnreadableFile when it cannot be read (nothing written)."""
        max_rows = settings.FUGONG_MAX_IMPORT_ROWS if self.max_rows is None else self.max_rows
        roster = open_roster(source, filename, max_bytes=self.max_bytes, max_rows=max_rows)
        result = ImportResult(headers=roster.headers, ignored_headers=roster.ignored_headers)
        for key in ("id_number", "phone"):
            if key in roster.columns:
                result.sensitive_columns[roster.columns[key]] = key
        numbers = roster_writer.batch_numbers(self.enterprise)
        # An enterprise without employees needs no look-ups: every valid row is new. (Should someone file
        # one of them meanwhile, the insert fails on the unique key and the whole import is undone.)
        lookup = Employee.objects.filter(enterprise=self.enterprise).exists()
        total = roster.total
        self.progress("validating", 0, total)
        records = self._records(roster, max_rows, result)
        # Into an empty enterprise every valid row is new: the reader thread seals each chunk too, so this
        # thread only writes (measured: the writer, not the reader, was the slower of the two).
        seal_ahead = not lookup and not self.dry_run
        chunks = _prefetched(_sealed_ahead(_chunks(records, self.chunk_size), seal_ahead))
        atomic = transaction.atomic() if not self.dry_run else contextlib.nullcontext()
        # Large files only: a paused cyclic collector saves a tenth of a 100k-row import, quicker hand-overs of
        # the GIL between the reader and this thread another tenth (core.runtime).
        batch_ids: dict[int, int] = {}  # {batch number: id}, filled by the writes as batches are met
        large = total > self.chunk_size
        with collector_paused(large), frequent_switches(large), atomic, contextlib.closing(chunks):
            for chunk, sealed in chunks:
                # Strict: stop writing at the first invalid row, but read on to report every error.
                writing = not self.dry_run and not (self.strict and result.rejected)
                planned = roster_writer.plan_employee_upserts(
                    self.enterprise, chunk, numbers, lookup=lookup, seal=writing, sealed=sealed
                )
                result.created += planned.created
                result.updated += len(planned.updates)
                result.unchanged += planned.unchanged
                if writing and (planned.creates or planned.updates):
                    roster_writer.do_bulk_import_employees(
                        self.actor,
                        self.enterprise,
                        planned.creates,
                        planned.updates,
                        source=self.note,
                        batch_ids=batch_ids,
                    )
                self.progress("validating", min(result.rows, total), total)
            if self.dry_run:
                pass
            elif self.strict and result.rejected:
                transaction.set_rollback(True)  # what was written before the first invalid row goes too
            else:
                # Written, not yet committed: the job page shows "writing" until the transaction ends.
                self.progress("writing", result.rows, result.rows)
                result.written = True
        if result.written and result.created > self.chunk_size:
            _refresh_statistics()
        self.progress("finished", result.rows, result.rows)
        return result

    def _records(self, roster: _Source, max_rows: int, result: ImportResult) -> Iterator[EmployeeRecord]:
        """The valid rows, in file order; invalid ones are recorded in `result` as they are met."""
        plan = plan_columns(roster.columns)
        today = timezone.localdate()
        first_row: dict[int, int] = {}  # ID number's first 17 digits (an int: compact for a million) → row
        hashers = (keyed_hasher(ID_PURPOSE), keyed_hasher(PHONE_PURPOSE))
        for number, cells in roster.rows:
            if _blank(cells):
                continue
            result.rows += 1
            if result.rows > max_rows:
                raise excel.UnreadableFile(
                    _("数据行数超过上限（%(max)d行），请拆分文件后分别导入") % {"max": max_rows}, "too_many_rows"
                )
            rec = self._parse(number, cells, plan, today, hashers, first_row, result)
            if rec is not None:
                yield rec

    def _parse(
        self,
        number: int,
        cells: list[Any],
        plan: list[Step],
        today: dt.date,
        hashers: Hashers,
        first_row: dict[int, int],
        result: ImportResult,
    ) -> EmployeeRecord | None:
        data: dict[str, Any] = {}
        errors: list[tuple[str, str, str]] = []
        width = len(cells)
        for key, index, convert, memory in plan:
            raw = cells[index] if index < width else None
            # str and date keys only: no value of one type equals one of the other (1 == 1.0 == True would).
            if memory is not None and (raw.__class__ is str or raw.__class__ is dt.date):
                value = memory.get(raw, MISSING)
                if value is MISSING:
                    try:
                        value = convert(raw)
                    except (CellError, IdentifierError) as exc:
                        errors.append((key, exc.code, exc.message))
                        continue
                    if len(memory) < MEMO_SIZE:
                        memory[raw] = value
            else:
                try:
                    value = convert(raw)
                except (CellError, IdentifierError) as exc:
                    errors.append((key, exc.code, exc.message))
                    continue
            if value is not None:
                data[key] = value
        rec = None
        try:
            rec = employee_record(data, today, hashers)
        except EmployeeValidationError as exc:
            failed = {k for k, _c, _m in errors}  # a cell already reported is not reported twice
            errors.extend((k, c, m) for k, (c, m) in exc.errors.items() if k not in failed)
        if rec is not None:
            identity = int(rec.id_number[:17])  # the 18th character is the check of the first 17
            first = first_row.setdefault(identity, number)
            if first != number:
                errors.append(("id_number", "duplicate", _("身份证号码与第%(row)d行重复，本行未导入") % {"row": first}))
        if not errors:
            return rec
        result.rejected += 1
        messages = []
        for key, code, message in errors:
            header = self.spec.header_of(key)
            result.errors.append({"row": number, "column": header, "code": code, "message": message})
            messages.append(_("%(column)s：%(message)s") % {"column": header, "message": message})
        result.failed.append([number, [_jsonable(c) for c in cells], core_wording.joined(messages)])
        return None
