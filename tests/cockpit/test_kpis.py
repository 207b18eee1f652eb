"""KPI formatting: what the cards and the wall display print for a value."""

from __future__ import annotations

import pytest

from cockpit.data import overview  # noqa: F401  (registers the overview KPIs)
from cockpit.kpis import get


@pytest.mark.parametrize(
    ("key", "value", "full", "short"),
    [
        ("elders", 1_352_817, "1,352,817 人", "135.3 万人"),
        ("order_amount", 532_134_567.0, "532,134,567 元", "5.3 亿元"),
        ("alarms", 5_769, "5,769 次", "5,769 次"),
        ("complaints_on_time", 0.812, "81.2 %", "81.2 %"),
        ("alarm_response", None, "—", "—"),
    ],
)
def test_cards_print_units_and_the_wall_shortens_big_numbers(key, value, full, short) -> None:
    assert get(key).format(value) == full
    assert get(key).format_short(value) == short
