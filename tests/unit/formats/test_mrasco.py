from datetime import date, datetime
from pathlib import Path

import pytest

from meterlake.errors import RejectedFileError
from meterlake.formats.mrasco import (
    MDM_HEADER,
    convert_mrasco,
    is_mrasco,
    period_start_utc,
    periods_in_day,
    write_mdm,
)

D0275_HEADER = "ZHV|0000001|D0275001|X|LOND|Q|ACME|20210101120000||||OPER|"
D0010_HEADER = "ZHV|0000002|D0010002|M|ABCD|X|EFGH|20210105101010||||OPER|"
TRAILER = "ZPT|0000001|11||1|20210101120000|"


def flow_file(tmp_path: Path, *lines: str, newline: str = "\n") -> Path:
    path = tmp_path / "flow.txt"
    path.write_bytes(newline.join(lines).encode("ascii") + newline.encode("ascii"))
    return path


def convert_then_write(source: Path, target: Path) -> None:
    """What a caller does: write only when the whole file converted."""
    write_mdm(convert_mrasco(source), target)


def d0275_times(tmp_path: Path, day: str, *periods: int) -> list[str]:
    body = [f"27B|{period}|1.0|A|" for period in periods]
    path = flow_file(tmp_path, D0275_HEADER, "25B|1234567890123|AI|", f"26B|{day}|", *body)
    return [row[2] for row in convert_mrasco(path)]


# Reference section 2.3 and section 12 vectors 9-11.


def test_d0275_sample_gives_the_verified_rows(data_dir: Path):
    assert convert_mrasco(data_dir / "mrasco" / "d0275_sample.txt") == [
        ("1234567890123", "1.8.0", "2021010100240000", "0.512", "", "INT"),
        ("1234567890123", "1.8.0", "2021010100243000", "0.433", "", "INT"),
        ("1234567890123", "1.8.0", "2021010101240000", "0.377", "", "INT"),
        ("1234567890123", "1.8.0", "2021010200240000", "0.301", "", "INT"),
        ("1234567890123", "3.8.0", "2021010100240000", "0.100", "", "INT"),
    ]


def test_d0010_sample_gives_the_verified_rows(data_dir: Path):
    assert convert_mrasco(data_dir / "mrasco" / "d0010_sample.txt") == [
        ("S95A01234501", "", "2021010423245900", "012345.6", "", "AGG"),
        ("S95B00000101", "", "2021010423240000", "000100.0", "", "AGG"),
        ("K12345R1", "", "2021010412240000", "7.5", "", "AGG"),
    ]


def test_d0010_any_number_of_register_reads_per_meter(tmp_path: Path):
    path = flow_file(
        tmp_path,
        D0010_HEADER,
        "026|1012345678901|V|",
        "028|S95A012345|C|",
        "029|01|20210104235900|012345.6|",
        "029|02|20210104235900|000042.0|",
        TRAILER,
    )
    assert convert_mrasco(path) == [
        ("S95A01234501", "", "2021010423245900", "012345.6", "", "AGG"),
        ("S95A01234502", "", "2021010423245900", "000042.0", "", "AGG"),
    ]


def test_unknown_flow_is_rejected_and_nothing_is_written(tmp_path: Path):
    source = flow_file(tmp_path, "ZHV|0000003|D0999001|X|", "25B|1|AI|", TRAILER)
    target = tmp_path / "out.csv"
    with pytest.raises(RejectedFileError) as caught:
        convert_then_write(source, target)
    assert caught.value.reason == "line 1: unknown flow 'D0999001' (supported: D0275, D0010)"
    assert caught.value.file == source
    assert sorted(path.name for path in tmp_path.iterdir()) == ["flow.txt"]


def test_bad_line_rejects_the_whole_file_and_nothing_is_written(tmp_path: Path):
    source = flow_file(tmp_path, D0010_HEADER, "026|1|V|", "029|01|20210104235900|1.0|")
    target = tmp_path / "out.csv"
    with pytest.raises(RejectedFileError, match="line 3: 029 register read before any 028 meter"):
        convert_then_write(source, target)
    assert not target.exists()


# Trailer and line handling.


