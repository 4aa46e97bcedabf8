"""Texts: segmentation, lexicons, matching, scores, evidence, keyness, validation.

* :mod:`.segment`   a private jieba tokenizer with a user dictionary and a token cache
* :mod:`.lexicon`   lexicons: terms -> dimensions, weights, phrases, negation cues
* :mod:`.matching`  the matching rules, hit by hit, with offsets
* :mod:`.tally`     the same rules vectorised for counting
* :mod:`.score`     text scores and evidence
* :mod:`.textstats` keyness, the dimension x community table, co-occurrence
* :mod:`.validate`  lexicon validation against labelled passages
"""
