"""Confusion-matrix arithmetic shared by validation, tuning and the model."""

from __future__ import annotations


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def confusion_metrics(tp: int, fp: int, fn: int, tn: int) -> dict[str, float | None]:
    """Precision, recall, F1, Type I and Type II error rates of one confusion matrix.

    Type I = FP / (FP + TN): share of non-suspicious customers alerted (false-positive rate).
    Type II = FN / (TP + FN): share of suspicious customers missed (1 - recall).
    A rate whose denominator is 0 is None (undefined), never 0.
    """
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "type_i_error": _ratio(fp, fp + tn),
        "type_ii_error": _ratio(fn, tp + fn),
    }
