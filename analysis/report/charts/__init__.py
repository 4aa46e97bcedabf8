"""Charts: a tidy frame in, a matplotlib ``Axes`` out; fonts so Chinese renders.

Importing this package imports no matplotlib; each module imports it when it draws.

* :mod:`.groups` the charts, and what they share, until they are split by family
* :mod:`.fonts`  CJK font discovery, applied without touching global ``rcParams``
"""
