"""Reading CSV and XLSX lists: what spreadsheets do to them, row by row and as a whole file.

Pure: no database. Files are made here, in memory, the way spreadsheets write them.
"""

import codecs
import datetime
import gzip
import io
import random
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from assessments import tabular
from assessments.tabular import TabularError, open_table
from cases.nik import parse_nik

TODAY = datetime.date(2026, 1, 15)
NIK = "1602051001900001"  # Kayu Agung, man born 10-01-1990
NIK_WOMAN = "1602055005850002"  # woman born 10-05-1985
KK = "1602050101200003"
VILLAGE = "16.02.05.1002"
HEADER = "id_dtsen,nik,no_kk,nama,tgl_lahir,jenis_kelamin,kode_wilayah,alamat,desil"

REGISTER = tabular.standard_schema(
    required=("id_dtsen", "nik", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah", "desil"),
    optional=("no_kk", "alamat"),
    blank=("no_kk", "tgl_lahir", "jenis_kelamin", "alamat"),
)
PROPOSALS = tabular.standard_schema(
    required=("nik", "nama", "kode_wilayah"),
    optional=("no_kk", "tgl_lahir", "jenis_kelamin", "alamat"),
    blank=("nik", "no_kk", "tgl_lahir", "jenis_kelamin", "alamat"),
)


def csv_bytes(*lines, header=HEADER, sep=",", encoding="utf-8", bom=False, newline="\r\n"):
    text = newline.join([header.replace(",", sep), *(line.replace(",", sep) for line in lines)])
    data = (text + newline).encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def line(nik=NIK, name="Budi Santoso", born="10-01-1990", sex="L", village=VILLAGE, decile="3",
         kk=KK, address="Jl. Merdeka 1", id_dtsen="DT0001"):  # fmt: skip
    return ",".join([id_dtsen, nik, kk, name, born, sex, village, address, decile])


def read(data, schema=REGISTER, **kwargs):
    kwargs.setdefault("today", TODAY)
    with open_table(io.BytesIO(data), schema, **kwargs) as table:
        return list(table)


def only(data, **kwargs):
    rows = read(data, **kwargs)
    assert len(rows) == 1
    return rows[0]


def codes(row):
    return [(error.column, error.code) for error in row.errors]


def file_error(data, schema=REGISTER) -> TabularError:
    with pytest.raises(TabularError) as caught:
        open_table(io.BytesIO(data), schema, today=TODAY)
    return caught.value


def xlsx_bytes(*rows, blank_rows_before=0):
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(blank_rows_before):
        sheet.append([])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_HEADER = HEADER.split(",")


# --- a good file ---------------------------------------------------------------------------


def test_a_plain_csv_row_is_read_into_typed_values():
    row = only(csv_bytes(line()), known_villages={VILLAGE})

    assert row.ok
    assert row.number == 2  # the header is row 1, as the spreadsheet shows it
    assert row.values == {
        "id_dtsen": "DT0001", "nik": NIK, "nama": "Budi Santoso",
        "tgl_lahir": datetime.date(1990, 1, 10), "jenis_kelamin": "L",
        "kode_wilayah": VILLAGE, "desil": 3, "no_kk": KK, "alamat": "Jl. Merdeka 1",
    }  # fmt: skip


def test_the_table_names_the_columns_it_found_and_estimates_its_rows():
    data = csv_bytes(line(), line(id_dtsen="DT0002"), header=HEADER.replace(",alamat", ""))
    data = data.replace(b"Jl. Merdeka 1,", b"")

    with open_table(io.BytesIO(data), REGISTER, today=TODAY) as table:
        assert "alamat" not in table.columns
        assert table.estimated_rows == 2
        rows = list(table)

    assert [row.values["alamat"] for row in rows] == ["", ""]
    assert all(row.ok for row in rows)


def test_headings_match_without_case_spaces_or_underscores():
    header = " ID DTSEN ;NIK;No KK;NAMA;Tgl Lahir;Jenis-Kelamin;kode wilayah ;Alamat;DESIL"
    data = csv_bytes(line().replace(",", ";"), header=header)

    assert only(data).ok


def test_a_byte_order_mark_does_not_hide_the_first_heading():
    row = only(csv_bytes(line(), bom=True))

    assert row.ok
    assert row.values["id_dtsen"] == "DT0001"


@pytest.mark.parametrize("sep", [";", "\t", ","])
def test_the_separator_is_recognised(sep):
    row = only(csv_bytes(line(address="Jl. Merdeka 1"), sep=sep))

    assert row.ok
    assert row.values["alamat"] == "Jl. Merdeka 1"


def test_a_quoted_comma_inside_a_value_stays_in_the_value():
    data = csv_bytes(line(address='"Jl. Merdeka 1, RT 02"'))

    assert only(data).values["alamat"] == "Jl. Merdeka 1, RT 02"


def test_windows_1252_text_is_read_when_the_file_is_not_utf8():
    data = csv_bytes(line(name="André Sutrisno"), sep=";", encoding="cp1252")
    assert "é".encode("cp1252") in data and b"\xc3\xa9" not in data

    assert only(data).values["nama"] == "André Sutrisno"


def test_utf8_accents_are_not_mistaken_for_windows_1252():
    assert only(csv_bytes(line(name="André Sutrisno"))).values["nama"] == "André Sutrisno"


def test_excel_unicode_text_utf16_with_tabs_is_read():
    data = ("\n".join([HEADER, line(name="Dédé")]).replace(",", "\t") + "\n").encode("utf-16")

    row = only(data)

    assert row.ok
    assert row.values["nama"] == "Dédé"


def test_excel_separator_hint_line_is_honoured_and_not_counted_as_a_row():
    data = b"sep=;\r\n" + csv_bytes(line(), sep=";")

    row = only(data)

    assert row.ok
    assert row.number == 2


def test_a_gzip_compressed_csv_is_read():
    with open_table(io.BytesIO(gzip.compress(csv_bytes(line()))), REGISTER, today=TODAY) as table:
        assert table.kind == "csv.gz"
        assert [row.ok for row in table] == [True]


def test_blank_lines_are_skipped_but_counted_in_row_numbers():
    rows = read(csv_bytes(line(), "", ",,,,,,,,", line(id_dtsen="DT0002")))

    assert [row.number for row in rows] == [2, 5]


def test_a_stream_that_cannot_seek_is_read():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.source = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.source.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    with open_table(Pipe(csv_bytes(line())), REGISTER, today=TODAY) as table:
        assert [row.ok for row in table] == [True]


def test_the_cells_as_given_stay_available_next_to_the_values():
    row = only(csv_bytes(line(nik="'" + NIK)), schema=PROPOSALS)

    assert row.raw["nik"] == "'" + NIK
    assert row.values["nik"] == NIK


# --- identifiers ---------------------------------------------------------------------------


def test_a_leading_apostrophe_on_nik_and_kk_is_dropped():
    row = only(csv_bytes(line(nik="'" + NIK, kk="\u2019" + KK)))

    assert row.ok
    assert (row.values["nik"], row.values["no_kk"]) == (NIK, KK)


def test_a_nik_in_scientific_notation_is_refused_with_the_value_never_guessed():
    row = only(csv_bytes(line(nik="1.60205E+15", id_dtsen="DT0009")))

    assert codes(row) == [("nik", tabular.NIK_SCIENTIFIC)]
    assert row.values["nik"] is None
    message = row.errors[0].render()
    assert "1.60205E+15" in message and "16-digit" in message
    assert row.values["id_dtsen"] == "DT0009"  # the rest of the row is still read


def test_a_nik_in_scientific_notation_with_a_decimal_comma_is_refused():
    data = csv_bytes(line(nik="1#60205E+15"), sep=";").replace(b"#", b",")

    row = only(data)

    assert codes(row) == [("nik", tabular.NIK_SCIENTIFIC)]


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("160205100190001", "exactly 16 digits"),
        ("16020510019000X1", '"X"'),
        ("1602053201900001", "not a valid day"),
        ("1602051013900001", "not a valid month"),
        ("1602053102900001", "does not exist"),
        ("1602051001900000", "0000"),
    ],
)
def test_a_malformed_nik_is_refused_with_what_is_wrong(nik, reason):
    row = only(csv_bytes(line(nik=nik)))

    assert codes(row) == [("nik", tabular.NIK_INVALID)]
    assert reason in row.errors[0].render()


