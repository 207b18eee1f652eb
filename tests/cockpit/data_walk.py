"""Every data function of the cockpit and how to call it for a scope: the walk that the scope
isolation test, the PostgreSQL parity test and ``benchmarks/cockpit_city.py`` share.

A public function of a ``cockpit/data/*.py`` module (``core`` aside) either takes a ``Scope``
(then it is walked) or is listed in ``SCOPE_FREE`` with the reason it needs none. Its other
parameters come from, in this order: ``EXTRA_ARGS`` (explicit variants per function), the
providers by parameter name in ``PROVIDERS``, the parameter's default. A function the walk
cannot call raises ``UnknownDataFunction``: coverage cannot shrink silently when a page adds one.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import importlib
import inspect
import itertools
import json
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import cockpit.data
from cockpit.scope import Scope

COCKPIT = Path(cockpit.data.__file__).resolve().parent.parent
NOT_WALKED = {"core", "county"}  # the warehouse access itself, and whose county it reads for

# Public data functions without a Scope, and why each is safe for every viewer.
SCOPE_FREE: dict[str, str] = {
    "overview.reporting_month": "the data's 本月: one date, the same for everyone",
    "overview.towns": "the towns of the county given; the scope bar passes the scope's county",
    "family_beds.device_reference_time": "one timestamp: the data's end for the online rule",
    "institutions.report_month": "one date: the latest month any district report arrived",
    "institutions.unfiled_kpi": "the name of a KPI, no data",
    "institutions.headline_keys": "KPI names, no data",
    "quality_labels.*": "Chinese labels of quality codes, no data",
    "alarms.today": "one date: the data's latest alarm day (the board's 今日)",
    "quality.latest_run": "the id and time of the latest quality run, the same for everyone",
    "quality.run_count": "how many quality runs there were, the same for everyone",
    "archives.as_of": "one date: the data's 今天 (end of the reporting month)",
    "archives.filters": "the filter definitions on offer, no data",
    "archives.normalize_code": "text clean-up of a typed 长者码, no data",
    "lineage.catalogue": "the KPI definitions (口径), no data",
    "lineage.kpis": "the KPI registry, no data",
    "lineage.source_keys": "the legacy keys named by a row it is given, no query",
    "staff.post_label": "the Chinese label of a post code, no data",
    "geo.available": "whether the spatial tables were published, the same for everyone",
    "geo.circle_settings": "the service circle's reach and detour factor, no area data",
    "lineage.column_labels": "Chinese labels of mart columns, no data",
    "lineage.mart_title": "the Chinese title of a mart, no data",
    "lineage.headers": "Chinese headers for column names, no data",
    "service_quality.complaints_as_of": "one date: the data's latest complaint (the SLA clock)",
    "service_quality.report_period": "two dates: the 14 days up to the data's latest order day",
    "smart_models.available": "which model tables were published, the same for everyone",
    "smart_models.expiry_evaluation": "the expiry model's city-wide recall/precision, no rows",
    "smart_models.demand_backtest": "the demand model's city-wide back-test scores, no rows",
    "contact.available": "whether the restricted contact table was built, the same for everyone",
    "contact.can_unmask": "whether a viewer's role may unmask, no data",
    "contact.unmask": "scoped by the viewer's own county, refused and audited otherwise "
    "(tests/cockpit/test_unmask.py)",
}


class UnknownDataFunction(Exception):
    """A data function the walk does not know how to call (extend EXTRA_ARGS or PROVIDERS)."""


@dataclass(frozen=True)
class DataFunction:
    module: str  # short name: "overview"
    name: str
    fn: Callable

    @property
    def key(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class Codes:
    """Entity codes to ask about: one of the scope's own county, one of another county."""

    own: dict[str, str | None] = field(default_factory=dict)  # kind -> code
    foreign: dict[str, str | None] = field(default_factory=dict)


def _short(value: Any) -> str:
    """A value as a call label shows it: a KPI by its key, a tuple of many by its length."""
    key = getattr(value, "key", None)
    if isinstance(key, str):
        return f"<{type(value).__name__} {key}>"
    if isinstance(value, tuple) and len(value) > 4:
        return f"<{len(value)} values>"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        shown = ", ".join(f"{k}={v!r}" for k, v in fields.items() if v not in (None, (), False))
        return f"{type(value).__name__}({shown})"
    return repr(value)


