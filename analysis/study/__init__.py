"""Studies: the study file, the ``analysis run`` pipeline, its outputs and the command line.

* :mod:`.config`    the study file (YAML) -> :class:`Study`
* :mod:`.pipeline`  ``run_study``: the steps of a run, one function each
* :mod:`.checks`    ``validate_study``: every problem a run would meet, found without running
* :mod:`.outputs`   what the steps produce and what a run returns
* :mod:`.figures`   the figures of a run
* :mod:`.reporting` gathering a run's results for its reports
* :mod:`.manifest`  ``manifest.json``: versions, input and output hashes, parameters
* :mod:`.scaffold`  ``analysis init``
* :mod:`.cli`       the command line
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.lazy import attach

_LAZY = {
    "Study": "analysis.study.config",
    "load_study": "analysis.study.config",
    "StudyResult": "analysis.study.outputs",
    "run_study": "analysis.study.pipeline",
    "validate_study": "analysis.study.checks",
}
__all__ = list(_LAZY)
__getattr__, __dir__ = attach(__name__, _LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.study.checks import validate_study
    from analysis.study.config import Study, load_study
    from analysis.study.outputs import StudyResult
    from analysis.study.pipeline import run_study
