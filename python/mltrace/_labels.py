"""Labels as the Python side knows them (docs/LABELS.md): attached, propagated, retracted.

The shim reads the event log itself, the source of truth, not the SQLite index: the index is a
snapshot that only a Node process writes (the extension, the CLI), so on a host with Python alone
it is absent or behind, and the log is all there is. The log is read incrementally (each loose
file from where the last read stopped, each segment once) into the few facts labels need: the
runs with their start, inputs (fingerprint, labels attached) and outputs, and the retractions.
Every fact merges idempotently, so a line read twice (a file merged into a segment meanwhile)
changes nothing. The derivation is the one of src/core/labels/queries.ts, over the same events.
"""

import bisect
import calendar
import collections
import gzip
import hashlib
import hmac
import json
import os
import threading
from datetime import datetime, timezone

from mltrace import _events, _store

HASHED_PREFIX = "hmac-sha256:"
LABELS_DATASET = ("mltrace", "labels")
ATTACH_FACET = "mltrace_labels"
RETRACTION_FACET = "mltrace_label_retraction"


# ------------------------------------------------------------------ keyed hashes -----------------


def label_key():
    """The key from MLTRACE_LABEL_KEY (the key itself) or MLTRACE_LABEL_KEY_FILE (a file holding
    it, surrounding white space stripped), or None: labels are recorded in clear."""
    key = os.environ.get("MLTRACE_LABEL_KEY")
    if key:
        return key.encode("utf-8")
    path = os.environ.get("MLTRACE_LABEL_KEY_FILE")
    if path:
        with open(path, "rb") as handle:
            key = handle.read().strip()
        if not key:
            raise RuntimeError("The label key file %s is empty." % path)
        return key
    return None


def recorded(label):
    """How a label is written to the log: an HMAC-SHA256 under the key when there is one."""
    label = str(label)
    key = label_key()
    if key is None or label.startswith(HASHED_PREFIX):
        return label
    return HASHED_PREFIX + hmac.new(key, label.encode("utf-8"), hashlib.sha256).hexdigest()


def labels_of(value):
    """mltrace's label variables: a string is one label, a list several, None or empty none."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        value = [value]
    result = []
    for item in value:
        if item is None or item == "":
            continue
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        if text not in result:
            result.append(text)
    return result


# ------------------------------------------------------------------ events -----------------------


def attach_facets(labels):
    return {ATTACH_FACET: _events.our_facet(ATTACH_FACET, {"labels": list(labels)})}


def retraction_event(labels):
    return {
        "eventTime": _events.iso(_events.utc_now()),
        "producer": _events.PRODUCER,
        "schemaURL": _events.SPEC_URL + "#/$defs/DatasetEvent",
        "dataset": {
            "namespace": LABELS_DATASET[0],
            "name": LABELS_DATASET[1],
            "facets": {RETRACTION_FACET: _events.our_facet(RETRACTION_FACET, {"labels": list(labels)})},
        },
    }


# ------------------------------------------------------------------ reading the log --------------


def _ms(text):
    """Milliseconds since the epoch of an ISO 8601 time, or None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return calendar.timegm(moment.utctimetuple()) * 1000 + moment.microsecond // 1000


class _Run(object):
    __slots__ = ("seq", "start", "start_known", "first", "inputs", "outputs", "no_deps", "attached")

    def __init__(self, seq, first):
        self.seq = seq
        self.first = first
        self.start = None
        self.start_known = False
        self.inputs = {}  # (namespace, name) -> fingerprint or None
        self.outputs = set()
        self.no_deps = False
        self.attached = {}  # (namespace, name) -> set of labels

    def key(self):
        return (self.start if self.start is not None else self.first, self.seq)


