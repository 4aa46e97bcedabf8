"""The evidence quotes of a report: the first distinct contexts of each dimension."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.dimensions import SERVICE_FIVE
from analysis.report.compose import ReportInputs, _evidence, _label
from analysis.report.privacy import mask_pii


def _reference(inputs: ReportInputs, group: str | None, per_dim: int = 2) -> list[str]:
    """The per-dimension pandas formulation the one-pass loop replaces."""
    hits = inputs.tables["text_hits"]
    if group is not None:
        hits = hits[hits["group"] == group]
    quotes = []
    for dim in inputs.framework.ids:
        sub = hits[hits["dimension"] == dim].drop_duplicates("context").head(per_dim)
        for r in sub.itertuples():
            mark = "（否定语境）" if getattr(r, "negated", False) else ""
            quotes.append(f"【{_label(inputs, dim)}·{r.term}{mark}】{mask_pii(str(r.context))}")
    return quotes


def _inputs(hits: pd.DataFrame) -> ReportInputs:
    return ReportInputs(
        title="报告",
        title_en="Report",
        lang="zh",
        min_cell=1,
        framework=SERVICE_FIVE,
        tables={"text_hits": hits},
        counts={},
        params={},
        summaries={},
        figures={},
        colophon=(),
        group_label="group",
    )


def _hits(with_negated: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 400
    dims = [*SERVICE_FIVE.ids, "other"]
    contexts = ["甲【议事】会", "乙【党员】活动", "丙【服务】中心", None, "电话13800138000【服务】"]
    frame = pd.DataFrame(
        {
            "dimension": [dims[i] for i in rng.integers(0, len(dims), n)],
            "term": [f"词{i}" for i in rng.integers(0, 6, n)],
            "context": pd.Series(
                [contexts[i] for i in rng.integers(0, len(contexts), n)], dtype="str"
            ),
            "group": [["桂花", "梅园"][i] for i in rng.integers(0, 2, n)],
        }
    )
    if with_negated:
        frame["negated"] = rng.random(n) < 0.3
    return frame


@pytest.mark.parametrize("group", [None, "桂花", "梅园", "无此社区"])
@pytest.mark.parametrize("with_negated", [True, False])
@pytest.mark.parametrize("per_dim", [1, 2, 3])
def test_evidence_is_the_first_distinct_contexts_per_dimension(group, with_negated, per_dim):
    inputs = _inputs(_hits(with_negated))
    assert _evidence(inputs, group, per_dim) == _reference(inputs, group, per_dim)
