"""Tasks: a model's outputs in production and the feedback (true values) that comes later,
joined by identifier to compute metrics (docs/EVENTS.md "mltrace_task").

Outputs and feedback are DatasetEvents on the dataset ``{namespace: "mltrace-task", name: task}``
with the facet ``mltrace_task``: ``{role: "output" | "feedback", values: [{identifier, value}]}``.
They may arrive in any order and from any machine: per task, role and identifier the latest
value wins (event time, then log order), and an output counts once its feedback is in the log,
whenever that came. Reading them back goes through ``_derived`` (the log, read incrementally).

A registered ``Metric`` is an event of the same facet with the role ``"metric"``: ``{role:
"metric", metric: {name, identifier, windowSize, function, callable?}}``, where ``function`` names
the supported metric it computes (``"accuracy"``...) or is null for a function of the user's own,
which only a process holding it can call (``callable`` is its ``__name__``, for display). Per
task and identifier the latest registration wins, so registering twice changes nothing.
"""

import math
import time

from mltrace import _derived, _events, _runs, _store, _task_metrics

TASK_NAMESPACE = "mltrace-task"
FACET = "mltrace_task"
ROLES = ("output", "feedback")
METRIC_ROLE = "metric"
VALUES_PER_EVENT = 1000  # long batches are split, so that no line grows without bound


def _number(value):
    try:
        number = float(value.item() if hasattr(value, "item") else value)
    except (TypeError, ValueError, AttributeError):
        return None
    return number if math.isfinite(number) and not isinstance(value, (str, bytes)) else None


def log_values(task, role, identifiers, values):
    """Appends outputs or feedback; a value that is not a finite number is skipped (one warning).
    Never raises into the pipeline."""
    try:
        items = []
        for identifier, value in zip(identifiers, values):
            number = _number(value)
            if number is None:
                _store.warn_once(
                    "task-value:%s" % task,
                    "mltrace records task %ss as finite numbers; %r for %r was skipped."
                    % (role, value, identifier),
                )
                continue
            items.append({"identifier": str(identifier), "value": number})
        run_id = _logging_run_id()
        for at in range(0, len(items), VALUES_PER_EVENT):
            _store.append(_event(str(task), role, items[at : at + VALUES_PER_EVENT], run_id))
    except Exception as bug:
        _store.warn_once("task-bug", "mltrace could not log task values (%s); the pipeline goes on." % bug)


_metrics_logged = set()  # (store, task, definition) this process logged: registering again logs nothing


def log_metric(task, metric):
    """Appends a registered Metric (role "metric"), once per process and definition. Never raises
    into the pipeline."""
    try:
        record = _task_metrics.definition(metric)
        key = (_store.location().store_dir, str(task), tuple(sorted(record.items())))
        if key in _metrics_logged:
            return
        if _store.append(_dataset_event(str(task), {"role": METRIC_ROLE, "metric": record})):
            _metrics_logged.add(key)
    except Exception as bug:
        _store.warn_once(
            "task-metric-bug", "mltrace could not log a registered metric (%s); the pipeline goes on." % bug
        )


def _logging_run_id():
    """The id of the decorated run in progress on this thread, if any: the run that logged the
    values (the editor's Tasks view lists the runs that produced a task's outputs)."""
    run = _runs.current_run()
    log = getattr(run, "log", None)
    return getattr(log, "run_id", None)


def _event(task, role, items, run_id=None):
    facet = {"role": role, "values": items}
    if run_id:
        facet["runId"] = run_id
    return _dataset_event(task, facet)


def _dataset_event(task, facet):
    return {
        "eventTime": _events.iso(_events.utc_now()),
        "producer": _events.PRODUCER,
        "schemaURL": _events.SPEC_URL + "#/$defs/DatasetEvent",
        "dataset": {
            "namespace": TASK_NAMESPACE,
            "name": task,
            "facets": {FACET: _events.our_facet(FACET, facet)},
        },
    }


class Joined(object):
    """An output with its feedback: y_pred and y_true, and when each was logged (ms)."""

    __slots__ = ("identifier", "y_pred", "y_true", "output_ms", "feedback_ms", "feedback_order")

    def __init__(self, identifier, output, feedback):
        self.identifier = identifier
        self.output_ms, _, self.y_pred = output
        self.feedback_ms, self.feedback_order, self.y_true = feedback


