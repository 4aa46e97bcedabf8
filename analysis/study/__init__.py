"""Studies: the study file, the ``analysis run`` pipeline, its outputs and the command line.

* :mod:`.config`    the study file (YAML) -> :class:`Study`, and ``run_study``
* :mod:`.pipeline`  the steps of a run, one function each
* :mod:`.figures`   the figures of a run
* :mod:`.reporting` the reports of a run
* :mod:`.manifest`  ``manifest.json``: versions, input and output hashes, parameters
* :mod:`.scaffold`  ``analysis init``
* :mod:`.cli`       the command line
"""