@dataclass(frozen=True)
class Call:
    function: DataFunction
    kwargs: dict[str, Any]

    @property
    def label(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.kwargs.items() if k != "scope")
        return f"{self.function.key}({args})"

    def __call__(self):
        return self.function.fn(**self.kwargs)


def _kpi_keys(with_rows: bool = False) -> list[str]:
    from cockpit import kpis

    cockpit.data.load_all()
    return sorted(k for k, v in kpis.KPIS.items() if v.rows_sql or not with_rows)


def _quality_entities() -> list[str]:
    from cockpit.data import quality_labels

    return sorted(quality_labels.entities())


def _reporting_month() -> dt.date:
    from cockpit.data.overview import reporting_month

    return reporting_month()


def _codes(codes: Codes, kind: str) -> list[str | None]:
    """Ask for one's own and for a foreign entity: the foreign one must come back empty."""
    return [codes.own.get(kind), codes.foreign.get(kind)]


def _viewer(scope: Scope):
    """Who would ask for this scope: a county user for a county, the city leader else."""
    from cockpit.scope import Viewer

    if scope.county_code:
        return Viewer(f"county_{scope.county_code}", "县区用户", "county_user", scope.county_code)
    return Viewer("leader", "市领导", "city_leader", None)


def _kpis(with_rows: bool = False) -> list:
    from cockpit import kpis

    return [kpis.get(k) for k in _kpi_keys(with_rows)]


def _elder_queries(s: Scope, c: Codes) -> list:
    from cockpit.data.archives import ElderQuery

    return [ElderQuery(), *(ElderQuery(code=x) for x in _codes(c, "elder") if x)]


def _org_queries(s: Scope, c: Codes) -> list:
    from cockpit.data.resources import OrgQuery

    return [OrgQuery(), OrgQuery(org_type="养老机构")]


def _staff_queries(s: Scope, c: Codes) -> list:
    from cockpit.data.staff import StaffQuery

    return [StaffQuery(), *(StaffQuery(org_code=x) for x in _codes(c, "org") if x)]


def _archive_categories(s: Scope, c: Codes) -> list[str]:
    from cockpit.data.archives import filters

    return sorted(filters()[0])


def _service_quality(name: str, s: Scope) -> list:
    """Quarters / plan days published for the scope (the city's when the county has none)."""
    from cockpit.data import service_quality

    return getattr(service_quality, name)(s) or getattr(service_quality, name)(Scope())


def _review_orders(s: Scope, c: Codes) -> list[int]:
    """An order of the scope's review queue and, for a county, one of another county's."""
    from cockpit.data import warning

    if not warning.available(s):
        return [0]
    own = warning.queue(s, limit=1)["order_id"].tolist()
    city = warning.queue(Scope(), limit=100_000)
    foreign = city[city["county_code"] != s.county_code]["order_id"].tolist()[:1]
    return (own + (foreign if s.county_code else [])) or [0]


# Values by parameter name, looked up as "module.function.param", then "module.param", then
# "param": a function of (scope, codes) giving the values to try.
PROVIDERS: dict[str, Callable[[Scope, Codes], list]] = {
    "month": lambda s, c: [_reporting_month()],
    "key": lambda s, c: _kpi_keys(),
    "keys": lambda s, c: [tuple(_kpi_keys())],
    "kpi": lambda s, c: _kpis(),
    # the lineage page offers rows only for KPIs that list them (rows_sql)
    "lineage.rows.kpi": lambda s, c: _kpis(with_rows=True),
    "lineage.row_count.kpi": lambda s, c: _kpis(with_rows=True),
    "lineage.row_sources.kpi": lambda s, c: _kpis(with_rows=True),
    "viewer": lambda s, c: [_viewer(s)],
    "position": lambda s, c: [0],
    "elder_code": lambda s, c: _codes(c, "elder"),
    "org_code": lambda s, c: _codes(c, "org"),
    "staff_code": lambda s, c: _codes(c, "staff"),
    "bed_code": lambda s, c: _codes(c, "bed"),
    "archives.code": lambda s, c: _codes(c, "elder"),
    "archives.q": _elder_queries,
    "archives.options.key": _archive_categories,
    "resources.code": lambda s, c: _codes(c, "org"),
    "resources.q": _org_queries,
    "resources.org_options.column": lambda s, c: ["org_type", "ownership"],
    "staff.q": _staff_queries,
    "service_quality.period": lambda s, c: _service_quality("periods", s)[:2],
    "service_quality.day": lambda s, c: _service_quality("plan_days", s)[:1],
    "warning.order_id": _review_orders,
}

