"""A large worksheet read in row bands, the next band loaded on a helper thread while the caller works
through the current one.

Why: python-calamine loads a whole sheet before handing over its first row (about a second for a
100,000-row roster), and the importer can do nothing meanwhile. It releases the GIL while it parses, so a
band of rows can be parsed on the other core while Python validates the band before it: the first rows
reach the importer after a fraction of the load, and the rest of the load overlaps the work.

How: a band is a copy of the workbook (stored, not deflated) whose sheet part holds only some of the
sheet's rows: the part's opening (up to `<sheetData>`), the band's `<row …>` elements cut at row starts,
and the closing tags. Each band is loaded by python-calamine like any workbook, so cells, shared strings,
styles and dates are read by the same code as a whole sheet. Rows keep their numbers (calamine places rows
by their `r` attribute), and every band is cut at a row that carries one.

Rows come out as calamine hands them over, with one difference: a band's first column is column A, where a
whole sheet's is its leftmost used column (calamine trims empty leading columns). Callers index cells by the
header's positions, found in the same rows, so nothing depends on it.

Only plain, large sheets are banded (`plan`); anything unexpected in the workbook's structure — a
prefixed namespace, no `<dimension>`, no row numbers — and the caller loads the sheet whole, as before.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import tempfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .runtime import read_ahead

# Sheets whose part inflates to less than this load whole: banding pays a workbook open (the shared strings
# parsed again) per band, worth it only when the load itself takes a while.
MIN_SHEET_BYTES = 16 << 20
# Band sizes (bytes of sheet XML): small first, so the caller starts early, then growing, so each band is
# loaded before the caller has worked through the one before (python-calamine loads a megabyte of rows in
# about 12 ms; the importer works through it in about 35).
FIRST_BAND_BYTES = 8 << 20
GROWTH = 1.6
MAX_BAND_BYTES = 64 << 20
READ_BYTES = 1 << 20
HEAD_BYTES = 64 << 10  # the part's opening up to <sheetData>
SMALL_PART_BYTES = 4 << 20  # workbook.xml and its relationships

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+[0-9]+(?::[A-Z]+([0-9]+))?"')
_ROW_NUMBER = re.compile(rb'<row [^>]*?\br="([0-9]+)"')
_SHEET_DATA = b"<sheetData>"
_CLOSING = b"</sheetData></worksheet>"


class BandError(Exception):
    """A band could not be read (python-calamine's error, or a cut that went wrong): the caller reports the
    file as unreadable, as for a whole sheet that cannot be loaded."""


@dataclass(frozen=True)
class BandedSheet:
    data: bytes  # the workbook file
    part: str  # the sheet's part in the zip
    name: str  # the sheet's name, for python-calamine
    last_row: int  # from <dimension>: an upper bound of the last row holding data

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) from row 1, as python-calamine's iter_rows gives them, band after band."""
        return _rows(self)


def plan(data: bytes) -> list[tuple[str, BandedSheet | None]] | None:
    """The workbook's visible worksheets in order, each with its BandedSheet when it is large enough to band
    and plain enough to cut; None when no sheet is (or the file is not an .xlsx the way this module expects),
    and the caller reads the workbook as before."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            out: list[tuple[str, BandedSheet | None]] = []
            for name, part in _worksheets(book):
                banded = None
                info = book.getinfo(part)
                if info.file_size >= MIN_SHEET_BYTES:
                    with book.open(info) as fh:
                        last_row = _plain_head(fh.read(HEAD_BYTES))
                    banded = BandedSheet(data, part, name, last_row) if last_row else None
                out.append((name, banded))
            return out if any(banded for _name, banded in out) else None
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError, EOFError):
        return None


def _worksheets(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) of the visible worksheets, in the workbook's order (xl/workbook.xml and its
    relationships; what python-calamine lists as visible worksheets). ElementTree is safe here: both parts are
    capped at SMALL_PART_BYTES, expat (≥ 2.4) refuses entity amplification (a "billion laughs" part is a
    ParseError, and the sheet then loads whole) and ElementTree never fetches external entities."""
    names = set(book.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return []
    if max(book.getinfo(p).file_size for p in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")) > SMALL_PART_BYTES:
        return []
    targets = {}
    for rel in ET.fromstring(book.read("xl/_rels/workbook.xml.rels")).iter(f"{REL_NS}Relationship"):  # noqa: S314
        if not rel.get("Type", "").endswith("/worksheet"):
            continue
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    out = []
    for sheet in ET.fromstring(book.read("xl/workbook.xml")).iter(f"{MAIN_NS}sheet"):  # noqa: S314
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        part = targets.get(rid)
        name = sheet.get("name", "")
        if part in names and name and sheet.get("state", "visible") == "visible":
            out.append((name, part))
    return out


def _plain_head(head: bytes) -> int:
    """The last row named by <dimension> when the part opens the way a band is cut (an unprefixed
    <worksheet>, a bare <sheetData> and its first row numbered); 0 otherwise."""
    start = head.find(_SHEET_DATA)
    if start < 0 or b"<worksheet" not in head[:start]:
        return 0
    dimension = _DIMENSION.search(head, 0, start)
    if dimension is None:
        return 0
    rest = head[start + len(_SHEET_DATA) :]
    if not rest.startswith(b"<row ") or not _ROW_NUMBER.match(rest):
        return 0
    return int(dimension.group(1) or 1)


def _cut(buf: bytearray, at: int) -> int:
    """The offset of the first numbered <row …> at or after `at`; -1 when the buffer holds none yet."""
    while True:
        i = buf.find(b"<row ", at)
        if i < 0:
            return -1
        end = buf.find(b">", i)
        if end < 0:
            return -1
        if _ROW_NUMBER.match(buf, i, end + 1):
            return i
        at = end


def _inflated(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A zip member's content in pieces, inflated by zlib directly: zipfile's own reader inflates a few
    kilobytes per Python call (measured: 2.0 s for a 75 MB sheet part, against 0.2 s here)."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise BandError("compression")
    local = data[info.header_offset : info.header_offset + 30]
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise BandError("local header")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), READ_BYTES):
            yield bytes(raw[i : i + READ_BYTES])
        return
    # A piece per band, each inflated in one call that runs without the GIL (a loop of small pieces would
    # wait for the GIL between them while the caller's thread is busy: up to the switch interval, 5 ms, each).
    # Never more than the size the zip declares (a deflate bomb stops there, not in memory).
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    at, size, left = 0, FIRST_BAND_BYTES, info.file_size
    try:
        while at < len(raw):
            step = size // 6  # XML deflates about sevenfold
            piece = inflate.decompress(raw[at : at + step], left + 1)
            left -= len(piece)
            if left < 0 or inflate.unconsumed_tail:
                raise BandError("size")
            yield piece
            at += step
            size = min(int(size * GROWTH), MAX_BAND_BYTES)
        yield inflate.flush()
    except zlib.error as exc:
        raise BandError("inflate") from exc


def _bands(sheet: BandedSheet) -> Iterator[tuple[bytes, memoryview]]:
    """The sheet part cut into bands: (the part's opening up to <sheetData>, the band's rows)."""
    with zipfile.ZipFile(io.BytesIO(sheet.data)) as book:
        pieces = _inflated(sheet.data, book.getinfo(sheet.part))
    buf = bytearray()
    while (start := buf.find(_SHEET_DATA)) < 0:
        piece = next(pieces, b"")
        if not piece:
            raise BandError("no <sheetData>")
        buf += piece
    start += len(_SHEET_DATA)
    head = bytes(buf[:start])
    del buf[:start]
    target = FIRST_BAND_BYTES
    while True:
        while len(buf) >= target and (cut := _cut(buf, target)) >= 0:
            yield head, memoryview(buf)[:cut]  # the caller is done with it before the buffer changes
            del buf[:cut]
            target = min(int(target * GROWTH), MAX_BAND_BYTES)
        more = next(pieces, None)
        if more is None:
            break
        buf += more
    end = buf.rfind(b"</sheetData>")
    if end < 0:
        raise BandError("no </sheetData>")
    yield head, memoryview(buf)[:end]


def _load(sheet: BandedSheet, others: list[tuple[str, bytes]], head: bytes, rows: memoryview) -> Any:
    """One band as a python-calamine sheet: the workbook again, stored, with the band as the sheet part.
    Written to a temporary file and read from its path: file writes and python-calamine's own reads run
    without the GIL, where an in-memory copy holds it for every megabyte (measured: a tenth of the import's
    GIL time)."""
    from django.conf import settings
    from python_calamine import CalamineError, CalamineWorkbook

    # Where Django puts uploads it spools to disk (the same plaintext): FILE_UPLOAD_TEMP_DIR, else the system's.
    # Created readable by this user only (mode 0600) and deleted as soon as python-calamine has read it.
    spool = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    with tempfile.NamedTemporaryFile(prefix="fugong-band-", suffix=".xlsx", dir=spool) as fh:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as band:
            for name, content in others:
                band.writestr(name, content)
            with band.open(sheet.part, "w") as part:
                part.write(head)
                part.write(rows)
                part.write(_CLOSING)
        fh.flush()
        try:
            return CalamineWorkbook.from_path(fh.name).get_sheet_by_name(sheet.name)
        except CalamineError as exc:
            raise BandError(type(exc).__name__) from None


_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


def _other(book: zipfile.ZipFile, name: str) -> bytes:
    """A part copied into every band as it is, but the other worksheets, emptied: each band is a whole
    workbook, and another large sheet copied into each would cost as much as the band itself."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name:
        return _EMPTY_SHEET
    return book.read(name)


def _loaded(sheet: BandedSheet) -> Iterator[Any]:
    """The bands, loaded (python-calamine sheets), in order."""
    with zipfile.ZipFile(io.BytesIO(sheet.data)) as book:
        others = [(i.filename, _other(book, i.filename)) for i in book.infolist() if i.filename != sheet.part]
    for head, rows in _bands(sheet):
        band = _load(sheet, others, head, rows)
        del rows  # the cut's buffer may change once the next band is cut
        yield band


def _rows(sheet: BandedSheet) -> Iterator[tuple[int, list[Any]]]:
    # One band ahead on the helper thread (python-calamine loads it without the GIL): memory about two bands.
    bands = read_ahead(
        _loaded(sheet),
        depth=1,
        name="xlsx-band-loader",
        error=lambda exc: exc if isinstance(exc, BandError) else BandError(type(exc).__name__),
    )
    last = 0
    with contextlib.closing(bands):
        for band in bands:
            start = band.start
            pad = [""] * start[1] if start and start[1] else None
            for number, cells in enumerate(band.iter_rows(), start=1):
                if number <= last:  # rows of earlier bands: blank here
                    continue
                last = number
                yield number, (pad + cells if pad else cells)
