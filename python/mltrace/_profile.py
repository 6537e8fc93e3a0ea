"""Data profiles of tabular files, recorded at log time (docs/EVENTS.md "Data profiles").

The rules ("mltrace-profile/1") are those of src/core/profile/profile.ts, to the bit: a file gives
the same profile whichever side wrote it. Standard library only; ``.npy`` with numpy and
``.parquet`` with pyarrow when they are importable. Nothing here raises: a file that cannot be
profiled (unparseable, binary, too wide, unreadable) gets ``None``.
"""

import codecs
import csv
import io
import json
import math
import os
import re
import time
from collections import Counter
from functools import reduce
from operator import add

PROFILER = "mltrace-profile/1"

# A file with at most ROW_LIMIT data rows (ROW_LIMIT + 1 line feeds, the header's included) and
# at most WHOLE_BYTES_LIMIT bytes is read whole; any other by a sample of ROW_LIMIT rows at evenly
# spaced byte offsets. Chosen by measurement (README "Performance", profileCsv*): 8,000 rows of 15
# columns cost about 90 ms of CPU here, half the default budget, whatever the file's size.
ROW_LIMIT = 8000
WHOLE_BYTES_LIMIT = 8 * 1024 * 1024
# A sampled record longer than this is skipped (a stray quote running to the end of the file...).
MAX_RECORD_BYTES = 1024 * 1024
# Files with more columns than this get no profile: it would make every such event huge.
MAX_COLUMNS = 1000
# JSON values nested deeper than this make the file unprofiled (both sides can parse them).
MAX_DEPTH = 100
TOP_VALUES = 20
# A column's topValues are left out when one of its listed values is longer than this (code points).
TOP_TEXT_LIMIT = 200
DEFAULT_BUDGET_MS = 200

QUANTILE_KEYS = (
    "0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5",
    "0.55", "0.6", "0.65", "0.7", "0.75", "0.8", "0.85", "0.9", "0.95", "1",
)  # fmt: skip

# Null cells of CSV/TSV: the empty field and pandas's default NA strings.
NULL_TEXTS = frozenset(
    [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]
)  # fmt: skip
# Infinities as CSV writers spell them (pandas "inf", R "Inf", JavaScript "Infinity"): in a column
# of numbers they count as nulls, as NaN and infinities do in a DataFrame's column.
INFINITY_TEXTS = frozenset(
    sign + word
    for sign in ("", "+", "-")
    for word in ("inf", "Inf", "INF", "infinity", "Infinity", "INFINITY")
)
BOOLEAN_TEXTS = {"true": "true", "True": "true", "TRUE": "true", "false": "false", "False": "false", "FALSE": "false"}
_INDEX_KEY = re.compile(r"0|[1-9][0-9]*")
_JSON_SPACE = " \t\r\n"
_MAX_SAFE = 2.0 ** 53

FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".npy": "npy", ".parquet": "parquet"}


class Unprofilable(Exception):
    """The file is not one we profile: the caller records no profile."""


class _Deadline(object):
    __slots__ = ("end", "hit")

    def __init__(self, budget_ms):
        self.end = time.perf_counter() + budget_ms / 1000.0
        self.hit = False

    def passed(self):
        if not self.hit and time.perf_counter() > self.end:
            self.hit = True
        return self.hit


def budget_ms():
    """The time budget per file: MLTRACE_PROFILE_BUDGET_MS, else 200; 0 turns profiling off."""
    text = os.environ.get("MLTRACE_PROFILE_BUDGET_MS", "").strip()
    if not text:
        return DEFAULT_BUDGET_MS
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_BUDGET_MS
    if value != value or value < 0 or value == float("inf"):
        return DEFAULT_BUDGET_MS
    return value


def format_of(path):
    """The profile format of a file name ("csv", "tsv", "jsonl", "npy", "parquet"), or None."""
    return FORMATS.get(os.path.splitext(path)[1].lower())


