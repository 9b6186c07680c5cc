"""Reading an uploaded CSV file into numeric columns, refusing anything odd with a message that names
the row and column: never executed, never evaluated, only parsed as numbers.

Accepted: UTF-8 text (a byte-order mark is fine) or UTF-16 with its byte-order mark; delimiter
comma, semicolon, tab or bar (the one that splits the header and the first rows alike); a header
row of names (else the columns are named ``column 1``, ...); at most ``MAX_ROWS`` rows and
``MAX_BYTES`` bytes. Refused, with the first offending cell: binary data (NUL bytes, undecodable
bytes), a cell that looks like a spreadsheet formula (``=``, ``+``, ``-``, ``@`` followed by text
that is not a number, e.g. ``=cmd|' /C calc'!A0``), missing, NaN or infinite values, rows of the
wrong length; a file with no numeric column, or fewer than ``MIN_ROWS`` rows.

Pure Python and NumPy (the standard ``csv`` module): no Streamlit.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

MAX_BYTES = 100_000  # what a scene file may carry (links carry none of it)
MAX_ROWS = 5_000
MIN_ROWS = 4
MAX_COLUMNS = 50
MAX_NAME = 40  # characters of a column name kept
DELIMITERS = ",;\t|"
FORMULA_START = "=+-@"
NUL = b"\x00"


class CsvError(ValueError):
    """A CSV file refused, with a message naming the problem (and its row and column)."""


@dataclass(frozen=True, eq=False)
class Table:
    """Numeric columns of a CSV file: ``names`` and ``columns[i]`` of shape ``(rows,)``."""

    names: tuple[str, ...]
    columns: tuple[Array, ...]

    @property
    def rows(self) -> int:
        return int(self.columns[0].shape[0]) if self.columns else 0

    def column(self, i: int, what: str = "column") -> Array:
        if not 0 <= i < len(self.columns):
            raise CsvError(f"Invalid {what}: {i + 1} (the file has {len(self.columns)} numeric columns)")
        return self.columns[i]


def decode(data: bytes | str) -> str:
    """The file's text; ``CsvError`` for binary data, an unknown encoding or a file over ``MAX_BYTES``."""
    if isinstance(data, str):
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise CsvError(f"The file is larger than {MAX_BYTES:,} bytes; use fewer rows")
        text = data
    else:
        if len(data) > MAX_BYTES:
            raise CsvError(f"The file is {len(data):,} bytes, more than {MAX_BYTES:,}; use fewer rows")
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError as exc:
                raise CsvError(f"Not readable as UTF-16 text (byte {exc.start})") from None
        else:
            if NUL in data:
                raise CsvError(f"Binary data, not a text CSV file (a NUL byte at byte {data.index(NUL)})")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise CsvError(
                    f"Not UTF-8 text (undecodable byte at byte {exc.start}); save the file as UTF-8"
                ) from None
    if "\x00" in text:
        raise CsvError("Binary data, not a text CSV file (a NUL character)")
    bad = next((c for c in text if ord(c) < 32 and c not in "\t\r\n"), None)
    if bad is not None:
        raise CsvError(
            f"Binary data, not a text CSV file (control character {ord(bad)} at character {text.index(bad)})"
        )
    return text


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    head = lines[:20]
    best = ""
    for d in DELIMITERS:
        counts = {len(next(csv.reader([line], delimiter=d))) for line in head}
        if len(counts) == 1 and counts.pop() > 1:
            best = best or d
    if not best:
        raise CsvError(
            "No delimiter found: the first rows must split into the same number of columns "
            "by commas, semicolons, tabs or bars"
        )
    return best


def _number(cell: str) -> float | None:
    """The cell as a float (``None`` if it is not a number); ``nan`` and ``inf`` are numbers here."""
    try:
        return float(cell)
    except ValueError:
        return None


def _is_formula(cell: str) -> bool:
    return bool(cell) and cell[0] in FORMULA_START and _number(cell) is None


def read(data: bytes | str) -> Table:
    """The numeric columns of a CSV file; ``CsvError`` naming the problem otherwise."""
    text = decode(data)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise CsvError("The file is empty")
    if len(lines) - 1 > MAX_ROWS:
        raise CsvError(f"Too many rows: {len(lines) - 1:,} (at most {MAX_ROWS:,})")
    delim = _delimiter(lines)
    rows = list(csv.reader(lines, delimiter=delim))
    width = len(rows[0])
    if width > MAX_COLUMNS:
        raise CsvError(f"Too many columns: {width} (at most {MAX_COLUMNS})")
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row, start=1):
            if _is_formula(cell.strip()):
                raise CsvError(
                    f"Row {r}, column {c}: a cell that starts like a spreadsheet formula ({cell[:1]!r}); refused"
                )
        if len(row) != width:
            raise CsvError(f"Row {r}: {len(row)} fields, but the header has {width}")
    header = all(_number(cell.strip()) is None for cell in rows[0])
    names = [cell.strip()[:MAX_NAME] or f"column {c}" for c, cell in enumerate(rows[0], start=1)] if header else None
    body = rows[1:] if header else rows
    names = names or [f"column {c}" for c in range(1, width + 1)]
    if len(body) < MIN_ROWS:
        raise CsvError(f"Too few rows: {len(body)} (at least {MIN_ROWS})")
    first = 2 if header else 1  # the file's row number of the first data row
    out_names, out_cols = [], []
    for c in range(width):
        cells = [row[c].strip() for row in body]
        values = [_number(cell) for cell in cells]
        if all(v is None for v in values):
            continue  # a text column: not offered
        for r, (cell, v) in enumerate(zip(cells, values, strict=True)):
            where = f"Row {first + r}, column {c + 1} ({names[c]!r})"
            if v is None:
                raise CsvError(f"{where}: {cell[:20]!r} is not a number")
            if not math.isfinite(v):
                raise CsvError(f"{where}: {cell[:20]!r} is not a finite number (NaN and infinity are refused)")
        out_names.append(names[c])
        out_cols.append(np.array(values, dtype=float))
    if not out_cols:
        raise CsvError("No numeric column: every column holds text")
    return Table(tuple(out_names), tuple(out_cols))


def xy(data: bytes | str, x_column: int, y_column: int, labels: bool = False) -> tuple[Array, Array, str, str]:
    """The feature ``x`` and target ``y`` (columns by index among the numeric ones), their names;
    ``labels``: ``y`` must hold only 0 and 1. ``CsvError`` naming the column otherwise."""
    table = read(data)
    x = table.column(x_column, "feature column")
    y = table.column(y_column, "target column")
    xname, yname = table.names[x_column], table.names[y_column]
    if np.ptp(x) == 0.0:
        raise CsvError(f"Column {xname!r} is constant ({x[0]:g} in every row): it cannot be a feature")
    if labels:
        bad = np.flatnonzero((y != 0.0) & (y != 1.0))
        if bad.size:
            raise CsvError(f"Column {yname!r}: {y[bad[0]]:g} is not a class label (logistic regression needs 0 or 1)")
        if np.all(y == y[0]):
            raise CsvError(f"Column {yname!r} is constant: logistic regression needs both classes, 0 and 1")
    elif np.ptp(y) == 0.0:
        raise CsvError(f"Column {yname!r} is constant ({y[0]:g} in every row): nothing to fit")
    return x, y, xname, yname
