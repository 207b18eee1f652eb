"""What the quality domain contributes to the Dagster definitions: the GX asset checks of every
suite and the ``["quality", "text_review"]`` asset. Merged in pipelines/definitions.py, which
binds it to the run's settings (the Data Docs folder is the settings' data_dir).
"""

import dagster as dg
from dagster import AssetExecutionContext

from eldercare.settings import Settings
from quality.checks import build_checks, warehouse_target
from quality.district_reporting import district_reporting_issues
from quality.outliers import trend_outliers
from quality.scorecard import city_bar_check, scorecard_asset
from quality.text_review import TEXT_FIELDS, review_public_texts


@dg.asset(
    key=["quality", "text_review"],
    deps=[dg.AssetKey(["raw", table]) for table in TEXT_FIELDS],
    required_resource_keys={"warehouse"},
    group_name="quality",
    kinds={"python"},  # + the engine, added by pipelines/definitions.py
    owners=["team:quality"],
    description="First review of public texts (seed 000 §1.3): sensitive-word hits in dish "
    "names and organisation texts, listed for a human second review.",
)
def text_review(context: AssetExecutionContext) -> dg.MaterializeResult:
    hits = review_public_texts(warehouse_target(context.resources.warehouse))
    return dg.MaterializeResult(
        metadata={
            "hits": sum(hits.values()),
            **{f"hits {category}": n for category, n in sorted(hits.items())},
        }
    )


def build_defs(settings: Settings) -> dg.Definitions:
    # Data Docs of the latest validations, linked from each check result.
    docs_dir = settings.data_dir / "quality" / "data_docs"
    return dg.Definitions(
        # The data steward's numbers (issue 5): docs/quality-bar.md.
        assets=[text_review, scorecard_asset, district_reporting_issues, trend_outliers],
        asset_checks=[*build_checks(docs_dir=docs_dir), city_bar_check],
    )