# Explicit variants: "module.function" -> a function of (scope, codes) giving kwargs dicts.
EXTRA_ARGS: dict[str, Callable[[Scope, Codes], list[dict]]] = {
    "overview.elders_by": lambda s, c: [{"column": "economic_type"}, {"column": "ability_level"}],
    "overview.kpi_rows": lambda s, c: [{"key": k} for k in _kpi_keys(with_rows=True)],
    "family_beds.records": lambda s, c: [{}, {"kind": "建床"}, {"kind": "撤床"}],
    "institutions.breakdown": lambda s, c: [{"by": "ownership"}, {"by": "star_level"}],
    "quality.scorecard_trend": lambda s, c: [{"entity": e} for e in _quality_entities()],
    "geo.area_map": lambda s, c: [{"metric": "elders"}, {"metric": "work_orders"}],
    "smart_models.tag_by_area": lambda s, c: [{"tag": "高龄"}, {"tag": "空巢"}],
    "smart_models.demand_forecast": lambda s, c: [{"category": "全部"}, {"category": "助浴"}],
    "smart_models.demand_history": lambda s, c: [{"category": "全部"}, {"category": "助浴"}],
    "smart_models.expiry_list": lambda s, c: [
        {},
        {"entitlement": "家庭养老床位服务协议"},
        {"entitlement": "能力复评"},
    ],
}


def _provider(fn: DataFunction, name: str):
    for key in (f"{fn.key}.{name}", f"{fn.module}.{name}", name):
        if key in PROVIDERS:
            return PROVIDERS[key]
    return None


def _takes_scope(param: inspect.Parameter) -> bool:
    return param.annotation in (Scope, "Scope")


def modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(cockpit.data.__path__)
        if not m.name.startswith("_") and m.name not in NOT_WALKED
    )


def _public_functions(module: str) -> Iterator[DataFunction]:
    mod = importlib.import_module(f"cockpit.data.{module}")
    for name, fn in inspect.getmembers(mod, inspect.isfunction):
        if not name.startswith("_") and fn.__module__ == mod.__name__:
            yield DataFunction(module, name, fn)


def _scope_free(fn: DataFunction) -> bool:
    return fn.key in SCOPE_FREE or f"{fn.module}.*" in SCOPE_FREE


def data_functions() -> list[DataFunction]:
    """Every public data function that takes a Scope; fails on one that takes none and is not
    listed in ``SCOPE_FREE``."""
    walked, unexplained = [], []
    for module in modules():
        for fn in _public_functions(module):
            params = inspect.signature(fn.fn).parameters.values()
            if any(_takes_scope(p) for p in params):
                walked.append(fn)
            elif not _scope_free(fn):
                unexplained.append(fn.key)
    if unexplained:
        raise UnknownDataFunction(
            f"data functions without a Scope parameter: {unexplained}; every query takes the "
            "viewer's scope, or the function goes into SCOPE_FREE (tests/cockpit/data_walk.py) "
            "with the reason it needs none"
        )
    return walked


def calls(fn: DataFunction, scope: Scope, codes: Codes) -> list[Call]:
    """The calls of ``fn`` for ``scope``: explicit variants, else one per provided value."""
    sig = inspect.signature(fn.fn)
    scope_name = next(n for n, p in sig.parameters.items() if _takes_scope(p))
    variants = EXTRA_ARGS[fn.key](scope, codes) if fn.key in EXTRA_ARGS else [{}]
    out: list[Call] = []
    for variant in variants:
        choices: dict[str, list] = {}
        for name, param in sig.parameters.items():
            if name == scope_name or name in variant:
                continue
            optional = param.default is not inspect.Parameter.empty or param.kind in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
            )
            provider = _provider(fn, name)
            if provider is not None:
                # no value (no such entity in this county): the call is skipped
                values = [v for v in provider(scope, codes) if v is not None]
                if values or not optional:
                    choices[name] = values
            elif not optional:
                raise UnknownDataFunction(
                    f"{fn.key}: the walk does not know a value for parameter {name!r}; add "
                    "the function to EXTRA_ARGS (or the name to PROVIDERS) in "
                    "tests/cockpit/data_walk.py"
                )
        names = list(choices)
        for combo in itertools.product(*(choices[n] for n in names)):
            kwargs = dict(zip(names, combo, strict=True))
            out.append(Call(fn, {scope_name: scope, **variant, **kwargs}))
    return out