def profile_file(path, budget=None):
    """``{"metrics", "schema", "profile"}`` (the facets' fields) of a tabular file, or None."""
    kind = format_of(path)
    if kind is None:
        return None
    if budget is None:
        budget = budget_ms()
    if budget <= 0:
        return None
    deadline = _Deadline(budget)
    try:
        if kind == "npy":
            return _profile_npy(path, deadline)
        if kind == "parquet":
            return _profile_parquet(path, deadline)
        return _profile_text(path, kind, deadline)
    except Exception:  # Unprofilable, csv.Error, ValueError, MemoryError, RecursionError, OSError...
        return None


# ----------------------------------------------------------------------------------------------
# Text formats: reading whole or by sample


def _profile_text(path, kind, deadline):
    with open(path, "rb", buffering=0) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= WHOLE_BYTES_LIMIT:
            chunks = []
            lines = 0
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                lines += chunk.count(b"\n")
            data = b"".join(chunks)
            size = len(data)
            if lines <= ROW_LIMIT + 1:
                if data.startswith(codecs.BOM_UTF8):
                    data = data[3:]
                return _finish(_parse(_decode(data), kind, deadline), size, 0, False, deadline)
            read = lambda position, length: data[position : position + length]  # noqa: E731
        elif hasattr(os, "pread"):
            fd = handle.fileno()
            read = lambda position, length: os.pread(fd, length, position)  # noqa: E731
        else:

            def read(position, length):
                handle.seek(position)
                return handle.read(length)

        return _sampled(read, size, kind, deadline)


_CHUNK = 1024 * 1024
_WINDOW = 2048


def _parse(text, kind, deadline):
    return _parse_jsonl(text, deadline) if kind == "jsonl" else _parse_csv(text, kind, deadline)


def _decode(raw):
    if b"\x00" in raw:
        raise Unprofilable("NUL byte: not a text file")
    return raw.decode("utf-8")  # strict: a file that is not UTF-8 is not profiled


def _sampled(read, size, kind, deadline):
    """A profile of ROW_LIMIT records at evenly spaced byte offsets of the data (docs/EVENTS.md):
    for each offset (or the end of the previous sample, if later), the record that starts at the
    next line start. A record is its line or, for CSV/TSV, runs to the first line end after which
    it holds an even number of quote characters; a CSV record is kept when it parses alone as one
    record of the header's width. When it does not, the line start was inside a quoted field: the
    record after the first line end at which an odd number of quotes was seen is tried instead.
    The rows in the file are estimated from the records kept and their bytes."""
    quoted = kind != "jsonl"
    first = 3 if read(0, 3) == codecs.BOM_UTF8 else 0
    head = b""
    keep = _keep_any
    if quoted:  # the header: the first record that is not an empty line
        while first < size:
            record, end = _record(read, first, size, True, deadline)
            if record is None:
                raise Unprofilable("the header is too long")
            first = end
            if record not in (b"\n", b"\r\n"):
                head = _terminated(record)
                break
        keep = _record_filter(head, kind)
    span = size - first
    records = []
    sampled_bytes = 0
    previous = first
    for k in range(ROW_LIMIT):
        if k & 63 == 0 and deadline.passed():
            break
        position = first + (k * span) // ROW_LIMIT
        if position < previous:
            position = previous
        if position > first:  # on to the next line start, unless at one
            base = position - 1
            buf = read(base, _WINDOW)
            start = 1 if buf[:1] == b"\n" else buf.find(b"\n", 1) + 1
            if start == 0:
                index = _find_newline(read, base + len(buf), size, deadline)
                if index < 0:
                    break
                position = index + 1
            else:
                position = base + start
                index = buf.find(b"\n", start)  # the common case: a one-line record in the window
                if index >= 0 and (not quoted or buf.count(b'"', start, index) & 1 == 0):
                    record = buf[start : index + 1]
                    if keep(record):
                        previous = base + index + 1
                        sampled_bytes += len(record)
                        records.append(record)
                        continue
        if position >= size:
            break
        record, end = _record(read, position, size, quoted, deadline)
        if record is not None and keep(_terminated(record)):
            previous = end
        elif quoted:
            record, end = None, _line_end(read, position, size, deadline)
            closing = _closing_line_end(read, position, size, deadline)
            if 0 <= closing < size:  # the record after the quoted field that the line start was in
                after, after_end = _record(read, closing, size, True, deadline)
                if after is not None and keep(_terminated(after)):
                    record, end = after, after_end
            previous = end
        else:
            previous = end
        if record is not None:
            record = _terminated(record)
            sampled_bytes += len(record)
            records.append(record)
    table = _parse(_decode(head + b"".join(records)), kind, deadline)
    rows = len(table[1])
    estimate = int(math.floor(float(span) * float(rows) / float(sampled_bytes) + 0.5)) if sampled_bytes else 0
    return _finish(table, size, estimate, True, deadline)