class TaskLog(object):
    """What the log says of every task: the latest value per (task, role, identifier)."""

    def __init__(self):
        self._lock = _derived.ForkSafeLock()
        self._store_dir = None
        self._follower = _derived.LogFollower(FACET.encode("ascii"))
        self._order = 0
        self._values = {}  # task -> role -> identifier -> (ms, order, value)
        self._metrics = {}  # task -> identifier -> (ms, order, RegisteredMetric)

    def refresh(self):
        with self._lock:
            store_dir = _store.location().store_dir
            if store_dir != self._store_dir:
                self._store_dir = store_dir
                self._values = {}
                self._metrics = {}
            for event in self._follower.new_events():
                self._take(event)

    def _take(self, event):
        dataset = event.get("dataset")
        if not isinstance(dataset, dict) or dataset.get("namespace") != TASK_NAMESPACE:
            return
        facet = (dataset.get("facets") or {}).get(FACET)
        task = dataset.get("name")
        ms = _derived.event_ms(event)
        is_metric = isinstance(facet, dict) and facet.get("role") == METRIC_ROLE
        if is_metric and ms is not None and isinstance(task, str):
            self._take_metric(task, ms, facet.get("metric"))
            return
        if not isinstance(facet, dict) or facet.get("role") not in ROLES or ms is None or not isinstance(task, str):
            return
        values = facet.get("values")
        by_id = self._values.setdefault(task, {}).setdefault(facet["role"], {})
        for item in values if isinstance(values, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("identifier"), str):
                continue
            value = item.get("value")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                continue
            self._order += 1
            current = by_id.get(item["identifier"])
            if current is None or (ms, self._order) > (current[0], current[1]):
                by_id[item["identifier"]] = (ms, self._order, float(value))

    def _take_metric(self, task, ms, raw):
        registered = _task_metrics.parse(raw)
        if registered is None:
            return
        self._order += 1
        by_id = self._metrics.setdefault(task, {})
        current = by_id.get(registered.identifier)
        if current is None or (ms, self._order) > (current[0], current[1]):
            by_id[registered.identifier] = (ms, self._order, registered)

    def registered_metrics(self, task):
        """The metrics registered for a task in any process (the latest registration of each
        identifier), by when each was last registered."""
        self.refresh()
        entries = sorted(self._metrics.get(task, {}).values(), key=lambda entry: (entry[0], entry[1]))
        return [entry[2] for entry in entries]

    def rows(self, task, role):
        """(ms, identifier, value) of one role, oldest first."""
        self.refresh()
        by_id = self._values.get(task, {}).get(role, {})
        ordered = sorted(by_id.items(), key=lambda item: (item[1][0], item[1][1]))
        return [(entry[0], identifier, entry[2]) for identifier, entry in ordered]

    def joined(self, task):
        """Every output that has feedback, by feedback time (then log order), oldest first."""
        self.refresh()
        roles = self._values.get(task, {})
        outputs, feedback = roles.get("output", {}), roles.get("feedback", {})
        pairs = [Joined(i, outputs[i], fb) for i, fb in feedback.items() if i in outputs]
        pairs.sort(key=lambda p: (p.feedback_ms, p.feedback_order))
        return pairs


_log = TaskLog()


def task_log():
    return _log


def within_seconds(pairs, window_seconds):
    """mltrace's window: both the output and its feedback logged in the last ``window_seconds``."""
    if not window_seconds:
        return pairs
    cutoff = (time.time() - float(window_seconds)) * 1000
    return [p for p in pairs if p.output_ms >= cutoff and p.feedback_ms >= cutoff]


def most_recent(pairs, count):
    """A registered Metric's window: the ``count`` most recent joined values (by feedback)."""
    return pairs[-int(count) :] if count else pairs


def apply(fn, pairs):
    """fn(y_true, y_pred), as mltrace calls it: feedback first, then outputs."""
    return fn([p.y_true for p in pairs], [p.y_pred for p in pairs])
