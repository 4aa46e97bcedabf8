"""A complex survey design: weights, strata, clusters (PSUs), finite population corrections.

:class:`SurveyDesign` names the design columns of a respondent-level frame, as R's
``survey::svydesign`` does, and carries calibration steps (post-stratification, raking) to
known community or population totals. The design-based functions
(:func:`~analysis.stats.design_estimates.survey_means`, ``survey_totals``,
``survey_proportions``, :func:`~analysis.stats.design_tests.survey_compare` and
``chi_square(design=...)``) take it with the data.

Variance estimation library
---------------------------
Standard errors come from **svy** (https://github.com/samplics-org/svy, MIT), the maintained
successor of samplics by the same authors: Taylor linearisation for stratified multistage
designs with finite population corrections at both stages, domain (subpopulation)
estimation that keeps the design intact, full covariance matrices of several estimates, and
post-stratification and raking whose variance accounts for the calibration. Its numbers
equal R's ``survey`` package (Lumley) to 1e-6 on the ``api`` data sets (``tests/r/
survey_design.R``). It was chosen over samplics 0.6.1, which is archived, warns on import that
it is no longer maintained, and rejected a per-row fpc column on a stratified design. svy
brings polars, msgspec and a compiled Rust core (``svy-rs``, wheels for Linux, macOS and
Windows) and needs Python 3.11+, so it is the optional extra ``analysis[design]`` rather than a
core dependency; every design-based function says how to install it when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError, check_option

if TYPE_CHECKING:  # pragma: no cover
    import svy

__all__ = ["SurveyDesign", "calibrated_weights"]

#: R's survey.lonely.psu options -> svy's singleton rules
_LONELY = {"fail": None, "adjust": "center", "average": "scale", "remove": "skip"}

#: what a user installs to get design-based estimates
INSTALL_HINT = 'pip install "analysis[design]"  (installs svy, which needs Python 3.11 or newer)'


def require_svy(owner: str) -> Any:
    """Import svy, or raise :class:`ConfigError` naming the extra that installs it."""
    try:
        import svy
    except ImportError as exc:  # pragma: no cover - svy is installed in the test environment
        raise ConfigError(
            f"{owner}: design-based estimates need the svy package, which is not installed; "
            f"install it with {INSTALL_HINT}"
        ) from exc
    return svy


@dataclass(frozen=True)
class SurveyDesign:
    """The sampling design of a survey, by the names of its design columns.

    Parameters
    ----------
    weights
        Column of sampling weights (positive). ``None`` gives every respondent weight 1
        (simple random sampling with replacement).
    strata
        Column of first-stage strata (e.g. districts); ``None`` for an unstratified design.
    psu
        Column of primary sampling units (clusters, e.g. communities sampled within a
        district); ``None`` when respondents were sampled directly (R's ``id = ~1``).
    ssu
        Column of second-stage units within a PSU (two-stage designs, R's
        ``id = ~psu + ssu``).
    fpc
        Column of the first-stage population size (number of PSUs in the stratum, or of
        respondents when there are no PSUs), or of the sampling fraction (values ≤ 1), as R's
        ``fpc``. ``None``: sampling with replacement, no finite population correction.
    fpc_ssu
        Column of the second-stage population size (units in the PSU) for two-stage designs.
    lonely_psu
        What a stratum with a single PSU contributes to the variance, as R's
        ``options(survey.lonely.psu = ...)``: ``"fail"`` (default: an error naming the
        stratum), ``"adjust"`` (centred at the grand mean), ``"average"`` (the average
        variance of the other strata) or ``"remove"`` (nothing).
    calibration
        Calibration steps applied in order; build them with :meth:`post_stratify` and
        :meth:`rake` rather than by hand.

    Examples
    --------
    >>> import analysis as an
    >>> d = an.SurveyDesign(weights="pw", strata="stype", fpc="fpc")
    >>> d.columns()
    ['pw', 'stype', 'fpc']
    >>> d.post_stratify("stype", {"E": 4421, "H": 755, "M": 1018}).calibration[0][0]
    'poststratify'

    Notes
    -----
    A design with weights only is the special case every weighted analysis of the toolkit
    meant before: each respondent is its own PSU, and standard errors are Taylor
    linearisation (sandwich) errors, as R's ``svydesign(id = ~1, weights = ~w)``.
    """

    weights: str | None = None
    strata: str | None = None
    psu: str | None = None
    ssu: str | None = None
    fpc: str | None = None
    fpc_ssu: str | None = None
    lonely_psu: Literal["fail", "adjust", "average", "remove"] = "fail"
    calibration: tuple[tuple[Any, ...], ...] = field(default=())

    def __post_init__(self) -> None:
        check_option("lonely_psu", self.lonely_psu, tuple(_LONELY), owner="SurveyDesign")
        for name in ("weights", "strata", "psu", "ssu", "fpc", "fpc_ssu"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ConfigError(
                    f"SurveyDesign: {name} must be a column name (str) or None; got {value!r}"
                )
        if self.ssu is not None and self.psu is None:
            raise ConfigError("SurveyDesign: ssu needs psu (the first-stage clusters)")
        if self.fpc_ssu is not None and (self.ssu is None or self.fpc is None):
            raise ConfigError("SurveyDesign: fpc_ssu needs ssu and fpc (a two-stage design)")

    def columns(self) -> list[str]:
        """The design columns named, in the order weights, strata, psu, ssu, fpc, fpc_ssu."""
        names = (self.weights, self.strata, self.psu, self.ssu, self.fpc, self.fpc_ssu)
        names += tuple(c for step in self.calibration for c in _step_columns(step))
        return list(dict.fromkeys(c for c in names if c is not None))

    def post_stratify(self, by: str, totals: Mapping[Any, float]) -> SurveyDesign:
        """This design with weights post-stratified to known totals of ``by``.

        Parameters
        ----------
        by
            Column of the post-strata (e.g. community, or age group).
        totals
            Population size of each post-stratum, ``{level: total}``; every level found in
            the data needs one.

        Returns
        -------
        SurveyDesign
            A new design (this one is unchanged); estimates from it match R's
            ``postStratify(design, ~by, data.frame(by = ..., Freq = ...))``, standard errors
            included.
        """
        return replace(self, calibration=(*self.calibration, ("poststratify", by, _totals(totals))))

    def rake(self, margins: Mapping[str, Mapping[Any, float]]) -> SurveyDesign:
        """This design with weights raked to known marginal totals.

        Parameters
        ----------
        margins
            ``{column: {level: total}}``, one entry per margin (e.g. community and sex);
            the margins must agree on the population total.

        Returns
        -------
        SurveyDesign
            A new design; iterative proportional fitting to convergence (relative change
            below 1e-10), as R's ``rake(design, list(~a, ~b), list(pop.a, pop.b),
            control = list(maxit = 100, epsilon = 1e-9))``.
        """
        if not margins:
            raise ConfigError("SurveyDesign.rake: margins is empty; give {column: {level: total}}")
        frozen = tuple((str(c), _totals(t)) for c, t in margins.items())
        return replace(self, calibration=(*self.calibration, ("rake", frozen)))


def _totals(totals: Mapping[Any, float]) -> tuple[tuple[Any, float], ...]:
    if not isinstance(totals, Mapping) or not totals:
        raise ConfigError(
            f"SurveyDesign: totals must be a non-empty {{level: total}}; got {totals!r}"
        )
    out = []
    for level, value in totals.items():
        number = float(value)
        if not np.isfinite(number) or number <= 0:
            raise ConfigError(
                f"SurveyDesign: the total of {level!r} must be positive; got {value!r}"
            )
        out.append((level, number))
    return tuple(out)


def _step_columns(step: tuple[Any, ...]) -> list[str]:
    if step[0] == "poststratify":
        return [step[1]]
    return [c for c, _ in step[1]]


# ====================================================================== svy sample


def check_design(design: Any, owner: str) -> None:
    """Raise :class:`ConfigError` unless ``design`` is a :class:`SurveyDesign`."""
    if not isinstance(design, SurveyDesign):
        raise ConfigError(f"{owner}: design must be an analysis.SurveyDesign; got {design!r}")


def build_sample(
    data: pd.DataFrame,
    design: SurveyDesign,
    variables: Sequence[str],
    *,
    owner: str,
    categorical: Sequence[str] = (),
) -> tuple[svy.Sample, str]:
    """An svy Sample of ``data`` under ``design`` with ``variables`` and its calibration applied.

    Returns the sample and the name of its final weight column. Categorical variables (and
    strata, clusters, post-strata) become strings, so levels such as ``1`` and ``"1"`` meet.
    """
    svy = require_svy(owner)
    import polars as pl

    check_design(design, owner)
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{owner}: data must be a pandas DataFrame; got {type(data).__name__}")
    wanted = list(dict.fromkeys([*design.columns(), *variables]))
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise InputError(
            f"{owner}: column(s) {', '.join(map(repr, missing))} not in data; columns are "
            f"{', '.join(map(str, data.columns))}"
        )
    if len(data) < 2:
        raise InputError(f"{owner}: need at least 2 respondents; got {len(data)}")
    frame = pd.DataFrame(index=range(len(data)))
    labels = {design.strata, design.psu, design.ssu, *categorical}
    labels |= {c for step in design.calibration for c in _step_columns(step)}
    for column in wanted:
        values = data[column].reset_index(drop=True)
        if column in labels:
            frame[column] = values.map(lambda v: None if pd.isna(v) else str(v)).astype(object)
        else:
            frame[column] = _numeric(values, column, owner)
    weight = design.weights
    if weight is None:
        weight = "__weight"
        frame[weight] = 1.0
    _check_design_values(frame, design, weight, owner)
    fpc = _fpc_sizes(frame, design)
    for name, values in fpc.items():
        frame[name] = values
    pop = None
    if design.fpc is not None:
        pop = svy.PopSize(psu="__fpc", ssu="__fpc_ssu") if design.fpc_ssu else "__fpc"
    rule = _LONELY[design.lonely_psu]
    spec = svy.Design(
        stratum=design.strata,
        psu=design.psu,
        ssu=design.ssu,
        wgt=weight,
        pop_size=pop,
        **({"singleton": svy.Singleton(rule)} if rule else {}),
    )
    with svy_errors(owner):
        sample = svy.Sample(pl.from_pandas(frame), spec)
    return _calibrate(sample, design, weight, owner)


@contextmanager
def svy_errors(owner: str) -> Iterator[None]:
    """Turn svy's errors into :class:`InputError` saying what is wrong in the user's terms."""
    try:
        yield
    except Exception as exc:
        if not type(exc).__module__.startswith("svy"):
            raise
        if type(exc).__name__ == "SingletonError":
            raise InputError(
                f"{owner}: a stratum has a single sampling unit (PSU), so its variance "
                "cannot be estimated; merge it with another stratum or set "
                "SurveyDesign(lonely_psu='adjust' | 'average' | 'remove') as R's "
                f"survey.lonely.psu ({_first_lines(exc)})"
            ) from None
        raise InputError(
            f"{owner}: the survey design could not be estimated: {_first_lines(exc)}"
        ) from None


def _first_lines(exc: Exception) -> str:
    lines = [ln.strip(" ❌•") for ln in str(exc).splitlines() if ln.strip()]
    return "; ".join(lines[:3])


def _numeric(values: pd.Series, column: str, owner: str) -> pd.Series:
    out = pd.to_numeric(values, errors="coerce")
    bad = out.isna() & values.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{owner}: column {column!r}, row {pos + 1}: got {values.iloc[pos]!r}; "
            "expected a number"
        )
    return out.astype(float)


def _check_design_values(
    frame: pd.DataFrame, design: SurveyDesign, weight: str, owner: str
) -> None:
    for column in (weight, design.strata, design.psu, design.ssu, design.fpc, design.fpc_ssu):
        if column is None:
            continue
        gap = frame[column].isna().to_numpy()
        if gap.any():
            pos = int(np.flatnonzero(gap)[0])
            raise InputError(
                f"{owner}: design column {column!r} is missing in row {pos + 1}; every "
                "respondent needs a weight, stratum, cluster and fpc"
            )
    w = frame[weight].to_numpy(dtype=float)
    if (w <= 0).any() or not np.isfinite(w).all():
        pos = int(np.flatnonzero((w <= 0) | ~np.isfinite(w))[0])
        raise InputError(
            f"{owner}: column {weight!r}, row {pos + 1}: got {float(w[pos])!r}; expected a "
            "positive weight"
        )


def _fpc_sizes(frame: pd.DataFrame, design: SurveyDesign) -> dict[str, pd.Series]:
    """Population sizes for svy from R-style fpc columns (sizes, or fractions ≤ 1)."""
    out: dict[str, pd.Series] = {}
    if design.fpc is None:
        return out
    strata = frame[design.strata] if design.strata else pd.Series("all", index=frame.index)
    units = frame[design.psu] if design.psu else pd.Series(frame.index, index=frame.index)
    n_h = units.groupby(strata).transform("nunique").astype(float)
    out["__fpc"] = _as_size(frame[design.fpc], n_h, design.fpc)
    if design.fpc_ssu is not None:
        ssu = frame[design.ssu]  # type: ignore[index]
        n_i = ssu.groupby([strata, units]).transform("nunique").astype(float)
        out["__fpc_ssu"] = _as_size(frame[design.fpc_ssu], n_i, design.fpc_ssu)
    return out


def _as_size(values: pd.Series, sampled: pd.Series, column: str) -> pd.Series:
    v = values.astype(float)
    if (v <= 0).any():
        raise InputError(f"SurveyDesign: fpc column {column!r} has values ≤ 0")
    fraction = bool((v <= 1).all())  # R's rule: all ≤ 1 are fractions, all ≥ 1 are sizes
    if not fraction and (v < 1).any():
        raise InputError(
            f"SurveyDesign: fpc column {column!r} mixes sampling fractions (< 1) and "
            "population sizes (> 1); give one or the other"
        )
    size = sampled / v if fraction else v
    if (size < sampled - 1e-9).any():
        raise InputError(
            f"SurveyDesign: fpc column {column!r} gives a population smaller than the sample "
            "drawn from it"
        )
    return size


def _calibrate(
    sample: svy.Sample, design: SurveyDesign, weight: str, owner: str
) -> tuple[svy.Sample, str]:
    for i, step in enumerate(design.calibration):
        name = f"__cal{i}"
        try:
            if step[0] == "poststratify":
                by, totals = step[1], dict(step[2])
                _check_levels(sample, by, totals, owner)
                sample = sample.weighting.poststratify(controls=totals, cells=by, wgt_name=name)
            else:
                controls = {c: dict(t) for c, t in step[1]}
                for c, t in controls.items():
                    _check_levels(sample, c, t, owner)
                sample = sample.weighting.rake(
                    controls=controls, wgt_name=name, tol=1e-10, max_iter=1000
                )
        except InputError:
            raise
        except Exception as exc:  # svy's own errors name the failing margin
            raise InputError(
                f"{owner}: calibration step {i + 1} ({step[0]}) failed: {exc}"
            ) from exc
        weight = name
    return sample, weight


def _check_levels(sample: svy.Sample, column: str, totals: Mapping[Any, float], owner: str) -> None:
    found = set(sample.data[column].drop_nulls().unique().to_list())
    given = {str(k) for k in totals}
    if None in set(sample.data[column].to_list()):
        raise InputError(f"{owner}: calibration column {column!r} has missing values")
    lacking = sorted(found - given)
    if lacking:
        raise InputError(
            f"{owner}: calibration totals for {column!r} lack level(s) "
            f"{', '.join(map(repr, lacking))} found in the data"
        )


def calibrated_weights(data: pd.DataFrame, design: SurveyDesign) -> pd.Series:
    """The final weights of ``design`` on ``data``, after its calibration steps.

    Parameters
    ----------
    data
        One row per respondent with the design columns.
    design
        A :class:`SurveyDesign`, usually with :meth:`~SurveyDesign.post_stratify` or
        :meth:`~SurveyDesign.rake` steps.

    Returns
    -------
    pandas.Series
        One weight per row of ``data`` (same index), named ``weight``: R's
        ``weights(design)``.

    Examples
    --------
    >>> import pandas as pd, analysis as an
    >>> d = pd.DataFrame({"w": [1.0, 1.0, 2.0], "sex": ["f", "m", "m"]})
    >>> an.calibrated_weights(d, an.SurveyDesign(weights="w").post_stratify(
    ...     "sex", {"f": 10, "m": 30})).tolist()
    [10.0, 10.0, 20.0]
    """
    sample, weight = build_sample(data, design, [], owner="calibrated_weights")
    values = sample.data[weight].to_numpy().astype(float)
    return pd.Series(values, index=data.index, name="weight")
