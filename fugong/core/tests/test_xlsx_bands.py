"""fugong.core.xlsx_bands: a large sheet read band by band must read exactly as the whole sheet does.

The thresholds are lowered so that small workbooks built here are cut into many bands; each test compares the
banded reading with python-calamine's reading of the whole sheet, or checks that an odd workbook falls back
to it."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import threading
import zipfile

import openpyxl
import pytest
import xlsxwriter

from fugong.core import excel, xlsx_bands
from fugong.core.excel import Column, TableSpec, UnreadableFile

SPEC = TableSpec(
    [
        Column("code", "编号", ("编号",), required=True),
        Column("name", "姓名", ("姓名",), required=True),
        Column("day", "日期", ("日期",)),
        Column("count", "人数", ("人数",)),
    ]
)


def roster_book(path, rows=300, *, first_column=0, gaps=(), writer="xlsxwriter", extra_sheet=None):
    """A title in A1, a header on row 3 and `rows` data rows (numbers, dates, text, blanks), the header and
    data starting at column `first_column`; the rows in `gaps` (0-based data indices) left empty."""
    header = ["编号", "姓名", "日期", "人数"]
    data = []
    for i in range(rows):
        if i in gaps:
            data.append(None)
            continue
        day = dt.date(2020, 2, 1) + dt.timedelta(days=i % 40)
        data.append([f"N{i:05d}", f"员工{i}", day, i * 3 if i % 7 else None])
    if writer == "xlsxwriter":
        book = xlsxwriter.Workbook(str(path))
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        if extra_sheet == "before":
            book.add_worksheet("说明").write(0, 0, "填表说明：请勿修改表头")
        sheet = book.add_worksheet("花名册")
        sheet.merge_range(0, 0, 0, 3, "某公司花名册（测试）")  # the title from column A
        for c, h in enumerate(header):
            sheet.write(2, first_column + c, h)
        for r, values in enumerate(data, start=3):
            if values is None:
                continue
            for c, v in enumerate(values):
                if isinstance(v, dt.date):
                    sheet.write_datetime(r, first_column + c, dt.datetime.combine(v, dt.time()), dates)
                elif v is not None:
                    sheet.write(r, first_column + c, v)
        if extra_sheet == "after":
            book.add_worksheet("导出信息").write(0, 0, "导出人：测试")
        book.close()
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "花名册"
        sheet.cell(row=1, column=1, value="某公司花名册（测试）")
        for c, h in enumerate(header, start=first_column + 1):
            sheet.cell(row=3, column=c, value=h)
        for r, values in enumerate(data, start=4):
            for c, v in enumerate(values or (), start=first_column + 1):
                sheet.cell(row=r, column=c, value=v)
        book.save(path)
    return str(path)


def whole(path):
    """What read_table gives with banding off: (header row, headers, columns, [(number, values, raw)])."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_bands, "MIN_SHEET_BYTES", 1 << 40)
        return reading(path)


def reading(path):
    table = excel.read_table(path, os.path.basename(path), SPEC)
    rows = [(r.number, r.values) for r in table]
    return table.header_row, table.headers, table.columns, table.sheet_name, rows


def loaded_bands(monkeypatch):
    seen: list[int] = []
    real = xlsx_bands._load

    def counting(sheet, others, head, rows):
        seen.append(len(rows))
        return real(sheet, others, head, rows)

    monkeypatch.setattr(xlsx_bands, "_load", counting)
    return seen


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_a_banded_sheet_reads_exactly_as_the_whole_sheet(tmp_path, small_bands, monkeypatch, writer):
    path = roster_book(tmp_path / "a.xlsx", 400, gaps={5, 120, 121, 122, 399}, writer=writer)
    expected = whole(path)
    bands = loaded_bands(monkeypatch)
    got = reading(path)
    assert len(bands) > 10  # really read in bands
    assert got == expected
    numbers = [n for n, _v in got[4]]
    assert numbers[0] == 4 and 9 not in numbers and 125 not in numbers  # blank rows skipped, numbering kept
    assert got[4][0][1] == {"code": "N00000", "name": "员工0", "day": dt.date(2020, 2, 1), "count": ""}
    assert got[4][1][1]["count"] == 3


