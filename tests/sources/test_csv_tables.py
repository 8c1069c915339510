"""The shared CSV reader: header located by text, first bad cell named, pandera failures located."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from migdev.errors import HashMismatchError, ParseError
from migdev.sources.csv_tables import (
    Origin,
    check_revisions,
    check_sex,
    check_sex_sum,
    check_unique,
    check_wide_sex_sum,
    find_header,
    not_utf8,
    parse_bool,
    read_csv,
    read_grid,
    require_utf8,
    scan,
    validate,
)
from tests.sources.parse_helpers import expect_error


def _write(tmp_path: Path, text: str | bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_find_header_after_preamble(tmp_path: Path) -> None:
    path = _write(tmp_path, '"Title","x"\n\nnote\n"A","B","C"\n1,2,3\n')
    assert find_header(path, ["b", " A "]) == 3


def test_find_header_missing(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(ParseError, match=r"no header line with the columns a, z in the first 50 lines"):
        find_header(path, ["a", "z"])


def test_find_header_gives_up_after_max_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "x\n" * 5 + "a,b\n")
    with pytest.raises(ParseError, match="first 3 lines"):
        find_header(path, ["a"], max_lines=3)
    assert find_header(path, ["a"]) == 5


def test_read_csv_types_and_blanks(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffname, n ,x,extra\n a ,1,1.5,z\nb,,2,z\n")
    df = read_csv(path, ["name", "n", "x"], numeric=["x"], integer=["n"])
    assert list(df.columns) == ["name", "n", "x"]
    assert df["name"].tolist() == ["a", "b"]  # cells are stripped
    assert str(df["n"].dtype) == "Int64" and df["n"].isna().tolist() == [False, True]
    assert df["x"].tolist() == [1.5, 2.0]


def test_read_csv_with_known_header_line_and_gzip(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert read_csv(path, ["a", "b"], integer=["a", "b"]).iloc[0].tolist() == [1, 2]
    pre = _write(tmp_path, "junk\na,b\n1,2\n")
    assert read_csv(pre, ["a"], integer=["a"], header_line=1)["a"].tolist() == [1]


@pytest.mark.parametrize(
    ("text", "kwargs", "row", "column", "message"),
    [
        ("a,b\n1,2\n", {"columns": ["a", "c"]}, 1, "c", "missing column(s) 'c'"),
        ("a,b\n1,2\n3,x\n", {"columns": ["a", "b"], "numeric": ["b"]}, 3, "b", "'x' is not a number"),
        ("a,b\n1,2.5\n", {"columns": ["a", "b"], "integer": ["b"]}, 2, "b", "'2.5' is not a whole number"),
        ("a,b\n1,2\n, 4\n", {"columns": ["a", "b"], "required": ["a"]}, 3, "a", "required value is empty"),
        ("pre\n\na,b\n1,2\n1,y\n", {"columns": ["a", "b"], "numeric": ["b"]}, 5, "b", "'y' is not a number"),
    ],
    ids=["missing-column", "text-in-number", "fraction-in-integer", "empty-required", "row-after-preamble"],
)
def test_read_csv_names_the_first_bad_cell(tmp_path: Path, text, kwargs, row, column, message) -> None:
    path = _write(tmp_path, text)
    columns = kwargs.pop("columns")
    expect_error(lambda p: read_csv(p, columns, **kwargs), path, row=row, column=column, text=message)


def test_read_csv_not_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, b"a,b\n1,2\n3,\xff4\n")
    expect_error(lambda p: read_csv(p, ["a", "b"]), path, row=3, column="b", text="byte 0xff at offset 10")


def test_read_csv_not_utf8_beyond_the_header_search(tmp_path: Path) -> None:
    # the bad byte is far below the header, in a buffer the header search never decodes
    lines = b"".join(b"%d,%d\n" % (i, i) for i in range(5000))
    path = _write(tmp_path, b"a,b\n" + lines + b"1,\xe92\n")
    expect_error(lambda p: read_csv(p, ["a", "b"]), path, row=5002, column="b", text="byte 0xe9")


def test_read_csv_not_utf8_in_gzip(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,\xff\n"))
    expect_error(lambda p: read_csv(p, ["a", "b"]), path, row=2, column="b", text="byte 0xff at offset 6")


def test_read_csv_unreadable(tmp_path: Path) -> None:
    path = _write(tmp_path, 'a,b\n1,"2\n')  # a quote that never closes: the file was cut
    with pytest.raises(ParseError, match="cannot be read as CSV"):
        read_csv(path, ["a", "b"], header_line=0)


def test_not_utf8_and_require_utf8(tmp_path: Path) -> None:
    good = _write(tmp_path, "a,b\n1,2\n", "good.csv")
    assert not_utf8(good) is None
    require_utf8(good)
    bad = _write(tmp_path, b"\xfea,b\n1,2\n", "bad.csv")
    error = not_utf8(bad, names=["a"])
    assert (error.row, error.column) == (1, None)
    with pytest.raises(ParseError, match=r"bad\.csv, row 1: byte 0xfe at offset 0"):
        require_utf8(bad)
    with pytest.raises(ParseError, match=r"row 2, column 'b'"):
        find_header(_write(tmp_path, b"a,b\n1,\xfe\n", "late.csv"), ["a", "b"])


def test_check_sex_and_unique(tmp_path: Path) -> None:
    df = pd.DataFrame({"sex": ["total", "male", "both"], "k": [1, 2, 2]})
    with pytest.raises(ParseError, match=r"f\.csv, row 4, column 'sex': unknown sex code 'both'"):
        check_sex(df, tmp_path / "f.csv")
    check_sex(df.iloc[:2], tmp_path / "f.csv")
    with pytest.raises(ParseError, match=r"row 4, column 'k': duplicated key \(k=2\)"):
        check_unique(df, ["k"], tmp_path / "f.csv")
    check_unique(df, ["k", "sex"], tmp_path / "f.csv")


def test_validate_reports_row_column_and_value(tmp_path: Path) -> None:
    schema = pa.DataFrameSchema({"n": pa.Column(int, pa.Check.ge(0))}, name="demo")
    df = pd.DataFrame({"n": [1, 2, -3]})
    exc = expect_error(lambda p: validate(df, schema, p), tmp_path / "f.csv", row=4, column="n",
                       text="does not pass the demo schema")
    assert "-3" in str(exc)
    assert validate(df.iloc[:2], schema, tmp_path / "f.csv").equals(df.iloc[:2])


def test_validate_without_a_row(tmp_path: Path) -> None:
    schema = pa.DataFrameSchema({"n": pa.Column(int)}, name=None, strict=True)
    with pytest.raises(ParseError, match="does not pass the table schema") as err:
        validate(pd.DataFrame({"n": [1], "extra": [2]}), schema, tmp_path / "f.csv")
    assert err.value.row is None


def test_errors_name_sheet_and_hash() -> None:
    exc = ParseError("x/book.xlsx", "bad", sheet="Table 1", row=3, column="B")
    assert str(exc) == "book.xlsx, sheet 'Table 1', row 3, column 'B': bad"
    mismatch = HashMismatchError("a/b.csv", "e" * 64, "f" * 64)
    assert str(mismatch).startswith(f"b.csv: sha256 mismatch, expected {'e' * 64}, got {'f' * 64}")
    assert isinstance(mismatch, ValueError)


# --- bad input the shared reader refuses before pandas reads ---------------------------------------------------
@pytest.mark.parametrize(
    ("text", "row", "column", "message"),
    [
        (b"", None, None, "the file is empty"),
        (b"a,b\n", 1, None, "a header but no data rows"),
        (b"a,b\n1,2\n3,4,5\n", 3, None, "3 fields where the header has 2"),
        (b"a,b\n1,2\n3\n", 3, "b", "1 fields where the header has 2"),
        (b"a,b\n1,2\n3,4", 3, None, "has no line end: the file was cut inside it"),
        (b"a,b,a\n1,2,3\n", 1, "a", "names column 'a' twice"),
        (b"a,b\n1,2\n\n3,4\n", 3, None, "blank line inside the table"),
        (b"a,b\n1,2\n" + b"," * (1 << 20) + b"\n", 3, None, "line longer than 1,048,576 characters"),
        (b"a,b\n1," + b"x" * (100 << 10) + b"\n", 2, "b", "a field of 102,400 characters"),
        (b"a,b\n1," + b"x" * (200 << 10) + b"\n", 2, None, "field larger than field limit"),
        ("a,b\n1,é\n".encode("latin-1"), 2, "b", "byte 0xe9"),
        ("a,b\n1,2\n".encode("utf-16"), 1, None, "byte 0xff at offset 0"),
    ],
    ids=["empty", "header-only", "extra-field", "missing-field", "cut-last-row", "duplicate-header", "blank-inside",
         "long-line", "big-field", "huge-field", "latin-1", "utf-16"],
)
def test_scan_refuses_bad_shapes(tmp_path: Path, text: bytes, row, column, message) -> None:
    path = _write(tmp_path, text)
    expect_error(lambda p: read_csv(p, ["a", "b"], header_line=0), path, row=row, column=column, text=message)


@pytest.mark.parametrize("text", [b"a,b\n1,2\n\n\n", b"a,b\r\n1,2\r\n", b"\xef\xbb\xbfa,b\n1,2\n", b"b,a,c\n2,1,x\n"],
                         ids=["trailing-blank-lines", "crlf", "bom", "reordered-extra"])
def test_harmless_changes_are_read(tmp_path: Path, text: bytes) -> None:
    df = read_csv(_write(tmp_path, text), ["a", "b"], integer=["a", "b"])
    assert df[["a", "b"]].iloc[0].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("value", "message"),
    [("inf", "is not a finite number"), ("-inf", "is not a finite number"), ("1e400", "is not a finite number"),
     ("nan", "is not a number"), ("#N/A", "is an Excel error value"), ("#DIV/0!", "is an Excel error value"),
     ("1e30", "out of range for a whole number")],
)
def test_numbers_must_be_finite(tmp_path: Path, value: str, message: str) -> None:
    path = _write(tmp_path, f"a,b\n1,2\n3,{value}\n")
    expect_error(lambda p: read_csv(p, ["a", "b"], integer=["b"]), path, row=3, column="b", text=message)
    if "whole" not in message:
        expect_error(lambda p: read_csv(p, ["a", "b"], numeric=["b"]), path, row=3, column="b", text=message)


def test_parse_bool(tmp_path: Path) -> None:
    df = pd.DataFrame({"f": ["True", " false ", "TRUE", None]})
    with pytest.raises(ParseError, match=r"row 5, column 'f': .* is not True/False"):
        parse_bool(df, "f", tmp_path / "f.csv")
    assert parse_bool(df.iloc[:3], "f", tmp_path / "f.csv").tolist() == [True, False, True]


def test_check_revisions(tmp_path: Path) -> None:
    df = pd.DataFrame({"revision": [2024, 2024, 2020]})
    with pytest.raises(ParseError, match=r"row 4, column 'revision': a second revision 2020 in a file of revision"):
        check_revisions(df, tmp_path / "f.csv", {2020, 2024})
    check_revisions(df, tmp_path / "f.csv", {2020, 2024}, one=False)
    with pytest.raises(ParseError, match=r"row 4, column 'revision': revision 2020 is not one this file holds"):
        check_revisions(df, tmp_path / "f.csv", {2024}, one=False)


def test_sex_sums(tmp_path: Path) -> None:
    long = pd.DataFrame({"k": [1, 1, 1, 2, 2, 2], "sex": ["total", "male", "female"] * 2, "v": [3, 1, 2, 5, 2, 2]})
    with pytest.raises(ParseError, match=r"row 5, column 'v': male \+ female != total at k=2 \(2 \+ 2 != 5\)"):
        check_sex_sum(long, ("k",), "v", tmp_path / "f.csv")
    check_sex_sum(long, ("k",), "v", tmp_path / "f.csv", tolerance=1)
    wide = pd.DataFrame({"m": [1.0, 2.0], "f": [1.0, 2.0], "t": [2.0, 4.5]})
    with pytest.raises(ParseError, match=r"row 3, column 't'"):
        check_wide_sex_sum(wide, tmp_path / "f.csv", "m", "f", "t")
    check_wide_sex_sum(wide, tmp_path / "f.csv", "m", "f", "t", tolerance=0.5)


def test_validate_names_renamed_columns_and_cells(tmp_path: Path) -> None:
    schema = pa.DataFrameSchema({"m49": pa.Column(int, pa.Check.ge(1))}, name="demo")
    df = pd.DataFrame({"m49": [1, 0]})
    expect_error(lambda p: validate(df, schema, p, names={"m49": "loc_code"}), tmp_path / "f.csv", row=3,
                 column="loc_code", text="does not pass the demo schema")
    exc = expect_error(lambda p: validate(df, schema, p, origin=lambda i, c: Origin("T1", 10 + i, "C", "key 0")),
                       tmp_path / "f.xlsx", row=11, column="C", text="schema at key 0")
    assert exc.sheet == "T1"


# --- the options other layouts need: tab separation, a grid of cells, a name normaliser, no final line end ------
def test_tab_separated(tmp_path: Path) -> None:
    path = _write(tmp_path, "title\n\ncode\tname\n1\tx, y\n", "t.txt")
    assert find_header(path, ["code", "name"], sep="\t") == 2
    df = read_csv(path, ["code", "name"], integer=["code"], sep="\t")
    assert df.iloc[0].tolist() == [1, "x, y"]
    expect_error(lambda p: read_csv(p, ["code"], sep="\t"), _write(tmp_path, "code\tname\n1\n", "r.txt"), row=2,
                 column="name", text="1 fields where the header has 2")
    latin = _write(tmp_path, "code\tname\n1\tM\xe9xico\n".encode("latin-1"), "l.txt")
    expect_error(lambda p: read_csv(p, ["code"], sep="\t"), latin, row=2, column="name", text="byte 0xe9")


def test_read_grid_keeps_cells_and_checks_the_shape(tmp_path: Path) -> None:
    path = _write(tmp_path, ",A,B\nA, 1,2\nB,3,4\n\n")
    assert read_grid(path) == [["", "A", "B"], ["A", " 1", "2"], ["B", "3", "4"]]
    for text, row, column, message in [(",A,B\nA,1\n", 2, "B", "2 fields where the header has 3"),
                                       (",A,A\nA,1,2\n", 1, "A", "names column 'A' twice"),
                                       (",A,B\n", 1, None, "header but no data rows"),
                                       (",A,B\nA,1,2", 2, None, "has no line end")]:
        expect_error(read_grid, _write(tmp_path, text, "g.csv"), row=row, column=column, text=message)


def test_a_file_published_without_a_final_line_end(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b\n1,2")
    assert read_grid(path, require_line_end=False) == [["a", "b"], ["1", "2"]]
    assert scan(path, require_line_end=False) == ["a", "b"]
    expect_error(lambda p: read_grid(p, require_line_end=False), _write(tmp_path, "a,b\n1", "c.csv"), row=2,
                 column="b", text="1 fields where the header has 2")  # a cut that leaves a short row


def test_normalised_header_names(tmp_path: Path) -> None:
    path = _write(tmp_path, "Code  Name,Code Name\n1,2\n")
    assert scan(path) == ["Code  Name", "Code Name"]
    collapse = lambda name: " ".join(name.split())  # noqa: E731
    expect_error(lambda p: scan(p, normalise=collapse), path, row=1, column="Code Name",
                 text="names column 'Code Name' twice")
