"""Reading CSV files as they are decoded (grantdesk.io.tabular): the same table as reading the whole
text first, in each encoding and line ending people's files come in."""

import pytest

from grantdesk.domain.errors import ValidationError
from grantdesk.io.tabular import read_table


def read(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return read_table(path)


def test_a_windows_1252_character_far_into_a_file_is_read_as_windows_1252(tmp_path):
    data = b"Organisation,Amount\n" + b"Scouts,500\n" * 30_000 + b"Caf\xe9 Cymru,\"\xa31,250\"\n"
    table = read(tmp_path, "late.csv", data)
    assert len(table.rows) == 30_001 and table.rows[-1] == ["Café Cymru", "£1,250"]


def test_line_breaks_inside_quotes_and_every_line_ending_are_kept_as_written(tmp_path):
    data = 'Title,Summary\r\n"Hall","Doors\r\nand a ramp"\r\n"Tŷ","x\u2028y"\n'.encode("utf-8")
    assert read(tmp_path, "quoted.csv", data).rows == [["Hall", "Doors\r\nand a ramp"], ["Tŷ", "x\u2028y"]]
    assert read(tmp_path, "mac.csv", b"A,B\rx,y\r1,2\r").rows == [["x", "y"], ["1", "2"]]


def test_short_and_long_rows_are_made_as_wide_as_the_header(tmp_path):
    assert read(tmp_path, "ragged.csv", b"A,B,C\n1\n1,2,3,,\n").rows == [["1", "", ""], ["1", "2", "3"]]


def test_a_file_that_is_not_text_says_which_byte(tmp_path):
    with pytest.raises(ValidationError, match="byte 7 is unreadable"):
        read(tmp_path, "bad.csv", b"A,B\nx,\x81\x8d\n")
    with pytest.raises(ValidationError, match="says it is UTF-16 text but is not"):
        read(tmp_path, "u16bad.csv", b"\xff\xfeA\x00\x00\xd8")