def test_every_row_number_and_cell_matches_python_calamine_across_every_cut(tmp_path, small_bands):
    """At the level of raw rows: the same (number, cells) for every row, band boundaries and gaps included."""
    path = roster_book(tmp_path / "b.xlsx", 300, gaps=set(range(40, 90)))
    data = open(path, "rb").read()
    planned = xlsx_bands.plan(data)
    assert planned is not None and planned[0][1] is not None
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("花名册")
    assert list(planned[0][1].rows()) == list(enumerate(sheet.iter_rows(), start=1))


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_data_starting_right_of_the_title_reads_in_its_columns(tmp_path, small_bands, writer):
    """python-calamine starts a sheet's rows at its leftmost used column: column A for the first band (the
    title is there), column C for a band of data rows only. Bands are read from column A, so every band's
    cells stay under the header's positions."""
    path = roster_book(tmp_path / "c.xlsx", 200, first_column=2, writer=writer)
    expected = whole(path)
    got = reading(path)
    assert got[4] == expected[4] and got[0] == expected[0]
    assert got[4][1][1]["name"] == "员工1"


@pytest.mark.parametrize("extra", ["before", "after"])
def test_other_sheets_of_a_banded_workbook_are_read_as_before(tmp_path, small_bands, extra):
    """An instructions sheet before the data (no header: skipped) or an export sheet after it."""
    path = roster_book(tmp_path / "d.xlsx", 300, extra_sheet=extra)
    assert reading(path) == whole(path)
    assert reading(path)[3] == "花名册"


def test_small_sheets_are_not_banded(tmp_path, monkeypatch):
    path = roster_book(tmp_path / "e.xlsx", 50)
    bands = loaded_bands(monkeypatch)
    reading(path)
    assert bands == []
    assert xlsx_bands.plan(open(path, "rb").read()) is None


def _rewrite(path, change):
    """The workbook with its data sheet's XML passed through `change`."""
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = change(content)
            dst.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda x: x.replace(b"<dimension", b"<dimensionX"), id="no-dimension"),
        pytest.param(lambda x: x.replace(b'<row r="1"', b"<row", 1), id="first-row-unnumbered"),
        pytest.param(lambda x: x.replace(b"<worksheet ", b"<x:worksheet xmlns:x='urn:x' ", 1), id="prefixed-root"),
    ],
)
def test_a_sheet_not_cut_the_usual_way_is_loaded_whole(tmp_path, small_bands, change):
    path = roster_book(tmp_path / "f.xlsx", 300)
    data = _rewrite(path, change)
    planned = xlsx_bands.plan(data)
    assert planned is None


def test_rows_without_numbers_are_never_cut_before(tmp_path, small_bands, monkeypatch):
    """Some writers number only some rows, and no cells; calamine counts on from the row before. A band only
    starts at a numbered row, so every unnumbered row stays behind the numbered one it follows."""
    import re

    path = roster_book(tmp_path / "u.xlsx", 300)

    def drop(match):  # rows 1, 10, 20, … keep their number
        n = int(match.group(1))
        return match.group(0) if n == 1 or n % 10 == 0 else b"<row"

    def unnumbered(xml):  # and no cell says where it is: calamine counts rows and columns
        return re.sub(rb'<row r="([0-9]+)"', drop, re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml))

    data = _rewrite(path, unnumbered)
    unnumbered = tmp_path / "u2.xlsx"
    unnumbered.write_bytes(data)
    bands = loaded_bands(monkeypatch)
    expected = whole(str(unnumbered))
    assert reading(str(unnumbered)) == expected
    assert len(bands) > 5
    assert len(expected[4]) == 300


def test_a_band_that_cannot_be_read_makes_the_file_unreadable_and_leaves_no_thread_or_file(tmp_path, small_bands):
    path = roster_book(tmp_path / "g.xlsx", 400)
    # Broken XML far down the sheet: the first bands read, a later one does not.
    data = _rewrite(path, lambda x: x.replace(b'<row r="350"', b'<row r="350"><c r="A350" t="s"><v>', 1))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(data)
    before = set(os.listdir(tempfile.gettempdir()))
    table = excel.read_table(str(broken), "broken.xlsx", SPEC)
    with pytest.raises(UnreadableFile) as caught:
        list(table)
    assert caught.value.code == "not_spreadsheet"
    assert "broken.xlsx" in caught.value.message
    assert not [t for t in threading.enumerate() if t.name == "xlsx-band-loader"]
    assert {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("fugong-band-")} - before == set()


def test_stopping_half_way_stops_the_loader(tmp_path, small_bands):
    path = roster_book(tmp_path / "h.xlsx", 400)
    rows = iter(excel.read_table(path, "h.xlsx", SPEC))
    next(rows)
    rows.close()  # type: ignore[attr-defined]
    assert not [t for t in threading.enumerate() if t.name == "xlsx-band-loader"]


