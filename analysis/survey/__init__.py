"""Surveys: codebooks, reading an export through one, quality screens, scores, reliability.

* :mod:`.codebook` the codebook: items -> dimensions, scales, reverse items, missing codes
* :mod:`.quality`  speeder, straight-lining and duplicate screens
* :mod:`.scores`   dimension scores, reliability and item analysis
"""