def test_the_nik_shortcut_agrees_with_the_full_nik_check():
    rng = random.Random(7)
    samples = [NIK, NIK_WOMAN, "1602052902000001", "1602056902000001", "9999993112991234"]
    for _ in range(20_000):
        day = rng.choice(range(0, 80))
        digits = f"160205{day:02d}{rng.randrange(0, 14):02d}{rng.randrange(0, 100):02d}"
        samples.append(digits + rng.choice(["0000", f"{rng.randrange(1, 10000):04d}"]))
    for nik in samples:
        if tabular._nik_fast(nik):
            assert parse_nik(nik, today=TODAY).ok, nik


def test_a_malformed_kk_is_refused_and_an_empty_kk_is_allowed():
    rows = read(csv_bytes(line(kk="123"), line(kk="")))

    assert codes(rows[0]) == [("no_kk", tabular.KK_INVALID)]
    assert rows[1].ok and rows[1].values["no_kk"] == ""


def test_a_kk_in_scientific_notation_is_refused():
    assert codes(only(csv_bytes(line(kk="1.60205E+15")))) == [("no_kk", tabular.KK_SCIENTIFIC)]


# --- dates, sex, village, decile -----------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["1990-01-10", "10-01-1990", "10/01/1990", "10/1/1990", "1990-01-10 00:00:00"]
)
def test_each_date_format_is_read(text):
    assert only(csv_bytes(line(born=text))).values["tgl_lahir"] == datetime.date(1990, 1, 10)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31-02-1990", tabular.DATE_UNREADABLE),
        ("1990/01/10", tabular.DATE_UNREADABLE),
        ("10 Januari 1990", tabular.DATE_UNREADABLE),
        ("01-01-2027", tabular.DATE_OUT_OF_RANGE),
        ("01-01-1899", tabular.DATE_OUT_OF_RANGE),
    ],
)
def test_an_unreadable_or_impossible_date_is_refused_with_the_value(text, code):
    row = only(csv_bytes(line(born=text)))

    assert codes(row) == [("tgl_lahir", code)]
    assert text in row.errors[0].render()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31-02-1990", tabular.MSG_DATE_NO_SUCH_DAY),  # written well, no such day
        ("1990-13-01", tabular.MSG_DATE_NO_SUCH_DAY),
        ("1990/01/10", tabular.MSG_DATE_UNREADABLE),  # a shape the reader does not know
    ],
)
def test_a_date_that_does_not_exist_is_told_apart_from_one_written_wrongly(text, message):
    row = only(csv_bytes(line(born=text)))

    assert row.errors[0].message == message


