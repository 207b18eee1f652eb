"""Scoring the warning against the generator's truth (tests and benchmarks only; the truth is
never read by the product or the training).

Time split: the model trains on the orders before the last ``test_months`` months and is judged
on the completed orders of those months. Three flaggers side by side: rules alone (any high or
medium rule hit), the model alone (its calibrated probability at the threshold), and both (the
published warning_score at the threshold).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss

from models.warning import publish, rules


def split_time(orders: pd.DataFrame, test_months: int = 3) -> pd.Timestamp:
    when = orders["start_time"].fillna(orders["plan_time"])
    last = when.max().to_period("M")
    return (last - (test_months - 1)).start_time


def _metrics(flag: np.ndarray, score: np.ndarray, truth: np.ndarray, pattern: np.ndarray) -> dict:
    tp = int((flag & truth).sum())
    out = {
        "flagged": int(flag.sum()),
        "precision": round(tp / max(int(flag.sum()), 1), 4),
        "recall": round(tp / max(int(truth.sum()), 1), 4),
        "auprc": round(float(average_precision_score(truth, score)), 4) if truth.any() else None,
    }
    out["per_pattern_recall"] = {
        p: round(float(flag[pattern == p].mean()), 4) for p in sorted(set(pattern[truth]))
    }
    return out


def evaluate(
    orders: pd.DataFrame,
    doubts: pd.DataFrame,
    fraud: pd.DataFrame,
    ruleset: rules.RuleSet | None = None,
    test_months: int = 3,
) -> dict:
    """Metrics of rules, model and both on the last ``test_months`` months. ``fraud``: the
    truth's fraud_orders (order_id, pattern)."""
    ruleset = ruleset or rules.load_rules()
    cut = split_time(orders, test_months)
    s = publish.score_orders(orders, doubts, None, ruleset, train_until=cut)
    when = s.orders["start_time"].fillna(s.orders["plan_time"])
    test = (
        (when >= cut) & s.orders["order_status"].astype(str).isin(publish.REVIEWABLE)
    ).to_numpy()
    pattern_of = dict(zip(fraud["order_id"], fraud["pattern"], strict=True))
    pattern = s.orders["order_id"].map(pattern_of).fillna("").to_numpy()[test]
    truth = pattern != ""
    threshold = s.model.threshold
    floor = s.model.rule_floor(s.hits)[test]
    model_p = s.model.model_probability(s.x)[test]
    hit_any = np.zeros(test.sum(), bool)
    for r in ruleset.rules:
        if r.severity in ("high", "medium"):
            hit_any |= s.hits[r.code].to_numpy()[test] == 1.0
    both = s.score[test]
    return {
        "train_until": str(cut.date()),
        "test_orders": int(test.sum()),
        "test_fraud": int(truth.sum()),
        "threshold": round(threshold, 4),
        "model": {k: v for k, v in s.model.info.items()},
        "rules_alone": _metrics(hit_any, floor, truth, pattern),
        "model_alone": _metrics(model_p >= threshold, model_p, truth, pattern),
        "both": _metrics(both >= threshold, both, truth, pattern),
        "brier_both": round(float(brier_score_loss(truth, np.clip(both, 0, 1))), 4),
    }
