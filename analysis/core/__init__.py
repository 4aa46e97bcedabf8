"""What every stage shares, and imports nothing else of ``analysis``.

* :mod:`.errors`     the error and warning tree, and the helpers that word a problem
* :mod:`.dimensions` frameworks of dimensions (``SERVICE_FIVE``)
* :mod:`.apa`        APA formatting of numbers, p values and intervals
* :mod:`.yamlio`     YAML with line numbers
* :mod:`.parallel`   sharing chunks of work between this process and workers
* :mod:`.progress`   progress bars that load tqdm only when shown
"""
