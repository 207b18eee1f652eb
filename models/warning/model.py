"""The learned warning score: positive-unlabelled logistic regression over the rule signals and
behavioural features, calibrated to 0–1, with a threshold sized to the reviewers' capacity.

Why logistic regression: every order's reasons are exact (each feature's contribution to the
log-odds), the artefact is a handful of numbers (JSON, no pickle), and it trains on 1.25 M
orders in seconds. Why positive-unlabelled: most orders were never reviewed; treating them as
negatives would teach the model that unreviewed fraud is normal. We fit "labelled positive vs
the rest" and divide by c = P(labelled | positive) (Elkan & Noto 2008), estimated out of fold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models.warning.rules import RuleSet, month_key

RANDOM_STATE = 12
# Chinese names of the behavioural features, as reasons show them.
FEATURE_LABELS = {
    "log_start_dist": "开始位置距住址较远",
    "log_end_dist": "结束位置距住址较远",
    "duration_ratio": "服务时长与项目最短时长之比偏低",
    "photo_reuse_count": "照片被多个工单使用",
    "log_speed": "与上一单之间移动速度快",
    "hour": "服务时段异常",
    "month_end_days": "临近月末",
    "subsidy_ratio": "补贴占月度标准比例高",
    "amount_ratio": "金额高于收费标准",
    "no_audio": "无服务录音",
    "no_photo": "缺少服务照片",
    "worker_day_orders": "服务人员当日工单多",
    "org_month_end_share": "服务商月末工单占比高",
    "elder_month_orders": "老人当月工单多",
}


def features(o: pd.DataFrame, hits: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame:
    """The model's inputs: each rule as 1/0 (not evaluable is 0) and the behaviour around it."""
    o = o.reset_index(drop=True)
    when = o["start_time"].fillna(o["plan_time"])
    x = pd.DataFrame({f"rule_{c}": hits[c].fillna(0.0) for c in hits.columns})
    x["log_start_dist"] = np.log1p(m["start_dist_m"])
    x["log_end_dist"] = np.log1p(m["end_dist_m"])
    x["duration_ratio"] = m["duration_ratio"].clip(0, 5)
    x["photo_reuse_count"] = m["photo_reuse_count"].clip(0, 5)
    speed = (m["travel_m"] / 1000.0) / (m["gap_min"].clip(lower=1) / 60.0)
    x["log_speed"] = np.log1p(speed)
    x["hour"] = (when.dt.hour - 13).abs()
    x["month_end_days"] = m["month_end_days"].clip(0, 31)
    x["subsidy_ratio"] = (o["subsidy_amount"] / m["monthly_entitlement"].replace(0, np.nan)).clip(
        0, 3
    )
    x["amount_ratio"] = (o["amount"] / m["standard_amount"].replace(0, np.nan)).clip(0, 5)
    x["no_audio"] = o["audio_seconds"].isna().astype(float)
    x["no_photo"] = (o["photo_before"].isna() | o["photo_after"].isna()).astype(float)
    day = when.dt.normalize()
    x["worker_day_orders"] = (
        o.groupby([o["staff_code"], day], sort=False)["order_id"].transform("size").fillna(1)
    )
    month = month_key(when)
    late = (m["month_end_days"] <= 2).astype(float)
    x["org_month_end_share"] = late.groupby([o["org_code"], month], sort=False).transform("mean")
    x["elder_month_orders"] = o.groupby([o["elder_code"], month], sort=False)["order_id"].transform(
        "size"
    )
    return x.astype(float)


@dataclass
class WarningModel:
    pipeline: Pipeline | None
    columns: list[str]
    c: float  # P(labelled | positive), Elkan-Noto
    threshold: float
    floors: dict[str, float]
    severities: dict[str, str]
    info: dict = field(default_factory=dict)

    def model_probability(self, x: pd.DataFrame) -> np.ndarray:
        if self.pipeline is None:
            return np.zeros(len(x))
        g = self.pipeline.predict_proba(x[self.columns])[:, 1]
        return np.clip(g / self.c, 0.0, 1.0)

    def rule_floor(self, hits: pd.DataFrame) -> np.ndarray:
        floor = np.zeros(len(hits))
        for code in hits.columns:
            level = self.floors.get(self.severities.get(code, "low"), 0.0)
            floor = np.where(hits[code].to_numpy() == 1.0, np.maximum(floor, level), floor)
        return floor

    def score(self, x: pd.DataFrame, hits: pd.DataFrame) -> np.ndarray:
        """Calibrated model probability, raised to the floor of the rules the order hits."""
        return np.maximum(self.model_probability(x), self.rule_floor(hits))

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame:
        """Each feature's contribution to the log-odds (coefficient × standardised value)."""
        if self.pipeline is None:
            return pd.DataFrame(index=x.index)
        imputer, scaler, lr = (self.pipeline.named_steps[k] for k in ("impute", "scale", "lr"))
        z = scaler.transform(imputer.transform(x[self.columns]))
        names = list(imputer.get_feature_names_out(self.columns))  # + missingindicator_<col>
        return pd.DataFrame(z * lr.coef_[0], columns=names, index=x.index)

    def as_json(self) -> dict:
        """The artefact: every number of the model (no pickle)."""
        out = dict(self.info)
        out.update(c=self.c, threshold=self.threshold, columns=self.columns)
        if self.pipeline is not None:
            imputer, scaler, lr = (self.pipeline.named_steps[k] for k in ("impute", "scale", "lr"))
            out.update(
                medians=dict(zip(self.columns, imputer.statistics_.round(6).tolist(), strict=True)),
                scale_mean=scaler.mean_.round(6).tolist(),
                scale_sd=scaler.scale_.round(6).tolist(),
                coefficients=lr.coef_[0].round(6).tolist(),
                intercept=float(lr.intercept_[0]),
            )
        return out