def _terminated(record):
    return record if record[-1:] == b"\n" else record + b"\n"


def _keep_any(record):
    return True


def _record_filter(head, kind):
    """Whether a sampled CSV/TSV record parses alone as one record of the header's width."""
    delimiter = "\t" if kind == "tsv" else ","
    header = _csv_records(_decode(head), delimiter)
    width = len(header[0]) if header else 0
    separator = delimiter.encode("ascii")

    def keep(record):
        # One line without quotes or carriage returns (but a final one) is one record as it stands.
        if b'"' not in record and record.count(b"\r") == (1 if record.endswith(b"\r\n") else 0):
            return record.count(separator) + 1 == width and record not in (b"\n", b"\r\n")
        try:
            alone = _csv_records(_decode(record), delimiter)
        except csv.Error:
            return False
        return len(alone) == 1 and len(alone[0]) == width

    return keep


def _csv_records(text, delimiter):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    return [record for record in reader if record]


def _find_newline(read, position, size, deadline):
    """The position of the first line feed at or after position, or -1."""
    while position < size:
        buf = read(position, 65536)
        index = buf.find(b"\n")
        if index >= 0:
            return position + index
        if not buf or deadline.passed():
            return -1
        position += len(buf)
    return -1


def _line_end(read, start, size, deadline):
    """The end (exclusive) of the line that starts at ``start``."""
    newline = _find_newline(read, start, size, deadline)
    return size if newline < 0 else newline + 1


def _record(read, start, size, quoted, deadline):
    """(bytes, end) of the record that starts at ``start``; (None, end of its first line) when it
    is longer than MAX_RECORD_BYTES."""
    quotes = 0
    position = start
    while True:
        newline = _find_newline(read, position, size, deadline) if position - start <= MAX_RECORD_BYTES else -1
        end = size if newline < 0 else newline + 1
        if end - start > MAX_RECORD_BYTES:
            return None, _line_end(read, start, size, deadline)
        if quoted:
            quotes += read(position, end - position).count(b'"')
        if not quoted or quotes & 1 == 0 or end >= size:
            return read(start, end - start), end
        position = end


def _closing_line_end(read, start, size, deadline):
    """The end of the first line, from ``start`` on, after which an odd number of quote characters
    was seen (where a quoted field that ``start`` was inside closed), or -1 (none within
    MAX_RECORD_BYTES)."""
    quotes = 0
    position = start
    while position < size and position - start <= MAX_RECORD_BYTES:
        end = _line_end(read, position, size, deadline)
        quotes += read(position, end - position).count(b'"')
        if quotes & 1:
            return end if end - start <= MAX_RECORD_BYTES else -1
        position = end
    return -1


# ----------------------------------------------------------------------------------------------
# Parsing


