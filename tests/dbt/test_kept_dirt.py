"""Dirt that staging keeps (dirt_rules: Rule("keep")) must show downstream, on DuckDB and on
PostgreSQL: each kind's flag or fact in the marts equals what the generator's truth and the
legacy rows (read straight from SQLite, not through the migration) say it must be. A kind the
tiny data lacks fails (legacy_truth.dirt), it never passes empty."""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from dirt_rules import RULES
from legacy_truth import dirt, legacy, person_of_elder, quarantined_keys

# Kept kinds proven in another test, against the truth.
PROVEN_ELSEWHERE = {
    "elder_duplicate": "test_resolution.py::test_elder_dedup_precision_recall",
    "org_duplicate": "test_resolution.py::test_org_dedup_precision_recall",
    "staff_two_providers": "test_resolution.py::test_staff_merge_is_the_true_merge",
    "death_unknown_elder": "test_warning_marts.py::test_death_warning_lists_deaths_...",
    "sensitive_dish_name": "tests/quality/test_text_review.py (the review is a Python asset)",
    # not injected: a fact of the vendor's dictionaries (one label under two dict_types);
    # every lookup filters by dict_type (test_dictionary_gaps.py)
    "label_reused": "test_dictionary_gaps.py",
}
PROVEN_HERE = {
    "stay_overlap": "test_overlapping_stays_are_flagged",
    "bed_other_org": "test_beds_of_other_organisations_are_flagged",
    "deceased_bed_active": "test_family_beds_active_after_death_are_flagged",
    "deduction_without_fail": "test_deductions_without_failure_are_flagged",
    "never_handled": "test_alarms_never_handled_stay_unhandled",
    "never_replied": "test_complaints_never_replied_have_no_reply",
    "unknown_elder": "test_calls_of_unknown_elders_have_no_code",
    "sn_two_elders": "test_serials_bound_to_two_elders_are_flagged",
}


def _keys(truth_dir, kind: str) -> set[int]:
    return {int(k) for k in dirt(truth_dir, kind)["source_key"].to_list()}


def _real_org(truth_dir) -> dict[int, int]:
    t = pl.read_parquet(truth_dir / "orgs.parquet", columns=["org_id", "real_org_id"])
    return dict(zip(t["org_id"].to_list(), t["real_org_id"].to_list(), strict=True))


def test_every_kept_kind_is_proven_downstream() -> None:
    kept = {k for k, r in RULES.items() if r.outcome == "keep"}
    assert kept == set(PROVEN_ELSEWHERE) | set(PROVEN_HERE)
    assert all(name in globals() for name in PROVEN_HERE.values())


def test_overlapping_stays_are_flagged(engine, tiny_legacy) -> None:
    """Flagged exactly when the same real person (truth) has another stay whose dates overlap
    (an open stay runs on); every injected overlap is among them."""
    person = person_of_elder(tiny_legacy.truth_dir)
    stays = defaultdict(list)
    for rid, elder, start, end in legacy(
        tiny_legacy.db_path,
        "select resident_id, elder_id, check_in_date, check_out_date from yl_org_resident "
        "where del_flag = '0'",
    ):
        stays[person.get(elder, -elder)].append((rid, start, end or "9999-12-31"))
    want = {
        a
        for rows in stays.values()
        for a, a0, a1 in rows
        for b, b0, b1 in rows
        if a != b and a0 < b1 and b0 < a1
    }
    flagged = {
        r
        for r, f in engine.query("select resident_id, is_overlapping from marts.fct_residency")
        if f
    }
    assert _keys(tiny_legacy.truth_dir, "stay_overlap") <= want
    assert flagged == want


def test_beds_of_other_organisations_are_flagged(engine, tiny_legacy) -> None:
    """Flagged exactly when the bed's organisation is truly another one than the stay's."""
    real = _real_org(tiny_legacy.truth_dir)
    bed_org = dict(legacy(tiny_legacy.db_path, "select bed_id, org_id from yl_org_bed"))
    stays = legacy(
        tiny_legacy.db_path,
        "select resident_id, org_id, bed_id from yl_org_resident where del_flag = '0'",
    )
    want = {r for r, org, bed in stays if bed in bed_org and real[bed_org[bed]] != real[org]}
    flagged = {
        r
        for r, f in engine.query("select resident_id, is_bed_of_other_org from marts.fct_residency")
        if f
    }
    assert _keys(tiny_legacy.truth_dir, "bed_other_org") <= want
    assert flagged == want