class LogState(object):
    """The facts of one store's log that labels need, read incrementally."""

    def __init__(self, store_dir):
        self.store_dir = store_dir
        self.offsets = {}  # loose file name -> bytes read
        self.segments_read = set()
        self.runs = {}
        self.retracted = {}  # label -> earliest retraction, ms
        self.known = set()  # every label attached or retracted
        self.seq = 0
        self._derived = None

    def refresh(self):
        loose, segments, _ = _store.log_listing(self.store_dir)
        changed = False
        for name, path in loose:
            changed |= self._read_loose(path, name)
        for name, path in segments:
            if name in self.segments_read:
                continue
            try:
                with gzip.open(path, "rb") as handle:
                    for raw in handle:
                        self._line(raw)
            except (OSError, EOFError):
                continue
            self.segments_read.add(name)
            changed = True
        if changed:
            self._derived = None
        return self

    def _read_loose(self, path, name):
        start = self.offsets.get(name, 0)
        try:
            with open(path, "rb") as handle:
                handle.seek(start)
                data = handle.read()
        except OSError:
            return False
        end = data.rfind(b"\n") + 1  # a last line without its newline is still being written
        if end == 0:
            return False
        for raw in data[:end].splitlines():
            self._line(raw)
        self.offsets[name] = start + end
        return True

    def _line(self, raw):
        if ATTACH_FACET.encode() not in raw and b'"run"' not in raw and RETRACTION_FACET.encode() not in raw:
            return
        try:
            event = json.loads(raw)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        time = _ms(event.get("eventTime"))
        if time is None:
            return
        if isinstance(event.get("run"), dict):
            self._run_event(event, time)
        elif isinstance(event.get("dataset"), dict):
            facet = (event["dataset"].get("facets") or {}).get(RETRACTION_FACET)
            if isinstance(facet, dict) and isinstance(facet.get("labels"), list):
                for label in facet["labels"]:
                    if isinstance(label, str) and label:
                        self.known.add(label)
                        before = self.retracted.get(label)
                        self.retracted[label] = time if before is None else min(before, time)

    def _run_event(self, event, time):
        run_id = event["run"].get("runId")
        if not isinstance(run_id, str) or not run_id:
            return
        run_id = run_id.lower()
        run = self.runs.get(run_id)
        if run is None:
            self.seq += 1
            run = self.runs[run_id] = _Run(self.seq, time)
        run.first = min(run.first, time)
        facets = event["run"].get("facets") or {}
        ours = facets.get("mltrace_run") if isinstance(facets, dict) else None
        start = _ms(ours.get("startTime")) if isinstance(ours, dict) else None
        if start is None and event.get("eventType") == "START":
            start = time
        if start is not None and (run.start is None or start < run.start):
            run.start = start
        if isinstance(ours, dict) and ours.get("noInputDependencies") is True:
            run.no_deps = True
        for item in event.get("inputs") or []:
            key = _dataset_key(item)
            if key is None:
                continue
            version = (item.get("facets") or {}).get("version")
            fingerprint = version.get("datasetVersion") if isinstance(version, dict) else None
            if fingerprint is not None or key not in run.inputs:
                run.inputs[key] = fingerprint if isinstance(fingerprint, str) else run.inputs.get(key)
            facet = (item.get("inputFacets") or {}).get(ATTACH_FACET)
            if isinstance(facet, dict) and isinstance(facet.get("labels"), list):
                labels = [l for l in facet["labels"] if isinstance(l, str) and l]
                run.attached.setdefault(key, set()).update(labels)
                self.known.update(labels)
        for item in event.get("outputs") or []:
            key = _dataset_key(item)
            if key is not None:
                run.outputs.add(key)

    # ---- derivation (src/core/labels/queries.ts) ----------------------------------------------

    def derived(self):
        if self._derived is None:
            self._derived = _Derived(self)
        return self._derived


def _dataset_key(item):
    if not isinstance(item, dict):
        return None
    namespace, name = item.get("namespace"), item.get("name")
    if isinstance(namespace, str) and isinstance(name, str):
        return (namespace, name)
    return None