def _parse_csv(text, kind, deadline):
    """(columns, rows): rows padded with "" (null) or cut to the header's width."""
    import itertools

    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if kind == "tsv" else ",", strict=True)
    header = None
    rows = []
    while True:
        batch = list(itertools.islice(reader, 2048))
        if not batch:
            break
        if rows and deadline.passed():
            break  # cut short: the rows read until now
        for record in batch:
            if not record:
                continue  # an empty line
            if header is None:
                header = record
                if len(header) > MAX_COLUMNS:
                    raise Unprofilable("too many columns")
            else:
                rows.append(record)
    if header is None:
        return ([], [], kind)
    width = len(header)
    pad = [""] * width
    rows = [r if len(r) == width else (r + pad)[:width] for r in rows]
    return (_column_names(header), rows, kind)


def _column_names(header):
    """Header cells as unique names: an empty one is "Unnamed: <index>", a repeated one gets
    ".1", ".2"... (the first suffix that is free), as pandas names them."""
    names = []
    taken = set()
    for index, name in enumerate(header):
        if name == "":
            name = "Unnamed: %d" % index
        if name in taken:
            suffix = 1
            while "%s.%d" % (name, suffix) in taken:
                suffix += 1
            name = "%s.%d" % (name, suffix)
        taken.add(name)
        names.append(name)
    return names


def _reject_constant(name):
    raise ValueError("not JSON: " + name)


def _parse_jsonl(text, deadline):
    """(columns, rows as dicts): columns in order of first appearance, each object's keys in
    ECMAScript's own-property order (integer-like keys first, ascending)."""
    loads = json.JSONDecoder(parse_constant=_reject_constant).decode
    rows = []
    columns = []
    seen = set()
    for line in text.split("\n"):
        if not line.strip(_JSON_SPACE):
            continue
        if len(rows) % 2048 == 2047 and deadline.passed():
            break  # cut short: the rows read until now
        row = loads(line)
        if type(row) is not dict:
            raise Unprofilable("a line that is not a JSON object")
        if not seen.issuperset(row):
            for key in _js_key_order(row):
                if key not in seen:
                    seen.add(key)
                    columns.append(key)
            if len(columns) > MAX_COLUMNS:
                raise Unprofilable("too many columns")
        rows.append(row)
    return (columns, rows, "jsonl")


def _js_key_order(obj):
    keys = list(obj)
    index_keys = [k for k in keys if k[:1].isdigit() and _INDEX_KEY.fullmatch(k) and int(k) < 4294967295]
    if not index_keys:
        return keys
    index_keys.sort(key=int)
    chosen = set(index_keys)
    return index_keys + [k for k in keys if k not in chosen]


# ----------------------------------------------------------------------------------------------
# Columns


def _finish(table, size, total_rows, sampled, deadline):
    columns, rows, kind = table
    n = len(rows)
    metrics = {}
    schema = []
    top = {}
    if kind == "jsonl":
        cells = [[row.get(name) for row in rows] for name in columns]
        summarize = _json_column
    else:
        cells = list(zip(*rows)) if rows else [() for _ in columns]
        summarize = _text_column
    for name, values in zip(columns, cells):
        column_type, column_metrics, top_values = summarize(values)
        column_metrics["nullCount"] = n - column_metrics["count"]
        metrics[name] = column_metrics
        schema.append({"name": name, "type": column_type})
        if top_values is not None:
            top[name] = top_values
    return _result(n, size, metrics, schema, top, total_rows if sampled else n, sampled, deadline)


def _result(n, size, metrics, schema, top, rows, sampled, deadline):
    if deadline.hit and n == 0:
        raise Unprofilable("out of time before the first row")
    profile = {"profiler": PROFILER, "rows": rows, "sampled": sampled}
    if deadline.hit:
        profile["cutShort"] = True
    profile["topValues"] = top
    return {
        "metrics": {"rowCount": n, "bytes": size, "columnMetrics": metrics},
        "schema": schema,
        "profile": profile,
    }


def _metrics(count, distinct):
    return {"nullCount": 0, "distinctCount": distinct, "count": count}


# Besides digits, what a number may hold; float() accepts more (spaces, "_", "inf", other digits).
_NOT_NUMERIC = re.compile(r"[^0-9eE+\-.\n]")


