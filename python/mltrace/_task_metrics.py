"""Registered metrics of a task, as the log records them (``Task.registerMetric``; docs/EVENTS.md
"mltrace_task", role ``"metric"``).

A Metric is a name, a window (the ``window_size`` most recent joined values, or all) and a
function. The function itself cannot travel through the log: what travels is the name of the
supported metric it is (``"accuracy"``, ...), found by identity among the supported functions, or
nothing when it is a function of the user's own. Any process can then compute a metric registered
with a supported function; one registered with a function of its own only where that function is
registered again (the others list it and skip it, with one warning).
"""

import collections

from mltrace import _metric_functions

# What the log says of a registered metric; ``function`` None: a function of the user's own.
RegisteredMetric = collections.namedtuple(
    "RegisteredMetric", ["identifier", "name", "window_size", "function", "callable_name"]
)


def _entities_metrics():
    # Imported when first used: _tasks imports this module, and mltrace.entities imports _tasks.
    from mltrace.entities import metrics

    return metrics


def _supported_name(fn):
    """The supported metric whose function ``fn`` is (scikit-learn's or ours), or None."""
    _metrics = _entities_metrics()
    for table in (_metrics.supported_sklearn_metric_functions, _metric_functions.FUNCTIONS):
        for name, candidate in table.items():
            if candidate is fn:
                return name
    return None


def _window(window_size):
    """A window as the log records it: a positive whole number, or None for every value (a
    registered Metric reads ``int(window_size)`` values, and none at all when it is falsy)."""
    if not window_size:
        return None
    count = int(window_size)
    return count if count > 0 else None


def definition(metric):
    """The facet's ``metric`` object for a Metric."""
    fn = metric.fn
    record = {
        "name": str(metric.name),
        "identifier": metric.getIdentifier(),
        "windowSize": _window(metric.window_size),
        "function": _supported_name(fn),
    }
    if record["function"] is None:
        record["callable"] = str(getattr(fn, "__name__", None) or type(fn).__name__)
    return record


def parse(raw):
    """A RegisteredMetric from the facet's ``metric`` object, or None when it is malformed."""
    if not isinstance(raw, dict):
        return None
    name, identifier = raw.get("name"), raw.get("identifier")
    window, function = raw.get("windowSize"), raw.get("function")
    callable_name = raw.get("callable")
    if not (isinstance(name, str) and name and isinstance(identifier, str) and identifier):
        return None
    if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window <= 0):
        return None
    if function is not None and not (isinstance(function, str) and function):
        return None
    return RegisteredMetric(
        identifier,
        name,
        window,
        function,
        callable_name if isinstance(callable_name, str) else None,
    )


def function_here(registered):
    """The function this process computes a registered metric with, or (None, why not)."""
    if registered.function is None:
        return None, (
            "was registered with a function of its own (%s), which only a process that registers "
            "it can call" % (registered.callable_name or "unnamed")
        )
    try:
        return _entities_metrics().get_metric_function(registered.function), None
    except ValueError:
        return None, (
            "computes %s, which this Python cannot (scikit-learn is not importable here)"
            % registered.function
        )