class _Derived(object):
    """Versions, dependencies and the labels each version carries."""

    def __init__(self, state):
        self.state = state
        writers = collections.defaultdict(list)
        readers = collections.defaultdict(list)
        for run_id, run in state.runs.items():
            for key in run.outputs:
                writers[key].append((run.key(), run_id))
            for key in run.inputs:
                readers[key].append((run.key(), run_id))
        for table in (writers, readers):
            for entries in table.values():
                entries.sort()
        self.writers = writers
        self.readers = readers
        self.sources = collections.defaultdict(set)  # version -> labels attached to it
        for run_id, run in state.runs.items():
            for key, labels in run.attached.items():
                self.sources[self.version(run_id, key)].update(labels)
        self._of_run = {}

    def dependency(self, run_id, key):
        """The latest writer of the pointer that started before the run (DESIGN.md §2)."""
        run = self.state.runs[run_id]
        if run.no_deps:
            return None
        entries = self.writers.get(key, ())
        at = bisect.bisect_left(entries, (run.key(), ""))
        while at > 0:
            at -= 1
            if entries[at][1] != run_id:
                return entries[at][1]
        return None

    def version(self, run_id, key):
        writer = self.dependency(run_id, key)
        if writer is not None:
            return (key, "w", writer)
        return (key, "r", self.state.runs[run_id].inputs.get(key))

    def of_run(self, run_id):
        """The labels a run carries to its outputs: walked iteratively, each run once."""
        stack = [(run_id, False)]
        while stack:
            current, expanded = stack.pop()
            if current in self._of_run:
                continue
            versions = [self.version(current, key) for key in self.state.runs[current].inputs]
            upstream = [v[2] for v in versions if v[1] == "w" and v[2] not in self._of_run]
            if upstream and not expanded:
                stack.append((current, True))
                stack.extend((w, False) for w in upstream)
                continue
            labels = set()
            for v in versions:
                labels |= self.sources.get(v, set())
                if v[1] == "w":
                    labels |= self._of_run.get(v[2], set())
            self._of_run[current] = labels
        return self._of_run[run_id]

    def of_pointer(self, key):
        """The labels the latest version of a pointer carries."""
        writers = self.writers.get(key)
        if writers:
            writer = writers[-1][1]
            return self.sources.get((key, "w", writer), set()) | self.of_run(writer)
        readers = self.readers.get(key)
        if not readers:
            return set()
        latest = readers[-1][1]
        return set(self.sources.get((key, "r", self.state.runs[latest].inputs.get(key)), set()))

    def pointers_with(self, label):
        """The pointers whose latest version carries the label, sorted by name."""
        keys = set(self.writers) | set(self.readers)
        return sorted((k for k in keys if label in self.of_pointer(k)), key=lambda k: k[1])


_state_lock = threading.Lock()
_state = None


def state():
    """The log's label facts, brought up to date (thread-safe; one state per store)."""
    global _state
    with _state_lock:
        store_dir = _store.location().store_dir
        if _state is None or _state.store_dir != store_dir:
            _state = LogState(store_dir)
        return _state.refresh()


# ------------------------------------------------------------------ the guard --------------------


class LabelsRetracted(RuntimeError):
    """A run was about to read data of labels retracted longer ago than its threshold."""


def check_inputs(pointers, attached, threshold_seconds, logger):
    """mltrace's check of the labels a run is about to read: a label retracted within the
    threshold is a warning, one retracted longer ago stops the run (RuntimeError naming them).

    ``pointers``: the inputs (objects with ``.name``); ``attached``: labels this call attaches.
    """
    current = state()
    if not current.retracted:
        return
    derived = current.derived()
    holders = collections.OrderedDict()  # label -> pointer names holding it
    for pointer in pointers:
        for label in derived.of_pointer((_events.FILE_NAMESPACE, pointer.name)):
            holders.setdefault(label, []).append(pointer.name)
    for pointer_name, labels in attached:
        for label in labels:
            holders.setdefault(label, []).append(pointer_name)
    now = _events.utc_now().timestamp() * 1000
    hard, soft = [], []
    for label in holders:
        retracted = current.retracted.get(label)
        if retracted is None:
            continue
        age_seconds = (now - retracted) / 1000.0
        (hard if age_seconds > float(threshold_seconds) else soft).append((label, age_seconds))
    days = float(threshold_seconds) / 86400.0
    for label, age in soft:
        left = max(0, int(float(threshold_seconds) // 86400) - int(age // 86400))
        logger.warning(
            "You are reading label %s, which was deleted %d days ago (in %s): retrain within %d days."
            % (label, int(age // 86400), ", ".join(holders[label]), left)
        )
    if hard:
        names = [label for label, _ in hard]
        files = sorted({name for label in names for name in holders[label]})
        raise LabelsRetracted(
            "Label(s) %s have been deleted: retracted more than %s days ago (this component's "
            "staleness threshold), and %s still hold their data. Retrain without it."
            % (names, _days_text(days), ", ".join(files))
        )


def _days_text(days):
    return ("%d" % days) if days == int(days) else ("%.2f" % days)


RetractedLabel = collections.namedtuple("RetractedLabel", ["label", "deletion_request_time"])


def local_time(ms):
    """A naive local datetime, as mltrace's datetime.now() stamps retractions."""
    return datetime.fromtimestamp(ms / 1000.0)