def _numbers(values, texts):
    """(doubles of the values, integer?) when every text is a finite number, else None. A number
    is [+-]digits[.digits][(e|E)[+-]digits] (digits on at least one side of the point); an
    integer has neither point nor exponent."""
    joined = "\n".join(texts)
    if _NOT_NUMERIC.search(joined) or joined.count("\n") != len(texts) - 1:
        return None
    try:
        numbers = list(map(float, values))
    except ValueError:
        return None
    # Over these characters float() accepts exactly the texts of that grammar (the regular
    # expression /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/ of profile.ts).
    if not (-math.inf < min(numbers) and max(numbers) < math.inf):
        return None
    return numbers, not ("." in joined or "e" in joined or "E" in joined)


def _text_column(cells):
    """(type, metrics, topValues or None) of a CSV/TSV column."""
    values = cells if NULL_TEXTS.isdisjoint(cells) else [c for c in cells if c not in NULL_TEXTS]
    count = len(values)
    if count == 0:
        return "string", _metrics(0, 0), None
    texts = set(values)
    if texts.issubset(BOOLEAN_TEXTS):
        canonical = [BOOLEAN_TEXTS[v] for v in values]
        return "boolean", _metrics(count, len(set(canonical))), _top_texts(Counter(canonical), count)
    numeric = _numbers(values, texts)
    if numeric is None and not INFINITY_TEXTS.isdisjoint(texts):
        finite = [v for v in values if v not in INFINITY_TEXTS]
        if not finite:
            return "string", _metrics(0, 0), None
        numeric = _numbers(finite, texts - INFINITY_TEXTS)
    if numeric is not None:
        return _numeric(numeric[0], numeric[1])
    return "string", _metrics(count, len(texts)), _top_texts(Counter(values), count)


def _json_column(cells):
    """(type, metrics, topValues or None) of a JSON Lines column (None is null or missing)."""
    kinds = set()
    values = []
    for value in cells:
        if value is None:
            continue
        kind = type(value)
        if kind is float or kind is int:
            try:
                number = float(value)
            except OverflowError:
                number = math.inf if value > 0 else -math.inf
            if math.isinf(number):
                kinds.add(dict)  # not a finite number: the column is json
            else:
                kinds.add(float)
            values.append(number)
        else:
            kinds.add(kind if kind in (bool, str) else dict)
            values.append(value)
    count = len(values)
    if count == 0:
        return "string", _metrics(0, 0), None
    if kinds == {float}:
        return _numeric(values, all(v.is_integer() for v in values))
    if kinds == {bool}:
        canonical = ["true" if v else "false" for v in values]
        return "boolean", _metrics(count, len(set(canonical))), _top_texts(Counter(canonical), count)
    if kinds == {str}:
        counts = Counter(values)
        return "string", _metrics(count, len(counts)), _top_texts(counts, count)
    return "json", _metrics(count, len(set(_canonical(v, 0) for v in values))), None


def _canonical(value, depth):
    """A text per JSON value, equal for equal values (numbers as doubles, objects' keys unordered)."""
    if depth > MAX_DEPTH:
        raise Unprofilable("nested too deeply")
    kind = type(value)
    if value is None:
        return "n"
    if kind is bool:
        return "t" if value else "f"
    if kind is float or kind is int:
        try:
            number = float(value) + 0.0
        except OverflowError:
            number = math.inf if value > 0 else -math.inf
        return "d" + repr(number)
    if kind is str:
        return "s" + json.dumps(value)
    if kind is list:
        return "[" + ",".join(_canonical(v, depth + 1) for v in value) + "]"
    return (
        "{"
        + ",".join(json.dumps(k) + ":" + _canonical(value[k], depth + 1) for k in sorted(value))
        + "}"
    )


def _number(value):
    """A double for JSON: -0 as 0, whole numbers up to 2**53 as integers (as JavaScript writes them)."""
    value = value + 0.0
    if value.is_integer() and -_MAX_SAFE <= value <= _MAX_SAFE:
        return int(value)
    return value