def all_calls(scope: Scope, codes: Codes) -> list[Call]:
    return [c for fn in data_functions() for c in calls(fn, scope, codes)]


# -- which county an entity belongs to ------------------------------------------------------
KINDS = ("elder", "org", "staff", "bed")


def entity_counties(rows: Callable[[str], list[tuple]]) -> dict[str, dict[str, frozenset]]:
    """kind -> code -> the counties it belongs to, from the marts' dimensions (``rows`` runs
    the test's own SQL): an elder and an organisation their ``county_code``; a worker the
    counties of every organisation employing them; a family bed its elder's county, an
    institution bed its organisation's."""
    elder = {
        c: frozenset({k}) for c, k in rows("select elder_code, county_code from marts.dim_elder")
    }
    org = {c: frozenset({k}) for c, k in rows("select org_code, county_code from marts.dim_org")}
    staff = {}
    for code, org_codes, main in rows(
        "select staff_code, org_codes, main_org_code from marts.dim_staff"
    ):
        orgs = {o for o in (org_codes or "").split(",") if o} | ({main} if main else set())
        staff[code] = frozenset().union(*(org.get(o, frozenset()) for o in orgs))
    bed = {}
    for code, kind, elder_code, org_code in rows(
        "select bed_code, bed_kind, elder_code, org_code from marts.dim_bed"
    ):
        owner = elder.get(elder_code) if kind == "family" and elder_code else None
        bed[code] = owner or org.get(org_code, frozenset())
    return {"elder": elder, "org": org, "staff": staff, "bed": bed}


def codes_for(entities: dict[str, dict[str, frozenset]], county: str | None) -> Codes:
    """For each kind, the smallest code of the county's own and of another county (the city:
    the smallest code of all, no foreign one)."""
    codes = Codes()
    for kind in KINDS:
        known = sorted((c, k) for c, k in entities[kind].items() if c is not None)
        if county is None:
            codes.own[kind] = known[0][0] if known else None
            continue
        codes.own[kind] = next((c for c, k in known if k == {county}), None)
        codes.foreign[kind] = next((c for c, k in known if k and county not in k), None)
    return codes


# -- what came back ---------------------------------------------------------------------------
def frames(value: Any, path: str = "") -> Iterator[tuple[str, pd.DataFrame]]:
    """Every table in a returned value: DataFrames, rows as dicts, GeoJSON features, pydeck
    layers' data, dataclasses, nested containers."""
    if isinstance(value, pd.DataFrame):
        yield path, value
    elif isinstance(value, pd.Series):
        yield path, value.to_frame()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from frames(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, dict):
        if value.get("type") == "FeatureCollection":
            props = [f.get("properties") or {} for f in value.get("features", [])]
            yield f"{path}.features", pd.DataFrame(props)
            return
        scalars = {k: v for k, v in value.items() if isinstance(k, str) and _is_scalar(v)}
        if scalars:
            yield path, pd.DataFrame([scalars])
        for k, v in value.items():
            if not _is_scalar(v):
                yield from frames(v, f"{path}[{k!r}]")
    elif isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            rows = [{k: v for k, v in r.items() if _is_scalar(v)} for r in value]
            yield path, pd.DataFrame(rows)
            for i, v in enumerate(value):
                for k, inner in v.items():
                    if not _is_scalar(inner):
                        yield from frames(inner, f"{path}[{i}][{k!r}]")
        else:
            for i, v in enumerate(value):
                yield from frames(v, f"{path}[{i}]")
    elif hasattr(value, "to_json") and callable(value.to_json):  # pydeck.Deck, altair charts
        yield from frames(json.loads(value.to_json()), f"{path}.json")


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(
        v, str | int | float | bool | dt.date | dt.datetime | pd.Timestamp
    )


# -- which page calls which function ----------------------------------------------------------
def page_functions(page_file: str) -> set[str]:
    """``module.function`` of every data function a page calls directly (from its AST)."""
    tree = ast.parse((COCKPIT / page_file).read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}  # local name -> data module
    direct: dict[str, str] = {}  # local name -> module.function
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "cockpit.data":
            for a in node.names:
                aliases[a.asname or a.name] = a.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cockpit.data."):
            module = node.module.rsplit(".", 1)[1]
            for a in node.names:
                direct[a.asname or a.name] = f"{module}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("cockpit.data.") and a.asname:
                    aliases[a.asname] = a.name.rsplit(".", 1)[1]
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in aliases:
                used.add(f"{aliases[node.value.id]}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in direct:
            used.add(direct[node.id])
    return used
