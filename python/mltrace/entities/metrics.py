"""mltrace's named metrics and ``Metric``: a function of (y_true, y_pred) with a window.

mltrace imports scikit-learn for these. Here scikit-learn's functions are used when it can be
imported (and then all of mltrace's names are supported); otherwise the standard-library ones of
``_metric_functions`` give the same answers for accuracy, precision, recall, f1, mean absolute,
squared and median absolute error, r2 and explained variance.
"""

import inspect

from mltrace import _metric_functions

_SKLEARN_NAMES = {
    "accuracy": "accuracy_score",
    "precision": "precision_score",
    "recall": "recall_score",
    "f1": "f1_score",
    "roc_auc": "roc_auc_score",
    "mean_absolute_error": "mean_absolute_error",
    "mean_squared_error": "mean_squared_error",
    "median_absolute_error": "median_absolute_error",
    "r2": "r2_score",
    "explained_variance": "explained_variance_score",
    "confusion_matrix": "confusion_matrix",
    "mutual_info_score": "mutual_info_score",
}


def _sklearn_functions():
    try:
        from sklearn import metrics as sklearn_metrics
    except Exception:  # not installed, or broken: the standard-library metrics serve
        return None
    return {name: getattr(sklearn_metrics, attr) for name, attr in _SKLEARN_NAMES.items()}


_sklearn = _sklearn_functions()
SKLEARN_AVAILABLE = _sklearn is not None
supported_sklearn_metric_functions = _sklearn if _sklearn is not None else dict(_metric_functions.FUNCTIONS)
supported_sklearn_metrics = supported_sklearn_metric_functions.keys()


def get_metric_function(name):
    """The function of a named metric; ValueError naming the supported ones otherwise."""
    if name in supported_sklearn_metric_functions:
        return supported_sklearn_metric_functions[name]
    raise ValueError(
        "The metric {} is not supported. Supported metrics are: {}".format(
            name, list(supported_sklearn_metrics)
        )
    )


def check_metric_function(fn):
    """mltrace's check: the function takes at least y_true and y_pred."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return  # a built-in without a signature: let the call decide
    if len(parameters) < 2:
        raise RuntimeError("The function must take at least 2 arguments: y_true, y_pred.")


class Metric(object):
    """A metric to compute over a task's joined outputs and feedback. ``window_size`` is how many
    of the most recent joined values it reads (by feedback time); None reads them all."""

    def __init__(self, name, window_size=None, fn=None):
        self.name = name
        self.window_size = window_size
        self.fn = fn
        if name in supported_sklearn_metrics and not self.fn:
            self.fn = get_metric_function(name)
        if not self.fn:
            raise ValueError("You must pass a supported metric name or fn yourself.")
        check_metric_function(self.fn)

    def getIdentifier(self):
        return "%s_window%s" % (self.name, self.window_size)

    def __repr__(self):
        return "Metric(name=%r, window_size=%r)" % (self.name, self.window_size)