def test_trailer_is_dropped(data_dir: Path):
    rows = convert_mrasco(data_dir / "mrasco" / "d0275_sample.txt")
    assert all(row[0] != "ZPT" for row in rows)
    assert len(rows) == 5


def test_file_without_trailer_keeps_its_last_line(data_dir: Path, tmp_path: Path):
    lines = (data_dir / "mrasco" / "d0010_sample.txt").read_text().splitlines()
    assert lines[-1].startswith("ZPT|")
    rows = convert_mrasco(flow_file(tmp_path, *lines[:-1]))
    assert len(rows) == 3
    assert rows[-1] == ("K12345R1", "", "2021010412240000", "7.5", "", "AGG")


def test_crlf_and_blank_lines_are_tolerated(data_dir: Path, tmp_path: Path):
    sample = data_dir / "mrasco" / "d0275_sample.txt"
    lines = sample.read_text().splitlines()
    path = flow_file(tmp_path, lines[0], "", *lines[1:4], "   ", *lines[4:], newline="\r\n")
    assert convert_mrasco(path) == convert_mrasco(sample)


def test_data_after_the_trailer_is_rejected(tmp_path: Path):
    path = flow_file(tmp_path, D0275_HEADER, TRAILER, "25B|1|AI|")
    with pytest.raises(RejectedFileError, match="line 3: data after the ZPT trailer on line 2"):
        convert_mrasco(path)


def test_header_and_trailer_only_gives_no_rows(tmp_path: Path):
    assert convert_mrasco(flow_file(tmp_path, D0010_HEADER, TRAILER)) == []


# D0275 settlement periods on Europe/London days.


def test_winter_day_has_48_periods_in_utc(tmp_path: Path):
    assert periods_in_day(date(2021, 1, 1)) == 48
    assert d0275_times(tmp_path, "20210101", 1, 48) == ["2021010100240000", "2021010123243000"]


def test_summer_day_is_shifted_to_utc(tmp_path: Path):
    assert d0275_times(tmp_path, "20210701", 1) == ["2021063023240000"]


def test_spring_forward_day_has_46_periods(tmp_path: Path):
    assert periods_in_day(date(2021, 3, 28)) == 46
    assert period_start_utc(date(2021, 3, 28), 46) == datetime(2021, 3, 28, 22, 30)
    assert d0275_times(tmp_path, "20210328", 1, 2, 3, 46) == [
        "2021032800240000",
        "2021032800243000",
        "2021032801240000",
        "2021032822243000",
    ]


def test_spring_forward_day_rejects_period_47(tmp_path: Path):
    with pytest.raises(RejectedFileError, match=r"line 4: settlement period '47' outside 1\.\.46"):
        d0275_times(tmp_path, "20210328", 47)


def test_autumn_back_day_has_50_periods(tmp_path: Path):
    assert periods_in_day(date(2021, 10, 31)) == 50
    assert period_start_utc(date(2021, 10, 31), 1) == datetime(2021, 10, 30, 23, 0)
    assert period_start_utc(date(2021, 10, 31), 50) == datetime(2021, 10, 31, 23, 30)
    times = d0275_times(tmp_path, "20211031", *range(1, 51))
    assert times[0] == "2021103023240000"
    assert times[-1] == "2021103123243000"
    assert len(set(times)) == 50


@pytest.mark.parametrize("period", ["0", "51", "x", "-1"])
def test_autumn_back_day_rejects_periods_outside_1_to_50(tmp_path: Path, period: str):
    path = flow_file(tmp_path, D0275_HEADER, "25B|1|AI|", "26B|20211031|", f"27B|{period}|1|A|")
    with pytest.raises(RejectedFileError, match=r"line 4: settlement period .* outside 1\.\.50"):
        convert_mrasco(path)


def test_period_number_not_position_sets_the_time(tmp_path: Path):
    assert d0275_times(tmp_path, "20210101", 3, 1) == ["2021010101240000", "2021010100240000"]


# Errors name the line and what is wrong.


def test_unknown_group_names_the_line(tmp_path: Path):
    path = flow_file(
        tmp_path,
        D0275_HEADER,
        "25B|1234567890123|AI|",
        "26B|20210101|",
        "27B|1|0.512|A|",
        "27B|2|0.433|A|",
        "27B|3|0.377|A|",
        "99X|oops|",
        TRAILER,
    )
    with pytest.raises(RejectedFileError) as caught:
        convert_mrasco(path)
    assert caught.value.reason == "line 7: unknown record group '99X' in a D0275 flow"
    assert str(path) in str(caught.value)


