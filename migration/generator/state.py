"""What the generator modules share while they build one legacy dataset."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa

from migration.generator.config import Config
from migration.generator.reference import Reference

Frame = dict[str, np.ndarray]  # column name -> numpy array (object arrays hold None for NULL)


def pick(
    rng: np.random.Generator, n: int, rate: float, mask: np.ndarray | None = None
) -> np.ndarray:
    """Indices of the rows (out of n, or of those in mask) that a draw at `rate` selects.

    At least one row is picked when any is eligible and rate > 0, so that even the tiny scale
    shows every kind of dirt; at larger scales this changes nothing measurable.
    """
    cand = np.arange(n) if mask is None else np.flatnonzero(mask)
    hit = cand[rng.random(len(cand)) < rate]
    if len(hit) == 0 and len(cand) and rate > 0:
        hit = cand[[int(rng.integers(0, len(cand)))]]
    return hit


_EPOCH_DAY = np.datetime64("2010-01-01", "D")
_N_DAYS = 365 * 20


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    days = _EPOCH_DAY + np.arange(_N_DAYS)
    day_txt = np.char.add(np.datetime_as_string(days, unit="D"), " ")
    sec = np.arange(86_400)
    hms = np.char.add(
        np.char.add(np.char.zfill((sec // 3600).astype("U2"), 2), ":"),
        np.char.add(np.char.add(np.char.zfill((sec // 60 % 60).astype("U2"), 2), ":"),
                    np.char.zfill((sec % 60).astype("U2"), 2)),
    )  # fmt: skip
    return day_txt.astype("U11"), hms.astype("U8")


def pick_from_catchment(
    rng, catchment: np.ndarray, ids: np.ndarray, town: np.ndarray
) -> np.ndarray:
    """For each row's town, one provider (uniformly) among those whose catchment holds the town."""
    counts = catchment.sum(axis=1)
    # per town, the provider columns listed in a flat array
    flat = np.concatenate([np.flatnonzero(r) for r in catchment])
    offset = np.r_[0, np.cumsum(counts)[:-1]]
    k = (rng.random(len(town)) * counts[town]).astype(int)
    return ids[flat[offset[town] + k]]


def fmt_dt(a: np.ndarray) -> np.ndarray:
    """datetime64 -> 'YYYY-MM-DD HH:MM:SS' (None for NaT), through lookup tables (fast)."""
    s = a.astype("datetime64[s]").astype(np.int64)
    nat = np.isnat(a)
    day = np.floor_divide(s, 86_400)
    off = day - _EPOCH_DAY.astype(np.int64)
    if nat.all() or (off[~nat].min() >= 0 and off[~nat].max() < _N_DAYS):
        day_txt, hms = _tables()
        out = np.char.add(day_txt[np.clip(off, 0, _N_DAYS - 1)], hms[s - day * 86_400])
    else:
        out = np.char.replace(np.datetime_as_string(a.astype("datetime64[s]"), unit="s"), "T", " ")
    if nat.any():
        out = out.astype(object)
        out[nat] = None
    return out


def fmt_unique(a: np.ndarray, fmt: str) -> np.ndarray:
    """Format numbers with few distinct values: each distinct value is formatted once."""
    u, inv = np.unique(a, return_inverse=True)
    return np.array([fmt % x for x in u.tolist()] or [""], dtype=object)[inv.ravel()]


def _dates(a: np.ndarray) -> np.ndarray:
    out = np.datetime_as_string(a, unit="D").astype(object)
    out[np.isnat(a)] = None
    return out


DIRT_COLUMNS = ["table_name", "source_key", "column_name", "kind", "true_value", "dirty_value"]


@dataclass
class DirtLog:
    """Every injected dirty value, with the value it replaced (truth/dirt.parquet).

    Parts are kept as Arrow tables: compact, so city scale's millions of entries stay small.
    """

    parts: list[pa.Table] = field(default_factory=list)

    def add(self, table: str, keys, column: str, kind: str, true, dirty) -> None:
        keys = np.asarray(keys)
        n = len(keys)
        if n == 0:
            return
        key_arr = pa.array(keys) if keys.dtype.kind != "U" else pa.array(keys.astype(object))
        self.parts.append(
            pa.table(
                {
                    "table_name": pa.array(np.full(n, table, dtype=object), pa.string()),
                    "source_key": key_arr.cast(pa.string()),
                    "column_name": pa.array(np.full(n, column, dtype=object), pa.string()),
                    "kind": pa.array(np.full(n, kind, dtype=object), pa.string()),
                    "true_value": _text(true, n),
                    "dirty_value": _text(dirty, n),
                }
            )
        )

    def table(self) -> pa.Table:
        if not self.parts:
            return pa.table({c: pa.array([], pa.string()) for c in DIRT_COLUMNS})
        return pa.concat_tables(self.parts)


def _text(v, n: int) -> pa.Array:
    """Any logged value as Arrow text (NULL for None/NaT), without per-value Python work."""
    if v is None:
        return pa.nulls(n, pa.string())
    arr = np.asarray(v)
    if arr.ndim == 0:
        arr = np.full(n, arr.item())
    if arr.dtype.kind == "M":
        day = arr.dtype == np.dtype("datetime64[D]")
        arr = _dates(arr) if day else np.asarray(fmt_dt(arr), dtype=object)
    if arr.dtype.kind == "U":
        return pa.array(arr, pa.string())
    if arr.dtype != object:
        return pa.array(arr).cast(pa.string())
    try:
        return pa.array(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if x is None else str(x) for x in arr], pa.string())


@dataclass
class World:
    cfg: Config
    ref: Reference
    tables: dict[str, Frame] = field(default_factory=dict)
    streams: dict[str, Iterator[Frame]] = field(default_factory=dict)  # tables made in chunks
    dirt: DirtLog = field(default_factory=DirtLog)
    # truth and shared facts, filled module by module
    persons: Frame = field(default_factory=dict)  # one row per real person
    orgs: Frame = field(default_factory=dict)  # one row per real organisation
    truth: dict[str, Frame] = field(default_factory=dict)
    fraud: dict[str, np.ndarray] = field(default_factory=dict)  # pattern -> order_ids
