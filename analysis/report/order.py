"""One order of communities for every table, figure and list of reports.

A study's reports show communities in one order: the one the study sets
(``report: {group_order: [...]}``), with communities it does not list after them, sorted by
name; by default all sorted by name (Unicode order, the order of the files in ``tables/``).
Figures receive the order as their ``groups``; tables are sorted by it before they are
shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["group_order", "order_tables"]


def group_order(present: Iterable[Any], preferred: Sequence[str] = ()) -> list[str]:
    """The groups in ``present``, ordered: ``preferred`` first, then the rest by name.

    Examples
    --------
    >>> group_order(["乙社区", "甲社区", "丙社区"], ["丙社区"])
    ['丙社区', '乙社区', '甲社区']
    """
    seen = [str(g) for g in dict.fromkeys(present) if g is not None and g == g]
    first = [g for g in preferred if g in seen]
    return first + sorted(g for g in seen if g not in first)


def order_tables(
    tables: Mapping[str, pd.DataFrame], order: Sequence[str], *, column: str = "group"
) -> dict[str, pd.DataFrame]:
    """``tables`` with the rows of each table that has ``column`` sorted by ``order``.

    The sort is stable, so rows within a group keep their order; groups not in ``order``
    come last.
    """
    rank = {g: i for i, g in enumerate(order)}
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if frame is not None and column in frame.columns and len(frame):
            # each distinct group ranked once: tables of hits hold hundreds of thousands of rows
            values = frame[column].astype(object)
            ranks = {g: rank.get(str(g), len(rank)) for g in values.dropna().unique()}
            key = values.map(ranks).fillna(len(rank)).to_numpy(dtype=float)
            frame = frame.iloc[key.argsort(kind="stable")].reset_index(drop=True)
        out[name] = frame
    return out
