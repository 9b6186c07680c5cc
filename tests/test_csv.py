"""Uploaded CSV files (``datasets.csv``): good files read as numbers; every bad file refused with a
message naming the problem, its row and column, and nothing in it ever executed."""

from __future__ import annotations

import numpy as np
import pytest

from datasets import csv as dcsv
from datasets.csv import CsvError, read, xy

GOOD = "height,weight,name\n1.5,50,a\n1.6,55,b\n1.7,61,c\n1.8,70,d\n1.9,72,e\n"


def test_a_good_file_gives_its_numeric_columns():
    t = read(GOOD.encode())
    assert t.names == ("height", "weight")  # the text column is not offered
    np.testing.assert_array_equal(t.columns[0], [1.5, 1.6, 1.7, 1.8, 1.9])
    _, y, xn, yn = xy(GOOD.encode(), 0, 1)
    assert (xn, yn) == ("height", "weight") and y[-1] == 72.0


@pytest.mark.parametrize(
    "data",
    [
        GOOD.replace(",", ";").encode(),
        GOOD.replace(",", "\t").encode(),
        GOOD.replace(",", "|").encode(),
        b"\xef\xbb\xbf" + GOOD.encode(),  # UTF-8 with a byte-order mark
        GOOD.encode("utf-16"),  # UTF-16 with its byte-order mark
        GOOD.replace("\n", "\r\n").encode(),
    ],
    ids=["semicolon", "tab", "bar", "utf8-bom", "utf16", "crlf"],
)
def test_other_delimiters_and_encodings_read_the_same(data):
    t = read(data)
    assert t.names == ("height", "weight")
    np.testing.assert_array_equal(t.columns[1], [50, 55, 61, 70, 72])


def test_no_header_names_the_columns():
    t = read(b"1,2\n3,4\n5,6\n7,9\n")
    assert t.names == ("column 1", "column 2") and t.rows == 4


BAD = {
    "binary junk": (bytes(range(256)) * 4, "Binary data"),
    "png header": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Binary data"),
    "latin-1": ("x,y\n1,2\n3,4\ncaf\xe9,5\n6,7\n".encode("latin-1"), "Not UTF-8 text (undecodable byte at byte 15)"),
    "no numeric column": (b"a,b\nx,y\nz,w\nu,v\nq,r\n", "No numeric column"),
    "nan": (b"x,y\n1,2\n2,nan\n3,4\n4,5\n", "Row 3, column 2 ('y'): 'nan' is not a finite number"),
    "inf": (b"x,y\n1,2\n2,3\n-inf,4\n4,5\n", "Row 4, column 1 ('x'): '-inf' is not a finite number"),
    "empty cell": (b"x,y\n1,2\n2,\n3,4\n4,5\n", "Row 3, column 2 ('y'): '' is not a number"),
    "text in a number column": (b"x,y\n1,2\n2,3\n3,four\n4,5\n", "Row 4, column 2 ('y'): 'four' is not a number"),
    "formula injection": (b"x,y\n1,2\n=cmd|' /C calc'!A0,3\n3,4\n4,5\n", "Row 3, column 1: a cell that starts like a"),
    "formula with plus": (b"x,y\n1,2\n2,3\n3,+HYPERLINK(1)\n4,5\n", "Row 4, column 2: a cell that starts like"),
    "formula with at": (b"x,y\n1,2\n@SUM(1+1),3\n3,4\n4,5\n", "Row 3, column 1: a cell that starts like"),
    "ragged row": (b"x,y\n1,2\n2,3,4\n3,4\n4,5\n", "No delimiter found"),
    "ragged later row": (b"x,y\n" + b"1,2\n" * 25 + b"2,3,4\n", "Row 27: 3 fields, but the header has 2"),
    "one column": (b"x\n1\n2\n3\n4\n", "No delimiter found"),
    "too few rows": (b"x,y\n1,2\n3,4\n", "Too few rows: 2"),
    "too many rows": (b"x,y\n" + b"1,2\n" * (dcsv.MAX_ROWS + 1), "Too many rows"),
    "too many bytes": (b"x,y\n" + b"1.000000000,2.0000000000\n" * 5000, "more than 100,000"),
    "empty": (b"\n\n", "The file is empty"),
    "control characters": (b"x,y\n1,2\n2,\x07\n3,4\n4,5\n", "control character 7"),
}


@pytest.mark.parametrize("data,message", BAD.values(), ids=BAD.keys())
def test_bad_files_are_refused_with_their_row_and_column(data, message):
    with pytest.raises(CsvError) as exc:
        read(data)
    assert message in str(exc.value)


def test_constant_and_label_columns_are_refused_by_name():
    data = b"x,c,y,label\n1,5,2,0\n2,5,3,1\n3,5,5,1\n4,5,4,0\n"
    with pytest.raises(CsvError, match="Column 'c' is constant"):
        xy(data, 1, 2)
    with pytest.raises(CsvError, match="Column 'c' is constant"):
        xy(data, 0, 1)
    with pytest.raises(CsvError, match=r"Column 'y': 2 is not a class label"):
        xy(data, 0, 2, labels=True)
    _, y, _, _ = xy(data, 0, 3, labels=True)
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    with pytest.raises(CsvError, match="Invalid target column: 9"):
        xy(data, 0, 8)


def test_a_formula_cell_is_never_evaluated(monkeypatch):
    """The refusal comes from the text alone: nothing the cell names is looked up or run."""
    import builtins
    import subprocess

    def boom(*args, **kwargs):
        raise AssertionError("something tried to run")

    monkeypatch.setattr(subprocess, "Popen", boom)
    monkeypatch.setattr(builtins, "eval", boom)
    with pytest.raises(CsvError):
        read(b"x,y\n1,2\n=cmd|' /C calc'!A0,3\n3,4\n4,5\n")


def test_a_scene_file_carries_the_csv_and_a_link_does_not():
    from scenes import Scene
    from scenes.codec import from_json, from_query, to_json, to_query

    text = "h,w\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(50))
    scene = Scene(landscape="data_linear", landscape_params=(("source", "csv"), ("csv", text)), steps=50)
    assert scene.problems() == []
    back, warnings = from_json(to_json(scene))
    assert back == scene and warnings == []
    query = to_query(scene)
    assert "csv" not in str(query.get("lp", "")).replace("source:csv", "") and "2,5" not in str(query)
    linked, warnings = from_query(query)
    assert dict(linked.landscape_params).get("source") != "csv"
    assert any("not in this link" in w for w in warnings)
    big = "h,w\n" + "".join(f"{i},{2 * i + 1}.000000001\n" for i in range(6000))  # over the file limit
    too_big = Scene(landscape="data_linear", landscape_params=(("source", "csv"), ("csv", big)))
    refused, warnings = from_json(to_json(too_big))
    assert refused.landscape != "data_linear" or dict(refused.landscape_params).get("csv") != big
    assert any("too large" in w for w in warnings)
