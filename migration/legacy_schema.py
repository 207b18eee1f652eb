"""The legacy vendor database (RuoYi on MySQL 5.7), as ../shared/legacy-contract.md fixes it.

One SQLAlchemy ``MetaData`` serves the generator (which creates these tables in SQLite or
MySQL/MariaDB) and the migration (which reads them). Columns that the vendor filled with dirt
(codes or labels, text amounts, epoch milliseconds, units inside values) are VARCHAR, as they
were in the vendor's schema; that is why the dirt could get in.

Beyond the contract's columns, two tables get the surrogate key RuoYi itself has:
``sys_dict_data.dict_code`` and ``yl_death_registry.registry_id``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CHAR,
    BigInteger,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

metadata = MetaData()

# The months the legacy platform holds, first and last day included.
HISTORY_START = date(2023, 1, 1)
HISTORY_END = date(2026, 10, 31)


def _vendor_columns(*, with_del_flag: bool = True) -> list[Column]:
    cols: list[Column] = []
    if with_del_flag:
        cols.append(Column("del_flag", CHAR(1), nullable=False, server_default="0"))
    cols += [Column("create_time", DateTime), Column("update_time", DateTime)]
    return cols


sys_area = Table(
    "sys_area",
    metadata,
    Column("area_code", String(12), primary_key=True),
    Column("area_name", String(64)),
    Column("parent_code", String(12)),
    Column("area_level", Integer),
)

sys_dict_data = Table(
    "sys_dict_data",
    metadata,
    Column("dict_code", BigInteger, primary_key=True),
    Column("dict_type", String(100)),
    Column("dict_value", String(100)),
    Column("dict_label", String(100)),
    Column("status", CHAR(1)),
)

yl_elder = Table(
    "yl_elder",
    metadata,
    Column("elder_id", BigInteger, primary_key=True),
    Column("elder_name", String(64)),
    Column("id_card", String(32)),
    Column("sex", String(8)),
    Column("birthday", String(32)),
    Column("phone", String(32)),
    Column("area_code", String(64)),
    Column("address", String(255)),
    Column("lng", Double),
    Column("lat", Double),
    Column("coord_sys", String(8)),
    Column("living_type", String(32)),
    Column("economic_type", String(32)),
    Column("ability_level", String(32)),
    Column("medical_history", String(255)),
    Column("guardian_name", String(64)),
    Column("guardian_phone", String(32)),
    Column("guardian_relation", String(16)),
    Column("death_date", String(32)),
    *_vendor_columns(),
)

yl_org = Table(
    "yl_org",
    metadata,
    Column("org_id", BigInteger, primary_key=True),
    Column("org_name", String(128)),
    Column("org_type", String(32)),
    Column("credit_code", String(32)),
    Column("area_code", String(64)),
    Column("address", String(255)),
    Column("lng", Double),
    Column("lat", Double),
    Column("coord_sys", String(8)),
    Column("contact_name", String(64)),
    Column("contact_phone", String(32)),
    Column("approved_beds", Integer),
    Column("filed_beds", Integer),
    Column("star_level", Integer),
    Column("ownership", String(16)),
    Column("charge_min", Numeric(10, 2)),
    Column("charge_max", Numeric(10, 2)),
    Column("medical_condition", String(64)),
    Column("status", CHAR(1)),
    *_vendor_columns(),
)

yl_org_bed = Table(
    "yl_org_bed",
    metadata,
    Column("bed_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger),
    Column("building", String(32)),
    Column("floor_no", String(8)),
    Column("room_no", String(16)),
    Column("bed_no", String(16)),
    Column("bed_type", String(16)),
    Column("bed_status", String(16)),
    Column("del_flag", CHAR(1), nullable=False, server_default="0"),
)

yl_org_resident = Table(
    "yl_org_resident",
    metadata,
    Column("resident_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger),
    Column("elder_id", BigInteger),
    Column("bed_id", BigInteger),
    Column("check_in_date", Date),
    Column("check_out_date", Date),
    Column("contract_no", String(32)),
    Column("care_level", String(16)),
    Column("del_flag", CHAR(1), nullable=False, server_default="0"),
)

yl_staff = Table(
    "yl_staff",
    metadata,
    Column("staff_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger),
    Column("staff_name", String(64)),
    Column("id_card", String(32)),
    Column("phone", String(32)),
    Column("post", String(32)),
    Column("certified", CHAR(1)),
    Column("status", CHAR(1)),
    Column("del_flag", CHAR(1), nullable=False, server_default="0"),
)

yl_family_bed = Table(
    "yl_family_bed",
    metadata,
    Column("fbed_id", BigInteger, primary_key=True),
    Column("elder_id", BigInteger),
    Column("provider_org_id", BigInteger),
    Column("apply_date", Date),
    Column("assess_date", Date),
    Column("assess_level", String(16)),
    Column("build_date", Date),
    Column("revoke_date", Date),
    Column("bed_status", String(16)),
    Column("contract_no", String(32)),
    Column("monthly_subsidy", Numeric(10, 2)),
    Column("del_flag", CHAR(1), nullable=False, server_default="0"),
)

yl_device = Table(
    "yl_device",
    metadata,
    Column("device_id", BigInteger, primary_key=True),
    Column("device_sn", String(32)),
    Column("device_type", String(16)),
    Column("elder_id", BigInteger),
    Column("fbed_id", BigInteger),
    Column("bind_time", DateTime),
    Column("unbind_time", DateTime),
    Column("last_online_time", DateTime),
    Column("status", CHAR(1)),
)

yl_health_record = Table(
    "yl_health_record",
    metadata,
    Column("record_id", BigInteger, primary_key=True),
    Column("elder_id", BigInteger),
    Column("device_sn", String(32)),
    Column("measure_time", String(32)),
    Column("item_code", String(8)),
    Column("item_value", String(32)),
    Column("unit", String(16)),
)

yl_alarm = Table(
    "yl_alarm",
    metadata,
    Column("alarm_id", BigInteger, primary_key=True),
    Column("device_sn", String(32)),
    Column("elder_id", BigInteger),
    Column("alarm_type", String(16)),
    Column("alarm_time", DateTime),
    Column("handle_time", DateTime),
    Column("handle_result", String(64)),
    Column("handler", String(64)),
    Column("del_flag", CHAR(1), nullable=False, server_default="0"),
)

yl_service_item = Table(
    "yl_service_item",
    metadata,
    Column("item_id", BigInteger, primary_key=True),
    Column("item_name", String(64)),
    Column("category", String(16)),
    Column("charge_mode", CHAR(1)),
    Column("price", String(32)),
    Column("min_minutes", Integer),
    Column("max_minutes", Integer),
    Column("subsidized", CHAR(1)),
    Column("status", CHAR(1)),
)

yl_work_order = Table(
    "yl_work_order",
    metadata,
    Column("order_id", BigInteger, primary_key=True),
    Column("order_no", String(32)),
    Column("elder_id", BigInteger),
    Column("provider_org_id", BigInteger),
    Column("staff_id", BigInteger),
    Column("item_id", BigInteger),
    Column("source", String(16)),
    Column("create_time", DateTime),
    Column("plan_time", DateTime),
    Column("start_time", DateTime),
    Column("end_time", DateTime),
    Column("start_lng", Double),
    Column("start_lat", Double),
    Column("end_lng", Double),
    Column("end_lat", Double),
    Column("photo_before", String(64)),
    Column("photo_after", String(64)),
    Column("audio_seconds", Integer),
    Column("amount", String(32)),
    Column("subsidy_amount", String(32)),
    Column("self_pay_amount", String(32)),
    Column("order_status", String(16)),
    Column("rating", Integer),
    Column("comment", String(255)),
    Column("del_flag", CHAR(1), nullable=False, server_default="0"),
)

yl_return_visit = Table(
    "yl_return_visit",
    metadata,
    Column("visit_id", BigInteger, primary_key=True),
    Column("order_id", BigInteger),
    Column("elder_id", BigInteger),
    Column("visit_time", DateTime),
    Column("visit_way", String(8)),
    Column("visit_result", String(16)),
    Column("remark", String(255)),
    Column("visitor", String(64)),
)

yl_order_doubt = Table(
    "yl_order_doubt",
    metadata,
    Column("doubt_id", BigInteger, primary_key=True),
    Column("order_id", BigInteger),
    Column("source", String(16)),
    Column("reason", String(255)),
    Column("doubt_time", DateTime),
    Column("appeal_time", DateTime),
    Column("appeal_reason", String(255)),
    Column("review_time", DateTime),
    Column("review_result", String(16)),
    Column("reviewer", String(64)),
    Column("del_flag", CHAR(1), nullable=False, server_default="0"),
)

yl_call_record = Table(
    "yl_call_record",
    metadata,
    Column("call_id", BigInteger, primary_key=True),
    Column("seat_no", String(16)),
    Column("call_direction", String(8)),
    Column("caller_no", String(32)),
    Column("callee_no", String(32)),
    Column("elder_id", BigInteger),
    Column("start_time", DateTime),
    Column("talk_seconds", Integer),
    Column("call_type", String(16)),
    Column("result", String(64)),
)

yl_canteen_dish = Table(
    "yl_canteen_dish",
    metadata,
    Column("dish_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger),
    Column("dish_name", String(64)),
    Column("price", Numeric(10, 2)),
    Column("on_shelf", CHAR(1)),
)

yl_meal_order = Table(
    "yl_meal_order",
    metadata,
    Column("meal_order_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger),
    Column("elder_id", BigInteger),
    Column("order_time", DateTime),
    Column("amount", Numeric(10, 2)),
    Column("subsidy_amount", Numeric(10, 2)),
)

yl_inspection = Table(
    "yl_inspection",
    metadata,
    Column("inspection_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger),
    Column("inspect_date", Date),
    Column("source", String(16)),
    Column("item_code", String(16)),
    Column("item_name", String(64)),
    Column("result", String(8)),
    Column("deduction", Numeric(6, 2)),
    Column("remark", String(255)),
    Column("inspector", String(64)),
)

yl_complaint = Table(
    "yl_complaint",
    metadata,
    Column("complaint_id", BigInteger, primary_key=True),
    Column("channel", String(16)),
    Column("area_code", String(64)),
    Column("org_id", BigInteger),
    Column("category", String(32)),
    Column("content", Text),
    Column("create_time", DateTime),
    Column("reply_time", DateTime),
    Column("close_time", DateTime),
    Column("status", String(16)),
)

yl_death_registry = Table(
    "yl_death_registry",
    metadata,
    Column("registry_id", BigInteger, primary_key=True),
    Column("id_card", String(32)),
    Column("name", String(64)),
    Column("death_date", Date),
    Column("source", String(32)),
)

# Tables loaded month by month, and the column whose month decides the partition.
# yl_health_record.measure_time is text (epoch milliseconds or a date string); the migration
# derives the month from either form.
PARTITIONED_TABLES: dict[str, str] = {
    "yl_work_order": "create_time",
    "yl_health_record": "measure_time",
    "yl_alarm": "alarm_time",
    "yl_call_record": "start_time",
    "yl_meal_order": "order_time",
    "yl_return_visit": "visit_time",
}

TABLES: dict[str, Table] = dict(metadata.tables)


def primary_key(table: str) -> str:
    """The single primary-key column of a legacy table (every table has exactly one)."""
    (col,) = TABLES[table].primary_key.columns
    return col.name


# District monthly export 机构运营月报_YYYYMM: Chinese header -> raw column name, in file order.
DISTRICT_REPORT_COLUMNS: dict[str, str] = {
    "机构名称": "org_name",
    "统一社会信用代码": "credit_code",
    "在院老人数": "residents",
    "核定床位数": "approved_beds",
    "实际床位数": "actual_beds",
    "工作人员数": "staff",
    "护理员数": "caregivers",
    "持证护理员数": "certified_caregivers",
    "本月活动次数": "activities",
    "消防检查情况": "fire_check",
    "填报人": "filled_by",
    "填报日期": "filled_date",
}
DISTRICT_REPORT_PREFIX = "机构运营月报_"
