"""mltrace's Task: a model's outputs and the feedback that comes later, and metrics over both.

Outputs and feedback are events in the log (``_tasks``); metrics read them back from the log, so
a Task in one process sees what every other process and machine logged (after ``mltrace sync``).
"""

import collections
from datetime import datetime, timezone

from mltrace import _tasks
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
        """Adds a Metric that computeMetrics computes (``create_view`` is accepted: mltrace made
        a materialized view; the log needs none)."""
        if not isinstance(metric, Metric):
            raise TypeError("registerMetric takes a Metric, not %r" % (metric,))
        self.metrics.append(metric)

    def computeMetrics(self, use_views=True):
        """{metric.getIdentifier(): value} of every registered Metric, each over its window: the
        ``window_size`` most recent joined values (all when None)."""
        pairs = _tasks.task_log().joined(self.task_name)
        return {
            metric.getIdentifier(): _tasks.apply(metric.fn, _tasks.most_recent(pairs, metric.window_size))
            for metric in self.metrics
        }

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
