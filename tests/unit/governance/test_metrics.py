import pytest

from fcc.governance._metrics import confusion_metrics


def test_confusion_metrics_match_the_hand_computed_rates():
    m = confusion_metrics(tp=2, fp=1, fn=2, tn=5)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(0.5)
    assert m["f1"] == pytest.approx(4 / 7)  # 2PR/(P+R) = (2/3)/(7/6)
    assert m["type_i_error"] == pytest.approx(1 / 6)  # FP / (FP + TN)
    assert m["type_ii_error"] == pytest.approx(0.5)  # FN / (TP + FN)


def test_undefined_rates_are_none_not_zero():
    m = confusion_metrics(tp=0, fp=0, fn=3, tn=7)
    assert m["precision"] is None and m["f1"] is None
    assert m["recall"] == 0.0 and m["type_ii_error"] == 1.0 and m["type_i_error"] == 0.0
    assert confusion_metrics(0, 0, 0, 0)["type_i_error"] is None


def test_f1_is_zero_when_alerts_exist_but_none_is_productive():
    assert confusion_metrics(tp=0, fp=4, fn=2, tn=4)["f1"] == 0.0