def test_an_empty_birth_date_is_allowed_where_the_schema_says_so():
    row = only(csv_bytes(line(born="")))

    assert row.ok
    assert row.values["tgl_lahir"] is None


@pytest.mark.parametrize(
    ("text", "sex"), [("L", "L"), ("p", "P"), ("Laki-laki", "L"), ("PEREMPUAN", "P")]
)
def test_sex_is_read_as_l_or_p(text, sex):
    assert only(csv_bytes(line(sex=text))).values["jenis_kelamin"] == sex


def test_an_unknown_sex_is_refused():
    assert codes(only(csv_bytes(line(sex="X")))) == [("jenis_kelamin", tabular.SEX_INVALID)]


def test_a_village_code_of_ten_digits_is_dotted():
    assert only(csv_bytes(line(village="1602051002"))).values["kode_wilayah"] == VILLAGE


@pytest.mark.parametrize("code", ["16.02.05", "16.2.5.1002", "160205100", "Kayuagung"])
def test_a_village_code_in_the_wrong_form_is_refused(code):
    assert codes(only(csv_bytes(line(village=code)))) == [("kode_wilayah", tabular.VILLAGE_INVALID)]


def test_a_village_code_not_in_the_known_list_is_refused():
    row = only(csv_bytes(line(village="16.02.05.9999")), known_villages={VILLAGE})

    assert codes(row) == [("kode_wilayah", tabular.VILLAGE_UNKNOWN)]
    assert "16.02.05.9999" in row.errors[0].render()


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("10", 10), ("4.0", 4), ("4#0", 4)])
def test_a_decile_is_a_whole_number(text, value):
    data = csv_bytes(line(decile=text), sep=";").replace(b"#", b",")

    assert only(data).values["desil"] == value


