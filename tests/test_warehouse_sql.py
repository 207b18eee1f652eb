"""WarehouseConnection.execute takes ``?`` placeholders on both engines; a '?' or '%' inside a
literal, a quoted name or a comment is text, not a placeholder."""

from __future__ import annotations

import pytest

from eldercare.warehouse import Warehouse

# Each statement with its parameters and the row both engines must return.
CASES = [
    ("select 'why?' as a, ? as b", ["x"], ("why?", "x")),
    ("select '50%' as a, ? || '%?' as b", ["7"], ("50%", "7%?")),
    ('select ? as "what?", 7 % 4 as m -- a comment? 100%\n', [1], (1, 3)),
    ("select 'it''s ?' as a, /* ? % */ ? as b", ["y"], ("it's ?", "y")),
    ("select '50%?' as a, 9 % 5 as b", [], ("50%?", 4)),
]


def _rows(target: str) -> list[tuple]:
    with Warehouse(target).connect() as conn:
        return [tuple(conn.execute(sql, params)[0]) for sql, params, _ in CASES]


def test_literal_question_marks_and_percents_on_duckdb(tmp_path) -> None:
    assert _rows(str(tmp_path / "w.duckdb")) == [want for *_, want in CASES]


@pytest.mark.postgres
def test_literal_question_marks_and_percents_on_postgres(pg_url) -> None:
    assert _rows(pg_url) == [want for *_, want in CASES]
