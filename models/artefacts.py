"""Model artefacts: what a run learnt, versioned by the hash of the data it learnt from.

``<folder>/models/<model>/<data hash>/card.json`` holds the data hash, the parameters, the
metrics and the learnt numbers that are plain data (coefficients, centroids) as JSON; no
pickle, so nothing executable is ever loaded back. The folder is the warehouse file's own folder
for DuckDB (``data/`` by default) and the settings' ``data_dir`` for PostgreSQL. Re-running on
the same data gives the same hash and the same card (``computed_at`` aside).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sklearn

from eldercare.settings import get_settings, is_postgres_target


def data_hash(frames: dict[str, pd.DataFrame]) -> str:
    """SHA-256 over the input frames, independent of their row order."""
    digest = hashlib.sha256()
    for name in sorted(frames):
        df = frames[name]
        digest.update(name.encode())
        digest.update(",".join(map(str, df.columns)).encode())
        rows = pd.util.hash_pandas_object(df.astype(str), index=False).sort_values()
        digest.update(rows.to_numpy().tobytes())
    return digest.hexdigest()


def folder_for(target: str) -> Path:
    if is_postgres_target(target):
        return Path(get_settings().data_dir)
    return Path(target).resolve().parent


def write_card(target: str, model: str, frames_hash: str, card: dict) -> Path:
    """Write the card of one run; returns its path."""
    path = folder_for(target) / "models" / model / frames_hash[:16] / "card.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "model": model,
        "data_hash": frames_hash,
        "scikit_learn": sklearn.__version__,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **card,
    }
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n", "utf-8")
    return path