@pytest.mark.parametrize("text", ["0", "11", "3.5", "tiga", "-1"])
def test_a_decile_outside_1_to_10_is_refused(text):
    row = only(csv_bytes(line(decile=text)))

    assert codes(row) == [("desil", tabular.DECILE_INVALID)]


def test_an_empty_required_cell_is_refused():
    row = only(csv_bytes(line(name="  ", decile="")))

    assert codes(row) == [("nama", tabular.REQUIRED), ("desil", tabular.REQUIRED)]


def test_a_name_has_its_spaces_tidied_and_a_too_long_name_is_refused():
    rows = read(csv_bytes(line(name="  Budi   Santoso "), line(name="A" * 151)))

    assert rows[0].values["nama"] == "Budi Santoso"
    assert codes(rows[1]) == [("nama", tabular.TOO_LONG)]


def test_a_row_with_more_cells_than_the_header_is_refused():
    row = only(csv_bytes(line(address="Jl. Merdeka 1, RT 02")))  # unquoted comma

    assert codes(row)[0] == ("", tabular.FIELD_COUNT)


def test_every_problem_of_a_row_is_reported():
    row = only(csv_bytes(line(nik="123", born="kemarin", village="x", decile="12")))

    assert [code for _column, code in codes(row)] == [
        tabular.NIK_INVALID, tabular.DATE_UNREADABLE, tabular.VILLAGE_INVALID,
        tabular.DECILE_INVALID,
    ]  # fmt: skip


# --- XLSX ----------------------------------------------------------------------------------


def test_an_xlsx_file_is_recognised_by_its_content_and_read_with_typed_cells():
    data = xlsx_bytes(
        XLSX_HEADER,
        ["DT0001", NIK, KK, "Budi Santoso", datetime.datetime(1990, 1, 10), "L", VILLAGE, "", 3],
        ["DT0002", NIK_WOMAN, "", "Sri Wahyuni", "10/05/1985", "P", 1602051002, None, 4.0],
    )

    with open_table(io.BytesIO(data), REGISTER, today=TODAY) as table:
        assert table.kind == "xlsx"
        rows = list(table)

    assert [row.errors for row in rows] == [[], []]
    assert rows[0].values["tgl_lahir"] == datetime.date(1990, 1, 10)
    assert rows[1].values["tgl_lahir"] == datetime.date(1985, 5, 10)
    assert rows[1].values["kode_wilayah"] == VILLAGE
    assert [row.values["desil"] for row in rows] == [3, 4]


