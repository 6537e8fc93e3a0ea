"""mltrace's Task: a model's outputs and the feedback that comes later, and metrics over both.

Outputs and feedback are events in the log (``_tasks``); metrics read them back from the log, so
a Task in one process sees what every other process and machine logged (after ``mltrace sync``).
Registered metrics are events too (``_task_metrics``): ``computeMetrics`` in any process computes
every metric registered for the task, except one registered with a function of the user's own,
which only a process that registers it again can call.
"""

import collections
from datetime import datetime, timezone

from mltrace import _store, _task_metrics, _tasks
from mltrace.entities.metrics import Metric, check_metric_function, get_metric_function

# A row of getOutputs / getFeedback, as mltrace's query returns them.
TaskValue = collections.namedtuple("TaskValue", ["timestamp", "identifier", "value"])


def _metric_fn(metric):
    fn = metric if callable(metric) else get_metric_function(metric)
    check_metric_function(fn)
    return fn


class Task(object):
    def __init__(self, task_name):
        self.task_name = str(task_name)
        self.metrics = []

    def registerMetric(self, metric, create_view=True):
        """Adds a Metric that computeMetrics computes, here and, logged, in any other process
        (``create_view`` is accepted: mltrace made a materialized view; the log needs none).
        A metric of the same identifier replaces the one registered before."""
        if not isinstance(metric, Metric):
            raise TypeError("registerMetric takes a Metric, not %r" % (metric,))
        identifier = metric.getIdentifier()
        same = [i for i, m in enumerate(self.metrics) if m.getIdentifier() == identifier]
        if same:
            self.metrics[same[0]] = metric
        else:
            self.metrics.append(metric)
        _tasks.log_metric(self.task_name, metric)

    def registeredMetrics(self):
        """Every metric registered for this task, in any process, as the log says (RegisteredMetric:
        identifier, name, window_size, function: the supported metric it computes, or None for a
        function of its own, callable_name), then those registered here only."""
        logged = _tasks.task_log().registered_metrics(self.task_name)
        known = set(r.identifier for r in logged)
        here = [
            _task_metrics.parse(_task_metrics.definition(m))
            for m in self.metrics
            if m.getIdentifier() not in known
        ]
        return logged + [r for r in here if r is not None]

    def computeMetrics(self, use_views=True):
        """{identifier: value} of every Metric registered for this task, in this process or any
        other, each over its window: the ``window_size`` most recent joined values (all when
        None). A metric registered elsewhere with a function of its own is skipped, with one
        warning: only a process that registers that function can compute it."""
        pairs = _tasks.task_log().joined(self.task_name)
        here = dict((m.getIdentifier(), m.fn) for m in self.metrics)
        results = {}
        for registered in _tasks.task_log().registered_metrics(self.task_name):
            if registered.identifier in here:
                continue  # computed below, with this process's own function
            fn, why_not = _task_metrics.function_here(registered)
            if fn is None:
                _store.warn_once(
                    "task-metric-elsewhere:%s:%s" % (self.task_name, registered.identifier),
                    "mltrace's computeMetrics skips the metric %s of task %r in this process: it %s."
                    % (registered.identifier, self.task_name, why_not),
                )
                continue
            window = _tasks.most_recent(pairs, registered.window_size)
            results[registered.identifier] = _tasks.apply(fn, window)
        for metric in self.metrics:
            results[metric.getIdentifier()] = _tasks.apply(
                metric.fn, _tasks.most_recent(pairs, metric.window_size)
            )
        return results

    def computeMetric(self, metric, window_size=None):
        """A metric (a function of y_true, y_pred, or a supported name) over the joined outputs
        and feedback logged in the last ``window_size`` seconds (all when None)."""
        fn = _metric_fn(metric)
        pairs = _tasks.within_seconds(_tasks.task_log().joined(self.task_name), window_size)
        return _tasks.apply(fn, pairs)

    def logOutput(self, output_value, identifier):
        _tasks.log_values(self.task_name, "output", [identifier], [output_value])

    def logOutputs(self, output_values, identifiers):
        _tasks.log_values(self.task_name, "output", list(identifiers), list(output_values))

    def logFeedback(self, feedback_value, identifier):
        _tasks.log_values(self.task_name, "feedback", [identifier], [feedback_value])

    def logFeedbacks(self, feedback_values, identifiers):
        _tasks.log_values(self.task_name, "feedback", list(identifiers), list(feedback_values))

    def getOutputs(self, limit=None, window_size=None):
        return self._rows("output", limit, window_size)

    def getFeedback(self, limit=None, window_size=None):
        return self._rows("feedback", limit, window_size)

    def _rows(self, role, limit, window_size):
        """mltrace's rows (timestamp, identifier, value): the latest value of each identifier;
        ``limit`` most recent first, ``window_size`` in seconds."""
        rows = _tasks.task_log().rows(self.task_name, role)
        if window_size:
            cutoff = (datetime.now(timezone.utc).timestamp() - float(window_size)) * 1000
            rows = [r for r in rows if r[0] >= cutoff]
        if limit:
            rows = list(reversed(rows))[: int(limit)]
        return [
            TaskValue(datetime.fromtimestamp(ms / 1000.0, timezone.utc), identifier, value)
            for ms, identifier, value in rows
        ]

    def __repr__(self):
        return "Task(%r)" % self.task_name
