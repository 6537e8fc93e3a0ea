"""Run parameters and metrics: what a run was given and how it did (docs/EVENTS.md
"mltrace_params", "mltrace_metrics").

mltrace's own examples encode them in pointer names (``lr_0.1``, ``0.84_accuracy``); here they
are named values on the run's COMPLETE or FAIL event. A value that cannot be recorded is
skipped with one warning: logging never stops the pipeline.
"""

import math

from mltrace import _events, _store

MAX_TEXT = 1000  # a parameter that is not a plain value is recorded as its repr, this long at most


def param_value(value):
    """A JSON value for a parameter: strings, finite numbers, booleans and None as they are;
    anything else (lists, arrays, objects, NaN) as its repr, cut to MAX_TEXT characters."""
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) else value[:MAX_TEXT]
    if isinstance(value, int):
        return value if abs(value) < 2 ** 53 else str(value)
    if isinstance(value, float) and math.isfinite(value):
        return value
    number = _plain_number(value)
    if number is not None:
        return number
    text = repr(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def metric_value(name, value):
    """A metric as a finite float, or None (after one warning) when it is not a number."""
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None:
        number = _plain_number(value)
    if number is None or not math.isfinite(float(number)):
        _store.warn_once(
            "metric:%s" % name,
            "mltrace records metrics as finite numbers; metric %r = %r was skipped." % (name, value),
        )
        return None
    return float(number)


def _plain_number(value):
    """numpy scalars and other one-number types (they have .item() or __float__)."""
    if isinstance(value, bool):
        return None
    try:
        item = value.item() if hasattr(value, "item") and getattr(value, "ndim", 0) == 0 else value
    except Exception:
        return None
    if isinstance(item, bool) or not isinstance(item, (int, float)):
        return None
    if isinstance(item, float) and not math.isfinite(item):
        return None
    return item


class RunValues(object):
    """The parameters and metrics of one run, latest value per name."""

    __slots__ = ("params", "metrics")

    def __init__(self):
        self.params = {}
        self.metrics = {}

    def log_param(self, name, value):
        self.params[str(name)] = param_value(value)

    def log_metric(self, name, value):
        number = metric_value(str(name), value)
        if number is not None:
            self.metrics[str(name)] = number

    def facets(self):
        """Run facets for the end event (none when nothing was logged)."""
        facets = {}
        if self.params:
            facets["mltrace_params"] = _events.our_facet("mltrace_params", {"params": dict(self.params)})
        if self.metrics:
            facets["mltrace_metrics"] = _events.our_facet("mltrace_metrics", {"metrics": dict(self.metrics)})
        return facets


def read_locals(values, local_vars, params, metrics):
    """``register(..., params=[...], metrics=[...])``: variables read at return, as mltrace reads
    ``output_vars`` (a missing variable raises ValueError, as it does there)."""
    for kind, names in (("param", params), ("metric", metrics)):
        for var in names:
            if var not in local_vars:
                raise ValueError("Variable %s not in current stack frame." % var)
            if kind == "param":
                values.log_param(var, local_vars[var])
            else:
                values.log_metric(var, local_vars[var])