def test_a_nik_stored_as_a_number_in_xlsx_is_refused_because_digits_are_lost():
    data = xlsx_bytes(
        XLSX_HEADER,
        ["DT0001", 1602051001900001, "", "Budi", "", "L", VILLAGE, "", 3],
        ["DT0002", 1.60205e15, 1602050101200003, "Sri", "", "P", VILLAGE, "", 3],
    )

    rows = read(data)

    assert codes(rows[0]) == [("nik", tabular.NIK_SCIENTIFIC)]
    assert codes(rows[1]) == [("nik", tabular.NIK_SCIENTIFIC), ("no_kk", tabular.KK_SCIENTIFIC)]
    assert "1.60205E+15" in rows[0].errors[0].render()


def xlsx_with_formulas(*cells: bytes) -> bytes:
    """A sheet whose one data row is `cells` (raw XML), under the header."""
    from tests.security.test_xlsx_limits import row, workbook

    return workbook(row(XLSX_HEADER), b"<row>" + b"".join(cells) + b"</row>")


def test_an_xlsx_formula_is_read_as_its_saved_result_or_refused_when_it_has_none():
    def text(value):
        return b'<c t="inlineStr"><is><t>' + value.encode() + b"</t></is></c>"

    data = xlsx_with_formulas(
        text("DT0001"), b'<c t="str"><f>CONCATENATE("16020510","01900001")</f><v>' + NIK.encode()
        + b"</v></c>", text(KK), b'<c><f>HYPERLINK("http://x.invalid","Budi")</f><v/></c>',
        text("10-01-1990"), text("L"), text(VILLAGE), text("Jl. Merdeka 1"), text("3"),
    )  # fmt: skip

    row = only(data)

    assert row.values["nik"] == NIK
    assert codes(row) == [("nama", tabular.FORMULA_NO_VALUE)]
    assert '=HYPERLINK("http://x.invalid",' in row.errors[0].render()


def test_a_fractional_decile_in_xlsx_is_refused():
    data = xlsx_bytes(XLSX_HEADER, ["DT0001", NIK, "", "Budi", "", "L", VILLAGE, "", 3.5])

    assert codes(only(data)) == [("desil", tabular.DECILE_INVALID)]


def test_xlsx_row_numbers_are_the_sheet_rows_even_below_blank_rows():
    data = xlsx_bytes(
        XLSX_HEADER,
        ["DT0001", NIK, "", "Budi", "", "L", VILLAGE, "", 3],
        [],
        ["DT0002", NIK_WOMAN, "", "Sri", "", "P", VILLAGE, "", 3],
        blank_rows_before=2,
    )

    assert [row.number for row in read(data)] == [4, 6]


# --- the file as a whole -------------------------------------------------------------------


def test_missing_columns_are_named_and_the_columns_found_listed():
    error = file_error(csv_bytes("1,2,3", header="nik,nama,alamat"))

    assert error.code == tabular.COLUMNS_MISSING
    message = error.render()
    for name in ("id_dtsen", "tgl_lahir", "jenis_kelamin", "kode_wilayah", "desil"):
        assert name in message
    assert "Columns found: nik, nama, alamat" in message


def test_a_column_given_twice_is_a_file_error():
    error = file_error(csv_bytes(line() + ",x", header=HEADER + ",NIK"))

    assert error.code == tabular.COLUMN_TWICE
    assert error.render() == (
        'The column nik appears more than once in the header, as "nik" / "NIK". Keep one of them.'
    )


def test_a_column_given_twice_under_two_headings_names_both_as_written():
    header = HEADER.replace("tgl_lahir", "Tanggal  Lahir") + ",tgl_lahir"
    error = file_error(csv_bytes(line() + ",10-01-1990", header=header))

    assert error.code == tabular.COLUMN_TWICE
    assert error.params["headings"] == '"Tanggal Lahir" / "tgl_lahir"'


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \r\n\r\n", b",,,\r\n"])
def test_an_empty_file_is_a_file_error(data):
    assert file_error(data).code == tabular.FILE_EMPTY


