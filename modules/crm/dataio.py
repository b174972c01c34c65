"""Spreadsheet files in and out: CSV (UTF-8 with or without BOM; ``,`` ``;`` or tab) and XLSX (first sheet).

Readers answer the header and the data rows with their spreadsheet row numbers (the header is row 1),
so an error report points at the line a person sees in Excel. Writers stream CSV with a BOM (Excel
then reads Vietnamese correctly) and build XLSX in write-only mode.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from modules.crm.errors import CrmError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")
DELIMITERS = (",", ";", "\t")


def fold(text) -> str:
    """Accent- and case-insensitive form for matching headers and names: "Mã số thuế" -> "ma so thue"."""
    text = unicodedata.normalize("NFKD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list]] = field(repr=False)  # (spreadsheet row number, cells as long as headers)


def read_table(content: bytes, *, name: str) -> Table:
    """The header and data rows of a .csv or .xlsx file; ``CrmError`` for what cannot be read."""
    if name.lower().endswith(".xlsx"):
        headers, rows = _read_xlsx(content)
    elif name.lower().endswith(".csv"):
        headers, rows = _read_csv(content)
    else:
        raise CrmError("file_type", _("Upload a .csv or .xlsx file."), field="file")
    headers = _unique_headers(headers)
    if not any(headers):
        raise CrmError("file_no_header", _("The first row must name the columns."), field="file")
    width = len(headers)

    def data() -> Iterator[tuple[int, list]]:
        for number, cells in rows:
            cells = list(cells[:width]) + [None] * (width - len(cells))
            cells = [cell.strip() if isinstance(cell, str) else cell for cell in cells]
            if any(cell not in (None, "") for cell in cells):
                yield number, cells

    return Table(headers=headers, rows=data())


def _unique_headers(raw: list) -> list[str]:
    """Blank headers get a name, repeated ones a suffix: the mapping is keyed by header."""
    while raw and raw[-1] in (None, ""):
        raw = raw[:-1]
    headers, seen = [], set()
    for index, value in enumerate(raw, start=1):
        header = str(value).strip() if value not in (None, "") else _("Column %(n)d") % {"n": index}
        candidate, copy = header, 2
        while candidate in seen:
            candidate, copy = f"{header} ({copy})", copy + 1
        seen.add(candidate)
        headers.append(candidate)
    return headers


def _read_csv(content: bytes) -> tuple[list, Iterator[tuple[int, list]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CrmError("file_encoding", _("Save the file as \"CSV UTF-8\" and upload it again."),
                       field="file") from error
    first_line = text.split("\n", 1)[0]
    # The delimiter that splits the header into the most columns (quotes respected).
    delimiter = max(DELIMITERS, key=lambda d: len(next(csv.reader([first_line], delimiter=d), [])))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise CrmError("file_empty", _("The file is empty."), field="file") from None
    return headers, ((number, cells) for number, cells in enumerate(reader, start=2))


def _read_xlsx(content: bytes) -> tuple[list, Iterator[tuple[int, list]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise CrmError("file_unreadable", _("This is not an Excel (.xlsx) file we can read."),
                       field="file") from error
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = list(next(rows))
    except StopIteration:
        book.close()
        raise CrmError("file_empty", _("The file is empty."), field="file") from None

    def data() -> Iterator[tuple[int, list]]:
        try:
            for number, cells in enumerate(rows, start=2):
                yield number, list(cells)
        finally:
            book.close()

    return headers, data()


# --------------------------------------------------------------------------- writers


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """CSV bytes, row by row, for a StreamingHttpResponse (UTF-8 with BOM)."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(headers)).encode()
    for row in rows:
        yield writer.writerow(["" if cell is None else cell for cell in row]).encode()


def xlsx_bytes(headers: list[str], rows: Iterable[list], *, title: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