def test_line_numbers_count_blank_lines(tmp_path: Path):
    path = flow_file(tmp_path, D0010_HEADER, "", "026|1|V|", "", "030|x|")
    with pytest.raises(RejectedFileError, match="line 5: unknown record group '030' in a D0010"):
        convert_mrasco(path)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ((D0275_HEADER, "26B|20210101|"), "line 2: 26B settlement date before any 25B meter"),
        ((D0275_HEADER, "25B|1|AI|", "27B|1|0.5|"), "line 3: 27B period before any 26B"),
        ((D0275_HEADER, "25B||AI|"), "line 2: 25B needs an MPAN core in field 1"),
        ((D0275_HEADER, "25B|1|AI|", "26B|20210230|"), "line 3: bad settlement date '20210230'"),
        ((D0275_HEADER, "25B|1|AI|", "26B|2021011|"), "line 3: bad settlement date '2021011'"),
        (
            (D0275_HEADER, "25B|1|AI|", "26B|20210101|", "27B|1|abc|A|"),
            "line 4: bad value 'abc'",
        ),
        ((D0010_HEADER, "028|S1|C|"), "line 2: 028 meter before any 026 MPAN"),
        (
            (D0010_HEADER, "026|1|V|", "028|S1|C|", "029|01|202101042359|1.0|"),
            "line 4: bad read time '202101042359'",
        ),
        (
            (D0010_HEADER, "026|1|V|", "028|S1|C|", "029|01|20210104235900|"),
            "line 4: 029 needs a reading value in field 3",
        ),
        (
            (D0010_HEADER, "026|1|V|", "028|S;1|C|", "029|01|20210104235900|1|"),
            "line 4: ';' \\(the MDM delimiter\\)",
        ),
        (("HDR|0000001|D0275001|",), "line 1: expected a 'ZHV|...' header"),
    ],
)
def test_bad_lines_are_rejected_with_line_and_reason(
    tmp_path: Path, lines: tuple[str, ...], reason: str
):
    with pytest.raises(RejectedFileError, match=reason):
        convert_mrasco(flow_file(tmp_path, *lines))


def test_empty_and_non_ascii_files_are_rejected(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"\r\n\n")
    with pytest.raises(RejectedFileError, match="empty file"):
        convert_mrasco(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00ZHV")
    with pytest.raises(RejectedFileError, match="not ASCII text"):
        convert_mrasco(binary)


# Header recognition.


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (D0275_HEADER, True),
        (D0010_HEADER + "\r\n", True),
        ("ZHV|D0275001|X|", True),
        ("zhv|0000001|d0010002|", True),
        ("\ufeffZHV|0000001|D0275001|", True),
        ("ZHV|0000003|D0999001|X|", True),
        ("ZHV|0000001|X|D0275001|", False),
        ("ZHV|0000001|", False),
        ("LCLid,stdorToU,DateTime,KWH/hh (per half hour) ,Acorn,Acorn_grouped", False),
        ("", False),
    ],
)
def test_is_mrasco(line: str, expected: bool):
    assert is_mrasco(line) is expected


# Writing.


def test_write_mdm_writes_header_and_semicolon_rows(data_dir: Path, tmp_path: Path):
    target = tmp_path / "landing.csv"
    write_mdm(convert_mrasco(data_dir / "mrasco" / "d0010_sample.txt"), target)
    assert target.read_bytes().decode() == (
        "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
        "S95A01234501;;2021010423245900;012345.6;;AGG\n"
        "S95B00000101;;2021010423240000;000100.0;;AGG\n"
        "K12345R1;;2021010412240000;7.5;;AGG\n"
    )
    assert [path.name for path in tmp_path.iterdir()] == ["landing.csv"]


def test_write_mdm_replaces_an_existing_file(tmp_path: Path):
    target = tmp_path / "landing.csv"
    target.write_text("old")
    write_mdm([], target)
    assert target.read_text() == ";".join(MDM_HEADER) + "\n"