def test_a_header_without_rows_is_a_file_error():
    assert file_error(csv_bytes()).code == tabular.FILE_NO_ROWS
    assert file_error(xlsx_bytes(XLSX_HEADER)).code == tabular.FILE_NO_ROWS


def test_an_old_excel_file_is_a_file_error_that_says_what_to_do():
    error = file_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)

    assert error.code == tabular.FILE_OLD_EXCEL
    assert ".xlsx" in error.render()


def test_a_damaged_xlsx_file_is_a_file_error_that_says_so():
    error = file_error(b"PK\x03\x04 not really a zip file")

    assert error.code == tabular.FILE_UNREADABLE
    assert error.render() == tabular.MSG_XLSX_DAMAGED


@pytest.mark.parametrize(
    "data",
    [random.Random(7).randbytes(4096), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8],
    ids=["junk", "picture"],
)
def test_binary_data_is_a_file_error_not_a_list_of_odd_headings(data):
    error = file_error(data)

    assert error.code == tabular.FILE_BINARY
    assert "binary" in error.render()


def test_text_with_a_stray_control_character_or_in_utf16_is_not_taken_for_binary():
    stray = csv_bytes(line(name="Budi\x1bSantoso"), line(id_dtsen="DT0002"))
    utf16 = csv_bytes(line(), sep="\t", encoding="utf-16")

    assert len(read(stray)) == 2
    assert only(utf16).values["nama"] == "Budi Santoso"


def test_a_csv_that_breaks_midway_raises_a_file_error_with_its_row():
    data = csv_bytes(line(), line(address='"' + "x" * 200_000))

    with open_table(io.BytesIO(data), REGISTER, today=TODAY) as table:
        rows = iter(table)
        assert next(rows).ok
        with pytest.raises(TabularError) as caught:
            next(rows)

    assert caught.value.code == tabular.CSV_CELL_UNENDING
    assert caught.value.render() == tabular.MSG_CSV_CELL_UNENDING % {"row": 3, "limit": 131072}


def test_the_callers_stream_is_left_open():
    stream = io.BytesIO(csv_bytes(line()))

    with open_table(stream, REGISTER, today=TODAY) as table:
        list(table)

    assert not stream.closed
    stream.seek(0)
    assert stream.read(6) == b"id_dts"


def test_rows_are_streamed_not_read_all_at_once():
    data = csv_bytes(*(line(id_dtsen=f"DT{i:06d}") for i in range(200_000)))
    stream = io.BytesIO(data)

    tracemalloc.start()
    try:
        with open_table(stream, REGISTER, today=TODAY) as table:
            rows = iter(table)
            for _ in range(1000):
                next(rows)
            _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(data) > 20_000_000
    assert peak < len(data) / 5


# --- bounded reading (issue 12 item 2) -----------------------------------------------------


def xlsx_with_sheet(sheet_xml: bytes, **members) -> bytes:
    """An openpyxl workbook whose first sheet (and any other part) is replaced."""
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes(XLSX_HEADER)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            archive.writestr(info.filename, members.pop(info.filename, data))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sheet(*rows_xml: bytes) -> bytes:
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return b"<worksheet " + ns + b"><sheetData>" + b"".join(rows_xml) + b"</sheetData></worksheet>"


def inline_row(*values, number=None) -> bytes:
    r = b"" if number is None else b' r="%d"' % number
    return (
        b"<row" + r + b">"
        + b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % str(v).encode() for v in values)
        + b"</row>"
    )  # fmt: skip


GOOD_ROW = ["DT0001", NIK, "", "Budi", "", "L", VILLAGE, "", "3"]


def test_a_workbook_that_declares_more_than_the_limit_unpacked_is_refused_before_reading():
    data = xlsx_with_sheet(sheet(inline_row(*XLSX_HEADER), inline_row(*GOOD_ROW), b" " * 3_000_000))

    with pytest.raises(TabularError) as caught:
        open_table(io.BytesIO(data), REGISTER, max_unpacked=2_000_000)

    assert caught.value.code == tabular.FILE_TOO_LARGE_UNPACKED
    assert "at most 2 MB" in caught.value.render()


