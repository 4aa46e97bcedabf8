"""Codebooks: which survey column is which item, on which scale, in which dimension.

A codebook is a small YAML file (DESIGN.md section 5) that turns a raw survey export into
numbers::

    framework: service-five          # or `dimensions: [{id, label_zh, label_en}, ...]`
    id_column: 序号
    group_column: "1、您所居住的社区："
    scale: {min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5},
            satisfied: [满意, 非常满意]}  # what counts for the 满意率 (default: top two)
    scales:                          # named extra ladders; an item picks one with `scale:`
      agree: {min: 1, max: 5, labels: {非常不同意: 1, 不同意: 2, 一般: 3, 同意: 4, 非常同意: 5}}
    missing: {skipped: ["(跳过)"], no_answer: ["(空)"]}
    min_answered: 0.5
    covariates: [{column: "2、您的性别：", id: gender}]
    duration_column: 所用时间
    weight_column: null               # sampling weight; with the three below, a survey design
    strata_column: null               # e.g. 街道 (strata), for design-based standard errors
    psu_column: null                  # e.g. 所在社区 when communities were sampled as clusters
    fpc_column: null                  # population size of each stratum (or sampling fraction)
    text_columns: [{column: "23、您对社区党组织的工作还有哪些意见和建议？", id: suggestions}]
    items:
      - {column: "7、您对社区“一站式”服务的满意程度", id: q7, dimension: reform}
      - {column: "12、在社区办事经常需要反复跑腿", id: q12, dimension: reform, reverse: true,
         scale: agree}

:func:`~analysis.survey.codebook_file.load_codebook` checks everything it can without data
and raises one :class:`~analysis.core.errors.CodebookError` listing every problem with its
YAML line; :func:`~analysis.survey.drafting.validate_codebook` checks a codebook against a
survey export (unknown columns, answers the labels do not cover).
:func:`~analysis.survey.drafting.draft_codebook` writes a first draft from an export for a
researcher to review. This module holds the model those functions build and read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.dimensions import Framework

#: codebook attributes that each name one export column (not items, covariates or texts)
NAMED_COLUMNS = (
    "id_column",
    "group_column",
    "duration_column",
    "weight_column",
    "strata_column",
    "psu_column",
    "fpc_column",
)

__all__ = ["Codebook", "Column", "Item", "Scale"]

DEFAULT_SCALE = "default"
MISSING_KINDS = ("skipped", "no_answer")


@dataclass(frozen=True)
class Scale:
    """A Likert ladder: option texts and the numbers they stand for.

    Parameters
    ----------
    name
        Name used by items (``"default"`` for the codebook's ``scale:``).
    min, max
        Ends of the ladder; a reversed answer is ``min + max - x``.
    labels
        Option text -> number.
    satisfied
        The numbers that count as satisfied for the 满意率 (declared in the codebook as
        ``satisfied: [满意, 非常满意]``, labels or numbers); empty = the top two points of
        the ladder (see :attr:`satisfied_values`).
    """

    name: str
    min: float
    max: float
    labels: Mapping[str, float] = field(default_factory=dict)
    satisfied: tuple[float, ...] = ()

    @property
    def satisfied_values(self) -> tuple[float, ...]:
        """The scored values that count as satisfied: as declared, else the top two points.

        Scored values are after reverse coding, so for a reverse-keyed item the mirrored
        answers count (``非常不同意`` with "经常需要反复跑腿" is satisfied).
        """
        return self.satisfied or self.values[-2:]

    def reverse(self, value: float) -> float:
        """Reverse one value on this ladder (``min + max - value``)."""
        return self.min + self.max - value

    @property
    def values(self) -> tuple[float, ...]:
        """The numbers answers may take, sorted: the labels' numbers, or without labels
        every whole number from ``min`` to ``max``."""
        if not self.labels:
            return tuple(float(v) for v in range(math.ceil(self.min), math.floor(self.max) + 1))
        return tuple(sorted(set(self.labels.values())))


@dataclass(frozen=True)
class Item:
    """One scored survey item.

    Parameters
    ----------
    column
        Header of the column in the export.
    id
        Short ASCII id used as column name in :class:`~analysis.survey.reading.SurveyData`.
    dimension
        Dimension id of the framework.
    reverse
        Reverse-worded: scored ``min + max - x``.
    scale
        Name of the scale (``"default"`` or a key of ``scales:``).
    line
        Line of the item in the YAML file (None when built from a mapping).
    """

    column: str
    id: str
    dimension: str
    reverse: bool = False
    scale: str = DEFAULT_SCALE
    line: int | None = None


@dataclass(frozen=True)
class Column:
    """A non-item column kept in the responses: a covariate or a free-text answer."""

    column: str
    id: str
    line: int | None = None


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Build it with :func:`~analysis.survey.codebook_file.load_codebook`.

    Attributes
    ----------
    framework
        The :class:`~analysis.core.dimensions.Framework` items are scored on.
    id_column, group_column
        Respondent id and group (community) columns of the export; either may be None.
    scales
        Scale name -> :class:`Scale`; ``"default"`` is the codebook's ``scale:``.
    items
        The scored items, in codebook order.
    missing
        Missing kind (``"skipped"``, ``"no_answer"``) -> the raw values that mean it.
    min_answered
        Share of a dimension's items a respondent must answer to get a score.
    covariates, text_columns
        Other columns kept in the responses under their ids.
    duration_column, weight_column
        Time spent answering (read as seconds) and a survey weight, when present.
    strata_column, psu_column, fpc_column
        The sampling design, when present: strata, primary sampling units (clusters) and
        the finite population correction (population size, or sampling fraction ≤ 1), read
        into ``stratum``, ``psu`` and ``fpc`` and turned into
        :attr:`~analysis.survey.reading.SurveyData.design`.
    path
        The YAML file the codebook came from.
    """

    framework: Framework
    id_column: str | None
    group_column: str | None
    scales: Mapping[str, Scale]
    items: tuple[Item, ...]
    missing: Mapping[str, tuple[str, ...]]
    min_answered: float = 0.5
    covariates: tuple[Column, ...] = ()
    duration_column: str | None = None
    weight_column: str | None = None
    strata_column: str | None = None
    psu_column: str | None = None
    fpc_column: str | None = None
    text_columns: tuple[Column, ...] = ()
    path: str | None = None

    def __repr__(self) -> str:
        """A short summary: items per dimension, the group column, the file.

        Examples
        --------
        >>> from analysis.survey.codebook_file import load_codebook
        >>> load_codebook({"scale": {"min": 1, "max": 5}, "group_column": "社区",
        ...                "items": [{"column": "Q1", "id": "q1", "dimension": "reform"}]})
        ... # doctest: +NORMALIZE_WHITESPACE
        Codebook(1 item: reform 1; empty: development, livelihood, masses, members;
                 group_column='社区')
        """
        counts = [f"{d} {len(self.items_for(d))}" for d in self.dimensions]
        empty = self.empty_dimensions
        parts = [
            f"{len(self.items)} item{'s' if len(self.items) != 1 else ''}: " + ", ".join(counts)
        ]
        if empty:
            parts.append("empty: " + ", ".join(empty))
        parts.append(f"group_column={self.group_column!r}")
        if self.text_columns:
            parts.append(f"{len(self.text_columns)} open-ended")
        if self.path:
            parts.append(f"path={Path(self.path).name!r}")
        return f"Codebook({'; '.join(parts)})"

    @property
    def empty_dimensions(self) -> tuple[str, ...]:
        """Ids of the framework's dimensions that have no items (left out of every score)."""
        used = {it.dimension for it in self.items}
        return tuple(d for d in self.framework.ids if d not in used)

    def items_for(self, dimension: str) -> tuple[Item, ...]:
        """Items of ``dimension``, in codebook order."""
        return tuple(it for it in self.items if it.dimension == dimension)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Ids of the dimensions that have items, in framework order."""
        used = {it.dimension for it in self.items}
        return tuple(d for d in self.framework.ids if d in used)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in codebook order."""
        return tuple(it.id for it in self.items)

    def scale_of(self, item: Item) -> Scale:
        """The :class:`Scale` of ``item``."""
        return self.scales[item.scale]

    def missing_kind(self, value: str) -> str | None:
        """``"skipped"``, ``"no_answer"`` or None for one raw answer (compared as text)."""
        for kind, values in self.missing.items():
            if value in values:
                return kind
        return None