def _numeric(numbers, integer):
    """(type, metrics, topValues) of a column of finite doubles, in row order."""
    count = len(numbers)
    ordered = sorted(numbers)
    distinct = len(set(numbers))
    metrics = _metrics(count, distinct)
    total = reduce(add, numbers, 0.0)  # in row order, one addition at a time (not sum(): 3.12 compensates)
    if -math.inf < total < math.inf:
        metrics["sum"] = _number(total)
    metrics["min"] = _number(ordered[0])
    metrics["max"] = _number(ordered[-1])
    last = count - 1
    metrics["quantiles"] = dict(
        (key, _number(ordered[int(math.floor((i / 20.0) * last + 0.5))]))
        for i, key in enumerate(QUANTILE_KEYS)
    )
    top = None
    if integer and distinct <= TOP_VALUES:
        counts = Counter(numbers)
        top = _top_texts(dict(("%d" % int(v), c) for v, c in counts.items()), count)
    return ("integer" if integer else "number"), metrics, top


def _top_texts(counts, count):
    """Up to 20 [text, count] by count descending, then text ascending by code point; or None
    when a listed text is longer than TOP_TEXT_LIMIT."""
    items = list(counts.items())
    if len(items) > TOP_VALUES:
        import heapq

        threshold = sorted((c for _, c in items), reverse=True)[TOP_VALUES - 1]
        above = [kv for kv in items if kv[1] > threshold]
        ties = heapq.nsmallest(TOP_VALUES - len(above), (k for k, c in items if c == threshold))
        items = above + [(k, threshold) for k in ties]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    if any(len(k) > TOP_TEXT_LIMIT for k, _ in items):
        return None
    listed = sum(c for _, c in items)
    return {"values": [[k, c] for k, c in items], "other": count - listed}


# ----------------------------------------------------------------------------------------------
# numpy and pyarrow (Python only): the same column rules on the values they hold


def _evenly_spaced(total):
    """Row indices of the sample: all when total <= ROW_LIMIT, else floor(k * total / ROW_LIMIT)."""
    if total <= ROW_LIMIT:
        return None
    return [(k * total) // ROW_LIMIT for k in range(ROW_LIMIT)]


def _py_column(values):
    """(type, metrics, topValues) of Python values: None, NaN and infinities are null."""
    cleaned = []
    for value in values:
        if isinstance(value, float) and (value != value or math.isinf(value)):
            continue
        if value is not None:
            cleaned.append(value)
    count = len(cleaned)
    if count == 0:
        return "string", _metrics(0, 0), None
    if all(type(v) is bool for v in cleaned):
        canonical = ["true" if v else "false" for v in cleaned]
        return "boolean", _metrics(count, len(set(canonical))), _top_texts(Counter(canonical), count)
    if all(type(v) in (int, float) for v in cleaned):
        try:
            numbers = [float(v) for v in cleaned]
        except OverflowError:
            numbers = None
        if numbers is not None and all(-math.inf < v < math.inf for v in numbers):
            return _numeric(numbers, all(type(v) is int for v in cleaned))
    if all(type(v) is str for v in cleaned):
        counts = Counter(cleaned)
        return "string", _metrics(count, len(counts)), _top_texts(counts, count)
    if all(isinstance(v, (dict, list, str, int, float, bool)) for v in cleaned):
        return "json", _metrics(count, len(set(_canonical(v, 0) for v in cleaned))), None
    texts = [str(v) for v in cleaned]  # dates, times, decimals, bytes...
    counts = Counter(texts)
    return "string", _metrics(count, len(counts)), _top_texts(counts, count)


def _columns_result(names, columns, n, size, total_rows, sampled, deadline, exact=None):
    metrics = {}
    schema = []
    top = {}
    for name, values in zip(names, columns):
        column_type, column_metrics, top_values = _py_column(values)
        column_metrics["nullCount"] = n - column_metrics["count"]
        if exact and name in exact and "min" in column_metrics:
            column_metrics.update(exact[name])
        metrics[name] = column_metrics
        schema.append({"name": name, "type": column_type})
        if top_values is not None:
            top[name] = top_values
    return _result(n, size, metrics, schema, top, total_rows, sampled, deadline)


def _profile_npy(path, deadline):
    try:
        import numpy
    except ImportError:
        return None
    size = os.path.getsize(path)
    array = numpy.load(path, mmap_mode="r", allow_pickle=False)
    if array.ndim == 0 or array.ndim > 2:
        raise Unprofilable("only 1-D and 2-D arrays are tables")
    total = int(array.shape[0])
    indices = _evenly_spaced(total)
    sample = array if indices is None else array[numpy.asarray(indices, dtype=numpy.int64)]
    if array.dtype.names:  # a structured array: one column per field
        names = list(array.dtype.names)
        if len(names) > MAX_COLUMNS:
            raise Unprofilable("too many columns")
        columns = [_npy_values(sample[name]) for name in names]
    elif array.ndim == 1:
        names = ["0"]
        columns = [_npy_values(sample)]
    else:
        if array.shape[1] > MAX_COLUMNS:
            raise Unprofilable("too many columns")
        names = [str(i) for i in range(array.shape[1])]
        columns = [_npy_values(sample[:, i]) for i in range(array.shape[1])]
    if array.dtype.hasobject:
        raise Unprofilable("object arrays")
    n = len(columns[0]) if columns else 0
    return _columns_result(names, columns, n, size, total, indices is not None, deadline)


def _npy_values(column):
    kind = column.dtype.kind
    if kind in "biuf":
        return column.tolist()
    if kind in "US":
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in column.tolist()]
    return [str(v) for v in column.tolist()]


