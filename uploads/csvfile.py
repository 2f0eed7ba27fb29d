"""Reading an uploaded CSV file: its encoding, its delimiter, its header and its rows.

UTF-8 (with or without a byte-order mark) or Windows-1252; comma or semicolon; headers matched
by name whatever their case, spacing or order. Every problem with the file as a whole is a
``FileProblem`` with a message for the person who uploaded it; rows come out one at a time.
"""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings


class FileProblem(Exception):
    """The file cannot be read as the upload it claims to be (the message says why)."""


@dataclass(frozen=True)
class Column:
    label: str  # as the template writes it
    field: str  # what the rules call it
    required: bool = False
    aliases: tuple[str, ...] = ()


def header_key(text: str) -> str:
    """How headers are compared: case, spaces, underscores and hyphens do not count."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def decode(raw: bytes) -> str:
    """UTF-8 (a leading byte-order mark dropped), else Windows-1252; never binary."""
    # A NUL byte anywhere: no spreadsheet writes one in a CSV, and PostgreSQL refuses it in text.
    if b"\x00" in raw:
        raise FileProblem("This file is not a CSV text file. Save it from your spreadsheet as CSV.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise FileProblem(
            "This file's text encoding is not UTF-8 or Windows-1252. Save it as CSV UTF-8."
        ) from None


def delimiter_of(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


@dataclass
class Rows:
    """The header mapped onto the columns, and the data rows (numbered as a spreadsheet
    numbers them: the header is row 1)."""

    fields: list[str | None]  # the field of each cell position (None: a blank header)
    reader: Iterator[list[str]]

    def __iter__(self) -> Iterator[tuple[int, dict[str, str], int]]:
        """(row number, values by field, how many cells the row had)."""
        for number, cells in enumerate(self.reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # an empty line, as spreadsheets often leave at the end
            values = {field: cell for field, cell in zip(self.fields, cells, strict=False) if field}
            yield number, values, len(cells)


def read(raw: bytes, columns: Sequence[Column]) -> Rows:
    """Check the file and its header; the rows are read as they are asked for."""
    if len(raw) > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise FileProblem(f"This file is larger than {limit} MB. Split it into smaller files.")
    text = decode(raw)
    if not text.strip():
        raise FileProblem("This file is empty. Add a header row and at least one person.")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first_line))
    try:
        header = next(reader)
    except csv.Error:
        raise FileProblem("This file's header row cannot be read as CSV.") from None
    by_key: dict[str, Column] = {}
    for column in columns:
        for name in (column.label, *column.aliases):
            by_key[header_key(name)] = column
    fields: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for cell in header:
        if not cell.strip():
            fields.append(None)
            continue
        match = by_key.get(header_key(cell))
        if match is None:
            unknown.append(cell.strip())
            fields.append(None)
        elif match.field in seen:
            raise FileProblem(f"The column '{match.label}' appears twice in the header.")
        else:
            seen.add(match.field)
            fields.append(match.field)
    problems = []
    missing = [column.label for column in columns if column.required and column.field not in seen]
    if missing:
        problems.append(
            "Missing required column"
            + ("s" if len(missing) > 1 else "")
            + ": "
            + ", ".join(f"'{label}'" for label in missing)
            + "."
        )
    if unknown:
        problems.append(
            "Unknown column"
            + ("s" if len(unknown) > 1 else "")
            + ": "
            + ", ".join(f"'{name[:60]}'" for name in unknown[:10])
            + ". Use the template's headers."
        )
    if problems:
        raise FileProblem(" ".join(problems))
    return Rows(fields=fields, reader=_guarded(reader))


def _guarded(reader: Any) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as error:
        raise FileProblem(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None


# Spreadsheet programs run a cell starting with one of these as a formula (OWASP's CSV
# injection advice); the error report prefixes such cells with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def write(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    return out.getvalue()
