"""Derived state for Python: what the event log says so far, read by the shim itself.

The shim only writes events, yet some calls need what was logged before, at run time, on hosts
that may have nothing but Python (tasks: the outputs and feedback logged so far, from any
process or machine). They read the **log**, the source of truth (docs/EVENTS.md), never the
index (``lineage.sqlite`` is a snapshot of some past moment, in a schema that belongs to the
extension): the loose writer files and the compacted segments, as ``_store.event_lines`` does.
Events from other machines arrive in the same folder through ``mltrace sync`` or the team store,
so they are read the same way.

A ``LogFollower`` reads incrementally within a process: each loose file from where its last read
stopped (whole lines only: a line still being written waits), each segment once, and only lines
that contain a marker (a facet name) are parsed. A file merged into a segment after it was read
is read again from the segment, so what consumes the events must be idempotent: the same event
twice must change nothing (keeping the latest value per key, by event time then read order, is).
"""

import gzip
import json
import os
import threading
from datetime import datetime, timezone

from mltrace import _store


def event_ms(event):
    """The event's time in milliseconds since the epoch, or None when it has no valid eventTime."""
    text = event.get("eventTime") if isinstance(event, dict) else None
    if not isinstance(text, str):
        return None
    text = text.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    # Python 3.8's fromisoformat takes 3 or 6 fraction digits only: pad or cut to 6.
    head, dot, rest = text.partition(".")
    if dot:
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = head + "." + (digits + "000000")[:6] + rest
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(round(moment.timestamp() * 1000))


class LogFollower(object):
    """Yields the events appended to the store's log since the last call, among lines holding
    ``marker`` (bytes). Starts again from nothing when the store changes (``set_store_dir``)."""

    def __init__(self, marker):
        self.marker = marker
        self._store_dir = None
        self._offsets = {}  # loose file name -> bytes read (whole lines)
        self._segments = set()  # segment names read

    def new_events(self):
        store_dir = _store.location().store_dir
        if store_dir != self._store_dir:
            self._store_dir = store_dir
            self._offsets = {}
            self._segments = set()
        directory = os.path.join(store_dir, _store.EVENTS_FOLDER)
        segments = os.path.join(directory, _store.SEGMENTS_FOLDER)
        for raw in self._loose_lines(directory):
            event = self._parse(raw)
            if event is not None:
                yield event
        for raw in self._segment_lines(segments):
            event = self._parse(raw)
            if event is not None:
                yield event

    def _parse(self, raw):
        if self.marker not in raw:
            return None
        try:
            event = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return event if isinstance(event, dict) else None

    def _loose_lines(self, directory):
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".jsonl"))
        except OSError:
            return
        for name in names:
            start = self._offsets.get(name, 0)
            try:
                with open(os.path.join(directory, name), "rb") as handle:
                    handle.seek(start)
                    data = handle.read()
            except OSError:
                continue  # merged into a segment (and removed) meanwhile: read there
            end = data.rfind(b"\n") + 1  # a last line without its newline is still being written
            if end == 0:
                continue
            self._offsets[name] = start + end
            for raw in data[:end].splitlines():
                yield raw

    def _segment_lines(self, segments):
        try:
            manifests = sorted(n for n in os.listdir(segments) if n.endswith(".json"))
        except OSError:
            return
        for manifest in manifests:
            name = manifest[: -len(".json")]
            if name in self._segments:
                continue
            try:
                with gzip.open(os.path.join(segments, name + ".jsonl.gz"), "rb") as handle:
                    lines = handle.read().splitlines()
            except (OSError, EOFError):
                continue  # being written: its manifest comes last, so this is rare; read next time
            self._segments.add(name)
            for raw in lines:
                yield raw


class ForkSafeLock(object):
    """A lock that a forked child gets afresh: another thread may have held it at fork time."""

    def __init__(self):
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._renew)

    def _renew(self):
        self._lock = threading.Lock()

    def __enter__(self):
        self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self._lock.release()
        return False