def test_family_beds_active_after_death_are_flagged(engine, tiny_legacy) -> None:
    """Flagged exactly when the bed is built and never revoked and its elder truly died, the
    death known to the legacy data (on an elder row of the person, or in the registry)."""
    truth = pl.read_parquet(
        tiny_legacy.truth_dir / "elders.parquet",
        columns=["elder_id", "person_id", "true_id_card", "true_death_date"],
    )
    person = dict(zip(truth["elder_id"], truth["person_id"], strict=True))
    died = {p for p, d in zip(truth["person_id"], truth["true_death_date"], strict=True) if d}
    registry = {c for (c,) in legacy(tiny_legacy.db_path, "select id_card from yl_death_registry")}
    known = {
        p for p, c in zip(truth["person_id"], truth["true_id_card"], strict=True) if c in registry
    }
    known |= {
        person[e]
        for (e,) in legacy(
            tiny_legacy.db_path, "select elder_id from yl_elder where death_date is not null"
        )
    }
    beds = legacy(
        tiny_legacy.db_path,
        "select fbed_id, elder_id from yl_family_bed "
        "where del_flag = '0' and build_date is not null and revoke_date is null",
    )
    want = {b for b, e in beds if person.get(e) in died & known}
    flagged = {
        b
        for b, f in engine.query("select fbed_id, is_active_after_death from marts.fct_family_bed")
        if f
    }
    injected = _keys(tiny_legacy.truth_dir, "deceased_bed_active")
    assert injected & want, "no injected bed of a registered death: the flag goes unproven"
    assert flagged == want


def test_deductions_without_failure_are_flagged(engine, tiny_legacy) -> None:
    """Only the injected rows: a generated inspection deducts points on failed items alone."""
    flagged = {
        i
        for i, f in engine.query(
            "select inspection_id, is_deduction_without_failure from marts.fct_inspection"
        )
        if f
    }
    live = {i for (i,) in engine.query("select inspection_id from marts.fct_inspection")}
    injected = _keys(tiny_legacy.truth_dir, "deduction_without_fail")
    assert injected & live and flagged == injected & live


def test_alarms_never_handled_stay_unhandled(engine, tiny_legacy) -> None:
    rows = engine.query("select alarm_id, is_handled, handle_time from marts.fct_alarm")
    unhandled = {a for a, handled, t in rows if not handled and t is None}
    injected = _keys(tiny_legacy.truth_dir, "never_handled")
    assert injected & {a for a, _, _ in rows}
    assert unhandled == injected & {a for a, _, _ in rows}
    assert not [a for a, handled, t in rows if handled != (t is not None)]


def test_complaints_never_replied_have_no_reply(engine, tiny_legacy) -> None:
    rows = engine.query(
        "select complaint_id, reply_time, is_reply_on_time from marts.fct_complaint"
    )
    injected = _keys(tiny_legacy.truth_dir, "never_replied")
    assert injected & {c for c, _, _ in rows}
    assert {c for c, t, _ in rows if t is None} == injected & {c for c, _, _ in rows}
    assert not [c for c, t, on_time in rows if t is None and on_time]


def test_calls_of_unknown_elders_have_no_code(engine, tiny_legacy) -> None:
    """No 长者码 exactly for the injected strangers and callers whose elder row staging must
    quarantine (by the truth)."""
    lost = {int(k) for k in quarantined_keys(tiny_legacy.truth_dir, "yl_elder")}
    raw = dict(legacy(tiny_legacy.db_path, "select call_id, elder_id from yl_call_record"))
    rows = engine.query("select call_id, elder_code, is_known_elder from marts.fct_call")
    injected = _keys(tiny_legacy.truth_dir, "unknown_elder")
    want = {c for c, _, _ in rows if raw[c] is not None and (c in injected or raw[c] in lost)}
    assert injected <= {c for c, _, _ in rows}
    assert {c for c, code, known in rows if code is None and not known and raw[c]} == want


def test_serials_bound_to_two_elders_are_flagged(engine, tiny_legacy) -> None:
    """Flagged exactly when the serial is bound (not unbound) to two real persons at once;
    only the injected rows make such serials."""
    person = person_of_elder(tiny_legacy.truth_dir)
    bound = defaultdict(set)
    for sn, elder in legacy(
        tiny_legacy.db_path,
        "select device_sn, elder_id from yl_device where unbind_time is null",
    ):
        bound[sn].add(person.get(elder, -elder))
    shared = {sn for sn, people in bound.items() if len(people) > 1}
    rows = engine.query("select device_id, device_sn, is_serial_shared from marts.fct_device")
    injected = _keys(tiny_legacy.truth_dir, "sn_two_elders")
    serial_of = {d: sn for d, sn, _ in rows}
    assert shared <= {serial_of[d] for d in injected if d in serial_of}
    assert {d for d, _, f in rows if f} == {d for d, sn, _ in rows if sn in shared}
