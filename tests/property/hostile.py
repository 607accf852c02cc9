"""Hypothesis strategies for hostile landing files: valid rows mixed with what real exports hold.

A generated file is a ``Landing``: its bytes, a file name, and the keys (meter id, UTC time) of
the rows that were generated valid, which the lake must keep whatever the other rows hold.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import fastavro
import pyarrow as pa
import pyarrow.orc as paorc
import pyarrow.parquet as pq
import zstandard
from hypothesis import strategies as st

from meterlake.formats.mrasco import period_start_utc, periods_in_day

_SCALE = {"ci": 1, "long": 10}[os.environ.get("HYPOTHESIS_PROFILE", "ci")]

Key = tuple[str, datetime]


def scaled(examples: int) -> int:
    """``examples`` for the ``ci`` profile; ten times as many for ``long``."""
    return examples * _SCALE


@dataclass(frozen=True)
class Landing:
    """One generated landing file."""

    name: str
    content: bytes
    good: frozenset[Key]


#: Field values real exports hold where a number, a time or an id belongs.
NASTY = (
    "NaN", "nan", "-NaN", "inf", "-Infinity", "Infinity", "1e308", "-1e308", "1e400", "9e11",
    "-3", "1,5", "0,25", "1.000,5", "", " ", "Null", "NULL", "null", "N/A", "-", "abc", "1e",
    "0x10", "1_000", '"', '""', "'", "\t", "\u00e9", "\ufffd", "\x01", "\u200b", "\u00a0",
    "2021-13-01 00:00:00", "2021-02-30 00:00:00", "0000-01-01 00:00:00", "9999-12-31 23:59:59",
    "10000-01-01 00:00:00", "-0001-01-01 00:00:00", "2021-01-01T00:00:00Z", "24:00:00",
    "2021010100246000", "202101010124000", "20210101012400000", "2021013201240000",
    "20210101002400", "1.8.0", "INT", "AGG", "ERR", "XYZ", "ERR02", "MAC000002", " MAC000002 ",
    "MAC000002\t", "\u00a0MAC000002", "x" * 80, "ZHV", "25B", "27B", "|", ";", ",",
)  # fmt: skip
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
    st.from_regex(r"-?\d{1,3}(\.\d{0,4})?([eE][+-]?\d{1,3})?", fullmatch=True),
)
#: The end of each line: mostly LF, often CRLF (files appended to on two systems), rarely CR.
line_end = st.sampled_from(["\n", "\n", "\r\n", "\r\n", "\r"])
_pads = st.sampled_from(["", "", "", " ", "\t", "  "])


def good_ids(prefix: str = "") -> st.SearchStrategy[str]:
    """Meter ids, some with blanks around them (kept trimmed)."""
    names = st.sampled_from(["MAC000002", "MAC000003", "4711", "A-17"]).map(lambda m: prefix + m)
    return st.tuples(_pads, names, _pads).map("".join)


good_values = st.integers(-(10**6), 10**7).map(lambda n: f"{n / 1000:.3f}")
START = datetime(2021, 3, 27)  # the spring clock change is the next day


@dataclass(frozen=True)
class TextFormat:
    """How one delimited reader writes a good row (and whether its files have a header)."""

    name: str
    delimiter: str
    header: str | None
    row: Callable[[str, datetime, str], list[str]]


def _lcl_time(time: datetime) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S.0000000")


def _hh24(time: datetime) -> str:
    return time.strftime("%Y%m%d%H24%M%S")


_GENERATOR_TAIL = ["spid", "rq", "ansi", "smult", "DST", "AccNum", "sqcode"]
TEXT_FORMATS = {
    "london": TextFormat(
        "london", ",", "LCLid,stdorToU,DateTime,KWH/hh (per half hour) ,Acorn,Acorn_grouped",
        lambda m, t, v: [m, "Std", _lcl_time(t), v, "ACORN-A", "Affluent"],
    ),
    "london_kaggle": TextFormat(
        "london_kaggle", ",", "LCLid,tstp,energy(kWh/hh)", lambda m, t, v: [m, _lcl_time(t), v]
    ),
    "mdm": TextFormat("mdm", ";", None, lambda m, t, v: [m, "1.8.0", _hh24(t), v, "", "INT"]),
    "mdm_cn": TextFormat("mdm_cn", "|", None, lambda m, t, v: [m, "1.8.0", _hh24(t), v, "INT"]),
    "mdm_generator": TextFormat(
        "mdm_generator", "|", None,
        lambda m, t, v: [m, "1.8.0", _hh24(t), v, "AGG", *_GENERATOR_TAIL],
    ),
}  # fmt: skip


def _quoted(field: str) -> str:
    return '"' + field.replace('"', '""') + '"'


@st.composite
def hostile_fields(draw: st.DrawFn, good: list[str]) -> list[str]:
    """A good row with some fields replaced, quoted, dropped or added."""
    fields = [draw(st.one_of(st.just(f), nasty_text)) for f in good]
    if draw(st.integers(0, 9)) == 0:
        fields = fields[:-1] if draw(st.booleans()) else [*fields, draw(nasty_text)]
    return fields


@st.composite
def text_files(draw: st.DrawFn, name: str, prefix: str = "") -> Landing:
    """A delimited file of one reader: good rows (the first always) and hostile ones."""
    form = TEXT_FORMATS[name]
    count = draw(st.integers(1, 30))
    lines: list[bytes] = []
    good: set[Key] = set()
    for index in range(count):
        meter, time = draw(good_ids(prefix)), START + timedelta(minutes=30 * index)
        fields = form.row(meter, time, draw(good_values))
        kind = draw(st.integers(0, 9)) if index else 0
        if kind < 5:
            good.add((meter.strip(" \t"), time))
        elif kind < 9:
            fields = draw(hostile_fields(fields))
        else:  # a line of raw bytes: another encoding, or noise
            lines.append(draw(st.binary(min_size=1, max_size=40).filter(lambda b: b"\0" not in b)))
            continue
        quote = draw(st.integers(0, 9)) == 0
        text = form.delimiter.join(_quoted(f) if quote else f for f in fields)
        lines.append(text.encode("utf-8", "surrogatepass"))
    if form.header is not None:
        lines.insert(0, form.header.encode())
    ends = [draw(line_end).encode() for _ in lines]
    body = b"".join(line + end for line, end in zip(lines, ends, strict=True))
    bom = b"\xef\xbb\xbf" if draw(st.integers(0, 9)) == 0 else b""
    return Landing(f"{name}.csv", bom + body, frozenset(good))


def d0275_flow(day: str, periods: list[str]) -> str:
    """A D0275 flow of one meter and one settlement day, periods given as 27B lines."""
    lines = ["ZHV|0000001|D0275001|X|LOND|Q|ACME|20211101120000||||OPER|", "25B|1234567890123|AI|"]
    lines += [f"26B|{day}|", *periods]
    return "\n".join([*lines, f"ZPT|0000001|{len(lines) + 1}|"]) + "\n"


@st.composite
def json_files(draw: st.DrawFn, prefix: str = "") -> Landing:
    """JSON lines whose fields hold numbers, text, nulls, lists, objects or broken JSON."""
    nasty_json = st.one_of(
        nasty_text, st.none(), st.booleans(), st.floats(), st.integers(),
        st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers()),
    )  # fmt: skip
    lines, good = [], set()
    for index in range(draw(st.integers(1, 30))):
        meter, time = draw(good_ids(prefix)), START + timedelta(minutes=30 * index)
        record: dict[str, object] = {
            "meter_id": meter, "reading_time": str(time), "reading_value": float(draw(good_values)),
        }  # fmt: skip
        kind = draw(st.integers(0, 9)) if index else 0  # a JSON lines file starts with one
        if kind < 5:
            good.add((meter.strip(" \t"), time))
        elif kind < 9:
            key = draw(st.sampled_from(["meter_id", "reading_time", "reading_value", "extra"]))
            record[key] = draw(nasty_json)
        else:
            lines.append(draw(st.sampled_from(["{", "[1, 2]", '{"meter_id": ', "null", "\t"])))
            continue
        lines.append(json.dumps(record, allow_nan=True))
    ends = [draw(line_end) for _ in lines]
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    return Landing("readings.jsonl", text.encode(), frozenset(good))


@st.composite
def typed_files(draw: st.DrawFn, kind: str, prefix: str = "") -> Landing:
    """Parquet, ORC or Avro records of text columns, valid or hostile."""
    ids, times, values, good = [], [], [], set()
    for index in range(draw(st.integers(1, 30))):
        meter, time = draw(good_ids(prefix)), START + timedelta(minutes=30 * index)
        row = [meter, str(time), draw(good_values)]
        if draw(st.integers(0, 1)):
            good.add((meter.strip(" \t"), time))
        else:
            row = [draw(st.one_of(st.just(f), nasty_text, st.none())) for f in row]
        ids.append(row[0])
        times.append(row[1])
        values.append(row[2])
    table = pa.table({"meter_id": ids, "reading_time": times, "reading_value": values})
    table = pa.table({k: pa.array(v.to_pylist(), pa.string()) for k, v in zip(
        table.column_names, table.columns, strict=True)})  # fmt: skip
    return Landing(f"readings.{kind}", _typed_bytes(table, kind), frozenset(good))


def _typed_bytes(table: pa.Table, kind: str) -> bytes:
    sink = io.BytesIO()
    if kind == "parquet":
        pq.write_table(table, sink)
    elif kind == "orc":
        paorc.write_table(table, sink)
    else:
        fields = [{"name": n, "type": ["null", "string"]} for n in table.column_names]
        schema = fastavro.parse_schema({"type": "record", "name": "r", "fields": fields})
        fastavro.writer(sink, schema, table.to_pylist())
    return sink.getvalue()


def compressed(landing: Landing, kind: str) -> Landing:
    """``landing`` gzip-, bz2-, zstd- or zip-compressed."""
    if kind == "gz":
        content = gzip.compress(landing.content)
    elif kind == "bz2":
        content = bz2.compress(landing.content)
    elif kind == "zst":
        content = zstandard.ZstdCompressor().compress(landing.content)
    else:
        sink = io.BytesIO()
        with zipfile.ZipFile(sink, "w") as archive:
            archive.writestr(landing.name, landing.content)
        content = sink.getvalue()
    return Landing(f"{landing.name}.{kind}", content, landing.good)


@st.composite
def mrasco_files(draw: st.DrawFn) -> Landing:
    """A D0275 flow of settlement days around the autumn clock change, good and hostile lines."""
    mpan = "1234567890123"
    lines = ["ZHV|0000001|D0275001|X|LOND|Q|ACME|20211101120000||||OPER|", f"25B|{mpan}|AI|"]
    good: set[Key] = set()
    for day in draw(st.lists(st.sampled_from(_FLOW_DAYS), min_size=1, max_size=3, unique=True)):
        lines.append(f"26B|{day:%Y%m%d}|")
        for period in range(1, periods_in_day(day) + 1):
            if draw(st.integers(0, 3)):
                lines.append(f"27B|{period}|{draw(good_values)}|")
                good.add((mpan, period_start_utc(day, period)))
            else:
                fields = draw(hostile_fields(["27B", str(period), "0.5", ""]))
                fields = [
                    "27B",
                    *fields[1:],
                ]  # a hostile 25B or 26B would move the periods after it
                lines.append("|".join(f for f in fields if "\n" not in f and "\r" not in f))
    lines.append(f"ZPT|0000001|{len(lines) + 1}|")
    return Landing("flow.txt", ("\n".join(lines) + "\n").encode(), frozenset(good))


_FLOW_DAYS = (date(2021, 10, 30), date(2021, 10, 31), date(2021, 11, 1), date(2021, 3, 28))