def test_a_deflated_and_a_stored_sheet_part_read_alike(tmp_path, small_bands):
    path = roster_book(tmp_path / "i.xlsx", 300)
    stored = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    copy = tmp_path / "stored.xlsx"
    copy.write_bytes(stored.getvalue())
    assert reading(str(copy))[4] == reading(path)[4]


def test_two_large_sheets_the_first_without_a_header_are_both_banded_and_the_second_is_read(
    tmp_path, small_bands, monkeypatch
):
    """read_table leaves the first sheet after its first rows (no header there) and reads the second;
    each band carries the other worksheet emptied, not copied."""
    path = str(tmp_path / "two.xlsx")
    book = xlsxwriter.Workbook(path)
    notes = book.add_worksheet("统计")
    for r in range(600):
        notes.write_row(r, 0, [r, r * 2, f"备注{r}"])
    data_sheet = book.add_worksheet("花名册")
    data_sheet.write_row(0, 0, ["编号", "姓名", "日期", "人数"])
    for r in range(1, 301):
        data_sheet.write_row(r, 0, [f"N{r:05d}", f"员工{r}", "", r])
    book.close()
    sizes: list[int] = []
    real = xlsx_bands._load

    def measuring(sheet, others, head, rows):
        sizes.append(sum(len(content) for name, content in others if name.startswith("xl/worksheets/")))
        return real(sheet, others, head, rows)

    monkeypatch.setattr(xlsx_bands, "_load", measuring)
    planned = xlsx_bands.plan(open(path, "rb").read())
    assert planned is not None and [name for name, banded in planned if banded] == ["统计", "花名册"]
    got = reading(path)
    assert got == whole(path)
    assert got[3] == "花名册" and len(got[4]) == 300
    assert max(sizes) < 1024  # the other sheet went in empty
    assert not [t for t in threading.enumerate() if t.name == "xlsx-band-loader"]


def test_a_sheet_inflating_past_its_declared_size_is_unreadable(tmp_path, small_bands):
    """A deflate bomb declares a small size and inflates without end: reading stops at the declared size."""
    path = roster_book(tmp_path / "bomb.xlsx", 2000)  # its sheet part well past the 64 KB head read first
    data = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    declared = info.file_size // 2  # above the (lowered) banding threshold, below the real size
    # The uncompressed size in the local header (offset 22) and in the central directory entry (offset 24).
    data[info.header_offset + 22 : info.header_offset + 26] = declared.to_bytes(4, "little")
    name = info.filename.encode()
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
        assert entry > 0
    data[entry + 24 : entry + 28] = declared.to_bytes(4, "little")
    bomb = tmp_path / "bomb2.xlsx"
    bomb.write_bytes(bytes(data))
    assert xlsx_bands.plan(bytes(data)) is not None  # banded: the guard is this module's
    with pytest.raises(UnreadableFile):
        list(excel.read_table(str(bomb), "bomb2.xlsx", SPEC))


def test_band_files_are_private_in_the_upload_spool_and_gone_after(tmp_path, small_bands, settings, monkeypatch):
    """A band file holds the roster's plaintext (ID numbers): mode 0600, in FILE_UPLOAD_TEMP_DIR, deleted once read."""
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    seen: list[tuple[str, int]] = []
    real = tempfile.NamedTemporaryFile

    def watching(*args, **kwargs):
        fh = real(*args, **kwargs)
        seen.append((os.path.dirname(fh.name), os.stat(fh.name).st_mode & 0o777))
        return fh

    monkeypatch.setattr(xlsx_bands.tempfile, "NamedTemporaryFile", watching)
    path = roster_book(tmp_path / "p.xlsx", 300)
    assert reading(path)[4]
    assert len(seen) > 5 and set(seen) == {(str(spool), 0o600)}
    assert os.listdir(spool) == []


def test_a_workbook_part_with_entity_amplification_is_refused_and_the_sheet_is_not_banded(tmp_path, small_bands):
    path = roster_book(tmp_path / "lol.xlsx", 300)
    entities = "".join(f'<!ENTITY l{i + 1} "{f"&l{i};" * 10}">' for i in range(9))
    doctype = f'<!DOCTYPE w [<!ENTITY l0 "lololololol">{entities}]>'
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "xl/workbook.xml":
                content = content.replace(b"<workbook ", doctype.encode() + b"<workbook ", 1)
                content = content.replace(b'name="', b'name="&l9;', 1)
                assert doctype.encode() in content and b"&l9;" in content
            dst.writestr(info.filename, content)
    assert xlsx_bands.plan(out.getvalue()) is None
