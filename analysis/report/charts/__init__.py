"""Charts: a tidy frame in, a matplotlib ``Axes`` out; fonts so Chinese renders.

Importing this package imports no matplotlib; each module imports it when it draws.

* :mod:`.base`          what the charts share: input checks, labels, colours, new Axes
* :mod:`.means`         group x dimension means and t intervals for the group charts
* :mod:`.groups`        groups over the dimensions: radar, means with CIs, heatmap
* :mod:`.distributions` distributions of scores: boxes, violins, histograms
* :mod:`.ipa`           the importance–performance quadrant chart
* :mod:`.text`          text results: keyness bars, co-occurrence networks
* :mod:`.output`        charts to PNG, SVG or PDF files and to base64 PNG for HTML
* :mod:`.fonts`         CJK font discovery, applied without touching global ``rcParams``
"""
