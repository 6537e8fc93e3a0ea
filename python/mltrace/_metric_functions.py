"""The named metrics of mltrace's ``supported_sklearn_metrics`` that need no scikit-learn,
written with the standard library to give scikit-learn's answers (its defaults: binary
precision, recall and F1 of the label 1, zero division counted as 0, R² and explained variance
of a constant target 1.0 when predicted exactly and 0.0 otherwise). ``entities/metrics.py``
uses scikit-learn's own functions instead whenever it can be imported.
"""

import math
import statistics


def _pairs(y_true, y_pred):
    y_true = [float(v) for v in y_true]
    y_pred = [float(v) for v in y_pred]
    if len(y_true) != len(y_pred):
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: [%d, %d]"
            % (len(y_true), len(y_pred))
        )
    if not y_true:
        raise ValueError("Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required.")
    return y_true, y_pred


def accuracy(y_true, y_pred):
    y_true, y_pred = _pairs(y_true, y_pred)
    return sum(1 for t, p in zip(y_true, y_pred) if t == p) / len(y_true)


def _binary_counts(y_true, y_pred):
    """True positives, false positives and false negatives of the label 1, as scikit-learn's
    ``average="binary"`` counts them (it refuses more than two labels, or two without 1)."""
    y_true, y_pred = _pairs(y_true, y_pred)
    labels = set(y_true) | set(y_pred)
    if len(labels) > 2:
        raise ValueError(
            "Target is multiclass but average='binary'. Please choose another average setting."
        )
    if len(labels) == 2 and 1.0 not in labels:
        raise ValueError("pos_label=1 is not a valid label. It should be one of %s" % sorted(labels))
    tp = sum(1 for t, p in zip(y_true, y_pred) if t == 1.0 and p == 1.0)
    fp = sum(1 for t, p in zip(y_true, y_pred) if t != 1.0 and p == 1.0)
    fn = sum(1 for t, p in zip(y_true, y_pred) if t == 1.0 and p != 1.0)
    return tp, fp, fn


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else 0.0


def precision(y_true, y_pred):
    tp, fp, _ = _binary_counts(y_true, y_pred)
    return _ratio(tp, tp + fp)


def recall(y_true, y_pred):
    tp, _, fn = _binary_counts(y_true, y_pred)
    return _ratio(tp, tp + fn)


def f1(y_true, y_pred):
    tp, fp, fn = _binary_counts(y_true, y_pred)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pairs(y_true, y_pred)
    return math.fsum(abs(t - p) for t, p in zip(y_true, y_pred)) / len(y_true)


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pairs(y_true, y_pred)
    return math.fsum((t - p) ** 2 for t, p in zip(y_true, y_pred)) / len(y_true)


def median_absolute_error(y_true, y_pred):
    y_true, y_pred = _pairs(y_true, y_pred)
    return float(statistics.median(abs(t - p) for t, p in zip(y_true, y_pred)))


def _finite_score(numerator, denominator):
    """1 - numerator / denominator, where a zero denominator gives 1.0 (perfect) or 0.0."""
    if denominator == 0:
        return 1.0 if numerator == 0 else 0.0
    return 1.0 - numerator / denominator


def r2(y_true, y_pred):
    y_true, y_pred = _pairs(y_true, y_pred)
    if len(y_true) < 2:
        return float("nan")  # scikit-learn: "R^2 score is not well-defined with less than two samples."
    mean = math.fsum(y_true) / len(y_true)
    residual = math.fsum((t - p) ** 2 for t, p in zip(y_true, y_pred))
    total = math.fsum((t - mean) ** 2 for t in y_true)
    return _finite_score(residual, total)


def explained_variance(y_true, y_pred):
    y_true, y_pred = _pairs(y_true, y_pred)
    n = len(y_true)
    errors = [t - p for t, p in zip(y_true, y_pred)]
    error_mean = math.fsum(errors) / n
    true_mean = math.fsum(y_true) / n
    error_variance = math.fsum((e - error_mean) ** 2 for e in errors) / n
    true_variance = math.fsum((t - true_mean) ** 2 for t in y_true) / n
    return _finite_score(error_variance, true_variance)


FUNCTIONS = {
    "accuracy": accuracy,
    "precision": precision,
    "recall": recall,
    "f1": f1,
    "mean_absolute_error": mean_absolute_error,
    "mean_squared_error": mean_squared_error,
    "median_absolute_error": median_absolute_error,
    "r2": r2,
    "explained_variance": explained_variance,
}
