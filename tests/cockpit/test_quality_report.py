"""The fortnightly report on the tiny build: .docx and .pdf open, carry the same numbers, equal
to SQL on the marts; Chinese renders, charts present; an analyst's comment saved the way the
cockpit saves it appears in the next generation. Also the published score tables."""

import datetime as dt
import re
import shutil
import subprocess

import docx
import duckdb
import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont

from eldercare.appdb import engine
from reports import render, store
from reports.generate import generate

NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


@pytest.fixture(scope="module")
def generated(cockpit_warehouse, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    app_db = f"sqlite:///{tmp / 'app.sqlite'}"
    last = _sql(
        cockpit_warehouse, "select max(cast(create_time as date)) from marts.fct_work_order"
    )[0][0]
    lo, hi = last - dt.timedelta(days=179), last  # long enough to hold complaints
    key = store.report_key(lo, hi, None)
    # the cockpit's code path (cockpit/app_pages/reports.py) for a comment
    store.save_comment(
        engine(app_db), key, "quality", "本期评分整体平稳，建议关注得分下降机构。", "analyst"
    )
    first = generate(str(cockpit_warehouse), lo, hi, None, out_dir=tmp, by="test", app_db=app_db)
    texts = {
        "docx": _docx_text(first.docx_path),
        "pdf": subprocess.run(["pdftotext", "-layout", str(first.pdf_path), "-"],
                              capture_output=True, text=True, check=True).stdout,
    }  # fmt: skip
    store.save_comment(engine(app_db), key, "complaints", "逾期件已督办。", "analyst")
    second = generate(
        str(cockpit_warehouse), lo, hi, None, out_dir=tmp / "2", by="test", app_db=app_db
    )
    return {"lo": lo, "hi": hi, "first": first, "second": second, "texts": texts, "app_db": app_db}


def _docx_text(path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def _sql(warehouse, sql, params=()):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_numbers_equal_sql_on_the_marts(generated, cockpit_warehouse):
    lo, hi = generated["lo"], generated["hi"]
    orders = _sql(cockpit_warehouse, "select count(*) from marts.fct_work_order"
                  " where cast(create_time as date) between ? and ?", (lo, hi))[0][0]  # fmt: skip
    complaints = _sql(cockpit_warehouse, "select count(*), count(*) filter (where is_reply_on_time)"
                      " from marts.fct_complaint where cast(create_time as date) between ? and ?", (lo, hi))[0]  # fmt: skip
    insp = _sql(cockpit_warehouse, "select count(*), count(*) filter (where result = '不合格')"
                " from marts.fct_inspection where source = '指导中心巡检'"
                " and inspect_date between ? and ?", (lo, hi))[0]  # fmt: skip
    period = _sql(cockpit_warehouse, "select max(period) from marts.county_quality_score"
                  " where period < ?", (f"{hi.year}Q{(hi.month - 1) // 3 + 1}",))[0][0]  # fmt: skip
    counties = _sql(cockpit_warehouse, "select a.area_name, round(c.total_score, 1)"
                    " from marts.county_quality_score c join marts.dim_area a on a.area_code = c.county_code"
                    " where c.period = ?", (period,))  # fmt: skip
    dishes = _sql(cockpit_warehouse, "select count(*), count(*) filter (where d.dish_id in"
                  " (select cast(source_key as bigint) from quality.text_review"
                  " where source_table = 'yl_canteen_dish')) from marts.dim_canteen_dish d"
                  " where d.is_on_shelf and d.org_code in (select org_code from marts.dim_org)")[0]  # fmt: skip
    assert dishes[0] > 0
    for kind, text in generated["texts"].items():
        flat = re.sub(r"\s+", "", text)
        assert f"新增工单{orders}单" in flat, kind
        assert f"上架菜品{dishes[0]}道" in flat and f"需核查{dishes[1]}道" in flat, kind
        assert (
            f"受理问题投诉{complaints[0]}件" in flat and f"3个工作日内答复{complaints[1]}件" in flat
        ), kind
        assert f"检查项目{insp[0]}项" in flat and f"不合格{insp[1]}项" in flat, kind
        assert f"{period}季度" in flat, kind
        for name, score in counties:
            assert re.search(rf"{name}\s*{score:.1f}", text) or f"{name}{score:.1f}" in flat, (
                kind,
                name,
            )
    assert sorted(NUMBER.findall(generated["texts"]["docx"])) == sorted(
        NUMBER.findall(generated["texts"]["pdf"])
    )


def test_chinese_renders_and_charts_are_present(generated):
    cmap = TTFont(str(render.font_path()), fontNumber=0).getBestCmap()
    text = generated["texts"]["docx"]
    missing = {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert not missing
    assert "湛江市养老服务质量分析报告" in generated["texts"]["pdf"]
    fonts = subprocess.run(
        ["pdffonts", str(generated["first"].pdf_path)], capture_output=True, text=True
    ).stdout
    assert "NotoSansCJK" in fonts
    images = subprocess.run(["pdfimages", "-list", str(generated["first"].pdf_path)],
                            capture_output=True, text=True).stdout.strip().splitlines()[2:]  # fmt: skip
    assert len(images) >= 4
    assert len(docx.Document(str(generated["first"].docx_path)).inline_shapes) == len(images)


def test_comments_appear_and_are_kept_on_regeneration(generated):
    second_docx = _docx_text(generated["second"].docx_path)
    assert "本期评分整体平稳，建议关注得分下降机构。" in re.sub(
        r"\s+", "", generated["texts"]["pdf"]
    )
    assert "本期评分整体平稳，建议关注得分下降机构。" in second_docx
    assert "逾期件已督办。" in second_docx
    eng = engine(generated["app_db"])
    assert len(store.list_files(eng, None)) == 2 and store.list_files(eng, "440803").empty
    with pytest.raises(Exception, match="not found"):
        store.file_bytes(eng, generated["second"].file_id, "pdf", "440803")


def test_published_tables_follow_the_contract(cockpit_warehouse):
    cols = {t: {r[0] for r in _sql(cockpit_warehouse, "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = ?", (t,))}
            for t in ("quality_score", "county_quality_score", "provider_evaluation", "inspection_plan")}  # fmt: skip
    assert {"org_code", "period", "total_score", "service_eval_score", "civil_check_score",
            "guidance_score", "provider_eval_score", "n", "lower_90", "upper_90", "county_rank",
            "star_band"} <= cols["quality_score"]  # fmt: skip
    assert {"county_code", "period", "total_score"} <= cols["county_quality_score"]
    assert {
        "org_code",
        "period",
        "score",
        "quality_score",
        "attitude_score",
        "response_score",
    } <= cols["provider_evaluation"]
    assert {"plan_date", "org_code", "category", "check_items", "risk_rank"} <= cols[
        "inspection_plan"
    ]
    bad = _sql(cockpit_warehouse, "select count(*) from marts.quality_score where total_score < 0"
               " or total_score > 100 or (status = '数据不足') <> (total_score is null)")[0][0]  # fmt: skip
    assert bad == 0
    per_day = _sql(cockpit_warehouse, "select max(n) from (select count(*) n from marts.inspection_plan"
                   " group by plan_date, category)")[0][0]  # fmt: skip
    assert per_day == 5


def test_score_command_replaces_one_quarter(cockpit_warehouse, tmp_path, monkeypatch):
    from eldercare.cli import cli
    from eldercare.settings import get_settings

    copy = tmp_path / "w.duckdb"
    shutil.copy2(cockpit_warehouse, copy)
    monkeypatch.setenv("ELDERCARE_APP_DB", f"sqlite:///{tmp_path / 'app.sqlite'}")
    get_settings.cache_clear()
    before = _sql(
        copy,
        "select period, count(*), sum(total_score) from marts.quality_score group by 1 order by 1",
    )
    result = CliRunner().invoke(cli, ["score", "--quarter", before[0][0], "--warehouse", str(copy)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "organisations scored" in result.output
    after = _sql(
        copy,
        "select period, count(*), sum(total_score) from marts.quality_score group by 1 order by 1",
    )
    assert [r[:2] for r in after] == [r[:2] for r in before]
    assert after[0][2] == pytest.approx(before[0][2])  # same data and weights, same scores