def _pipeline() -> Pipeline:
    return Pipeline(
        [
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("scale", StandardScaler()),
            ("lr", LogisticRegression(C=0.5, max_iter=1000, random_state=RANDOM_STATE)),
        ]
    )


def data_hash(x: pd.DataFrame, y: pd.Series) -> str:
    h = hashlib.sha256(pd.util.hash_pandas_object(x, index=False).to_numpy().tobytes())
    h.update(np.nan_to_num(y.to_numpy(dtype=float), nan=-1).tobytes())
    return h.hexdigest()[:16]


def train(
    x: pd.DataFrame,
    hits: pd.DataFrame,
    y: pd.Series,
    completed: np.ndarray,
    ruleset: RuleSet,
    window: tuple[str, str] = ("", ""),
) -> WarningModel:
    """Fit on orders with their labels y (1, 0, NaN = unlabelled), all aligned by position."""
    y = pd.Series(np.asarray(y, dtype=float))
    s = (y == 1.0).to_numpy().astype(int)
    severities = {r.code: r.severity for r in ruleset.rules}
    info = {
        "window_start": window[0], "window_end": window[1], "orders": int(len(x)),
        "labelled_positive": int(s.sum()), "labelled_negative": int((y == 0.0).sum()),
        "unlabelled": int(y.isna().sum()), "data_hash": data_hash(x, y),
    }  # fmt: skip
    columns = list(x.columns)
    if s.sum() < ruleset.min_positives:
        model = WarningModel(None, columns, 1.0, 1.0, ruleset.floors, severities, info)
        info["note"] = f"fewer than {ruleset.min_positives} labelled positives: rules only"
    else:
        # known negatives count double against the unlabelled, who may hide positives
        weight = np.where(y.to_numpy() == 0.0, 2.0, 1.0)
        # Elkan-Noto: fit on three quarters, c from the held-out labelled positives; one fit
        # keeps training at city scale within minutes
        split = StratifiedShuffleSplit(n_splits=1, test_size=0.25, random_state=RANDOM_STATE)
        fit_idx, held = next(split.split(x, s))
        pipe = _pipeline().fit(x.iloc[fit_idx], s[fit_idx], lr__sample_weight=weight[fit_idx])
        pos = held[s[held] == 1]
        c = float(np.clip(pipe.predict_proba(x.iloc[pos])[:, 1].mean(), 1e-3, 1.0))
        model = WarningModel(pipe, columns, c, 1.0, ruleset.floors, severities, info)
        info["c"] = round(c, 4)
    scores = model.score(x, hits)[completed]
    k = max(int(round(ruleset.capacity_share * completed.sum())), 1)
    at_capacity = float(np.sort(scores)[::-1][min(k, len(scores)) - 1]) if len(scores) else 1.0
    model.threshold = max(ruleset.min_threshold, at_capacity)
    labelled = completed & y.notna().to_numpy()
    flagged = model.score(x, hits) >= model.threshold
    hit_lab = flagged & labelled
    info.update(
        capacity_orders=k,
        threshold_at_capacity=round(at_capacity, 4),
        flagged_share=round(float(flagged[completed].mean()) if completed.any() else 0.0, 4),
        labelled_precision=round(float((y.to_numpy()[hit_lab] == 1).mean()), 4) if hit_lab.any() else None,
        labelled_recall=round(float(flagged[labelled & (y.to_numpy() == 1)].mean()), 4) if s.any() else None,
    )  # fmt: skip
    return model


def reasons(model: WarningModel, x: pd.DataFrame, hits: pd.DataFrame, labels: dict[str, str],
            top: int = 2) -> list[str]:  # fmt: skip
    """Chinese reasons per order: the rules hit, then the features that raised the score most."""
    hit_codes = [c for c in hits.columns]
    hit_arr = hits.to_numpy() == 1.0
    contrib = model.contributions(x)
    named = [c for c in contrib.columns if c in FEATURE_LABELS]
    cvals = contrib[named].to_numpy() if named else np.zeros((len(x), 0))
    out = []
    for i in range(len(x)):
        parts = [labels[hit_codes[j]] for j in np.flatnonzero(hit_arr[i])]
        if cvals.shape[1]:
            row = cvals[i]
            for j in np.argsort(row)[::-1][:top]:
                if row[j] > 0.5:
                    parts.append(FEATURE_LABELS[named[j]])
        out.append("；".join(dict.fromkeys(parts)))
    return out


def to_json(model: WarningModel) -> str:
    return json.dumps(model.as_json(), ensure_ascii=False, sort_keys=True)
