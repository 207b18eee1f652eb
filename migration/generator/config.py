"""Scales, dirt rates and fraud rates: every number the generator is tuned by lives here."""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, field

import numpy as np

from eldercare.errors import EldercareError
from migration.legacy_schema import HISTORY_END, HISTORY_START

# The generator's fixed "now": the last second of the legacy history. Nothing reads the clock.
TODAY = np.datetime64(f"{HISTORY_END.isoformat()}T23:59:59", "s")
START = np.datetime64(HISTORY_START, "s")
# The vendor platform went live before the history we hold; registrations start here.
PLATFORM_START = np.datetime64("2019-06-01T00:00:00")
# District exports cover the last months of history.
EXPORT_MONTHS = 12


@dataclass(frozen=True)
class Scale:
    name: str
    elders: int  # real persons aged 60+ on the platform
    orgs: int  # target number of organisations (all types)
    orders: int  # target number of home-service work orders
    readings: int  # target number of health readings
    min_per_type: int  # floor per organisation type so small scales still have every kind


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 2_000, 40, 2_000, 30_000, 3),
    "small": Scale("small", 15_000, 120, 13_000, 300_000, 6),
    "city": Scale("city", 1_460_000, 3_000, 1_200_000, 30_000_000, 9),
}

# Dirt: share of the rows of a table that carry this kind of dirt (independent draws).
DIRT_RATES: dict[str, float] = {
    # sys_area
    "area_code_12_digit": 0.30,
    # yl_elder
    "id_card_lower_x": 0.30,  # share of ids ending in X that are written with x
    "id_card_spaces": 0.01,
    "id_card_fullwidth": 0.005,
    "id_card_15_digit": 0.01,
    "id_card_bad_check": 0.005,
    "elder_duplicate": 0.02,
    "birthday_missing": 0.02,
    "birthday_contradicts": 0.01,
    "sex_missing": 0.01,
    "sex_contradicts": 0.005,
    "sex_label": 0.10,
    "phone_plus86": 0.02,
    "phone_spaces": 0.02,
    "phone_dashes": 0.02,
    "phone_landline": 0.05,
    "area_code_name": 0.03,
    "economic_type_label": 0.15,
    "economic_type_old_code": 0.01,
    # yl_org
    "coord_gcj02_unlabelled": 0.15,
    "coord_bd09_unlabelled": 0.05,
    "coord_swapped": 0.02,
    "coord_zero": 0.02,
    "name_fullwidth_brackets": 0.05,
    "name_trailing_space": 0.05,
    "org_duplicate": 0.03,
    "credit_code_invalid": 0.03,
    # institutions
    "bed_no_duplicate": 0.01,
    "stay_overlap": 0.01,
    "bed_other_org": 0.01,
    "staff_two_providers": 0.02,
    # family beds and devices
    "revoked_before_built": 0.02,
    "deceased_bed_active": 0.5,  # share of family beds of deceased elders left active
    "sn_two_elders": 0.01,
    # health readings
    "time_epoch_ms": 0.10,
    "duplicate_upload": 0.01,
    "glucose_mgdl": 0.05,  # share of glucose readings
    "unit_in_value": 0.01,
    "impossible_value": 0.005,  # share of heart-rate readings
    # alarms
    "handled_before_raised": 0.01,
    "never_handled": 0.03,
    # catalogue and orders
    "price_with_unit": 0.25,
    "end_before_start": 0.003,
    "amount_with_unit": 0.02,
    "status_label": 0.10,
    # visits, calls, canteens, inspections, complaints, deaths
    "orphan_visit": 0.01,
    "unknown_elder": 0.01,
    "sensitive_dish_name": 0.02,
    "deduction_without_fail": 0.02,
    "never_replied": 0.03,
    "death_unknown_elder": 0.10,
    # district exports
    "report_blank_cell": 0.02,
    "report_number_text": 0.02,
}

# Fraud: share of all work orders that carry the pattern (patterns are exclusive).
FRAUD_RATES: dict[str, float] = {
    "worker_double_booked": 0.004,
    "far_from_home": 0.004,
    "under_min_duration": 0.006,
    "reused_photo": 0.004,
    "after_death": 0.002,
    "above_subsidy_standard": 0.003,
    "denied_at_visit": 0.003,
    "month_end_burst": 0.004,
}


@dataclass(frozen=True)
class Config:
    scale: Scale
    seed: int
    dirt: dict[str, float] = field(default_factory=lambda: dict(DIRT_RATES))
    fraud: dict[str, float] = field(default_factory=lambda: dict(FRAUD_RATES))
    # Population shape (Zhanjiang: ~7 M residents, about 21 % aged 60+).
    share_80_plus: float = 0.20
    care_mode: tuple[float, float, float] = (0.90, 0.07, 0.03)  # home, community, institution
    occupancy: float = 0.62  # mean institution occupancy
    lapse_rate: float = 0.25  # share of entitled elders who stop using their subsidy
    visit_rate: float = 0.15  # share of completed orders that get a return visit

    def rng(self, name: str) -> np.random.Generator:
        """An independent, reproducible stream per module, so one module's change moves no other."""
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def as_json(self) -> dict:
        d = asdict(self)
        d["scale"] = self.scale.name
        d["scale_targets"] = asdict(self.scale)
        d["today"] = str(TODAY)
        d["history"] = [str(HISTORY_START), str(HISTORY_END)]
        return d


def make_config(scale: str, seed: int, rates: dict[str, float] | None = None) -> Config:
    """The configuration of one run; `rates` overrides dirt or fraud rates by kind."""
    if scale not in SCALES:
        raise EldercareError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    if seed < 0:
        raise EldercareError(f"seed must be a non-negative integer, got {seed}")
    dirt, fraud = dict(DIRT_RATES), dict(FRAUD_RATES)
    for kind, rate in (rates or {}).items():
        if kind not in dirt and kind not in fraud:
            raise EldercareError(
                f"--rate {kind}: unknown dirt or fraud kind (see docs/generator.md)"
            )
        if not 0.0 <= rate <= 1.0:
            raise EldercareError(f"--rate {kind}={rate}: a rate lies between 0 and 1")
        (dirt if kind in dirt else fraud)[kind] = float(rate)
    if sum(fraud.values()) > 0.5:
        raise EldercareError("--rate: fraud patterns may cover at most half of the orders")
    return Config(SCALES[scale], seed, dirt=dirt, fraud=fraud)