def test_a_part_that_unpacks_a_thousandfold_is_refused_as_a_bomb():
    data = xlsx_with_sheet(sheet(b" " * 40_000_000, inline_row(*XLSX_HEADER)))

    assert len(data) < 200_000
    assert file_error(data).code == tabular.FILE_PACKED_TOO_TIGHT


def test_a_cell_longer_than_excel_allows_is_refused():
    data = xlsx_with_sheet(sheet(inline_row(*XLSX_HEADER), inline_row("x" * 40_000, *GOOD_ROW[1:])))

    assert file_error(data).code == tabular.CELL_TOO_LONG


def test_a_header_deeper_than_the_scan_limit_is_refused():
    data = xlsx_with_sheet(
        sheet(b"<row/>" * 200_000, inline_row(*XLSX_HEADER), inline_row(*GOOD_ROW))
    )

    with pytest.raises(TabularError) as caught:
        open_table(io.BytesIO(data), REGISTER, scan_limit=1024 * 1024)

    assert caught.value.code == tabular.FILE_HEADER_TOO_DEEP
    assert open_table(io.BytesIO(data), REGISTER, today=TODAY).header_row == 200_001


def test_reading_past_the_time_limit_stops():
    data = xlsx_with_sheet(sheet(inline_row(*XLSX_HEADER), inline_row(*GOOD_ROW)))

    with pytest.raises(TabularError) as caught, tabular.time_budget(0):
        open_table(io.BytesIO(data), REGISTER)

    assert caught.value.code == tabular.FILE_TOO_SLOW


def test_rows_beyond_the_row_limit_stop_the_reading_for_csv_and_xlsx():
    many = [inline_row(*GOOD_ROW) for _ in range(5)]
    xlsx = xlsx_with_sheet(sheet(inline_row(*XLSX_HEADER), *many))
    text = csv_bytes(*(line() for _ in range(5)))

    for data in (xlsx, text):
        with pytest.raises(TabularError) as caught:
            read(data, max_rows=4)
        assert caught.value.code == tabular.TOO_MANY_ROWS
        assert len(read(data, max_rows=6)) == 5


def test_xlsx_cells_are_placed_by_their_reference_across_gaps_and_shared_strings_are_read():
    header = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (letter, name.encode())
        for letter, name in zip((b"%c" % c for c in b"ABCDEFGHI"), XLSX_HEADER, strict=True)
    )
    data = xlsx_with_sheet(
        sheet(
            b'<row r="1">' + header + b"</row>",
            b'<row r="7"><c r="A7" t="s"><v>0</v></c><c r="B7" t="str"><v>'
            + NIK.encode()
            + b'</v></c><c r="D7" t="s"><v>1</v></c><c r="F7" t="s"><v>2</v></c>'
            b'<c r="G7" t="inlineStr"><is><t>' + VILLAGE.encode() + b"</t></is></c>"
            b'<c r="I7"><v>4</v></c></row>',
        ),
        **{
            "xl/sharedStrings.xml": (
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<si><t>DT0009</t></si><si><r><t>Sri </t></r><r><t>Wahyuni</t></r>"
                b"<rPh><t>phonetic</t></rPh></si><si><t>P</t></si></sst>"
            ),
        },
    )
    data = _with_shared_strings_relationship(data)

    row = only(data)

    assert row.number == 7 and row.ok, row.errors
    assert (row.values["id_dtsen"], row.values["nama"], row.values["desil"]) == (
        "DT0009", "Sri Wahyuni", 4,
    )  # fmt: skip


def _with_shared_strings_relationship(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            archive.writestr(info.filename, content)
    return buffer.getvalue()