def _profile_parquet(path, deadline):
    """Parquet through pyarrow: ``rows`` exact from the footer; min and max from the footer's
    statistics when every row group has them; the rest from the rows read (whole up to
    ROW_LIMIT rows, else an evenly spaced sample of them)."""
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        return None
    size = os.path.getsize(path)
    handle = parquet.ParquetFile(path)
    meta = handle.metadata
    total = int(meta.num_rows)
    names = list(handle.schema_arrow.names)
    if len(names) > MAX_COLUMNS:
        raise Unprofilable("too many columns")
    exact = _parquet_min_max(meta, names)
    indices = _evenly_spaced(total)
    if indices is None:
        table = handle.read(columns=names)
        columns = [table.column(name).to_pylist() for name in names]
    else:
        # Only the row groups that hold sampled rows are read, one at a time.
        import pyarrow

        columns = [[] for _ in names]
        first = 0
        position = 0
        for group in range(meta.num_row_groups):
            rows = meta.row_group(group).num_rows
            local = []
            while position < len(indices) and indices[position] < first + rows:
                local.append(indices[position] - first)
                position += 1
            first += rows
            if not local:
                continue
            if deadline.passed():
                break
            part = handle.read_row_group(group, columns=names).take(pyarrow.array(local, type=pyarrow.int64()))
            for values, name in zip(columns, names):
                values.extend(part.column(name).to_pylist())
    n = len(columns[0]) if columns else 0
    return _columns_result(names, columns, n, size, total, indices is not None, deadline, exact)


def _parquet_min_max(meta, names):
    """Per column, {"min", "max"} over the whole file from the footer's statistics, when every row
    group has numeric ones."""
    found = {}
    for index, name in enumerate(names):
        low = high = None
        try:
            for group in range(meta.num_row_groups):
                column = meta.row_group(group).column(index)
                stats = column.statistics
                if stats is None or not stats.has_min_max:
                    low = None
                    break
                a, b = stats.min, stats.max
                if type(a) not in (int, float) or type(b) not in (int, float):
                    low = None
                    break
                low = a if low is None else min(low, a)
                high = b if high is None else max(high, b)
        except Exception:
            low = None
        if low is not None and math.isfinite(float(low)) and math.isfinite(float(high)):
            found[name] = {"min": _number(float(low)), "max": _number(float(high))}
    return found
