"""The rule sections of a YAML lexicon, each entry checked with its line.

:mod:`analysis.text.lexicon_file` reads a lexicon's dimensions and hands these sections here:
``phrases`` (a phrase that settles a polysemous term), ``contexts`` (a term that serves
another dimension when its object follows closely), ``negation`` (cues, window, scope) and
``none_cues`` (regular expressions of clauses about no dimension) and ``subjects`` (words
that, opening a clause, make it about a dimension). Every problem goes to the
caller's :class:`~analysis.core.errors.Problems`, so one error lists them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analysis.core.dimensions import Framework
from analysis.core.errors import Problems
from analysis.core.yamlio import node_line, node_value
from analysis.text.lexicon import NEGATION_SCOPES, ONE_TOKEN, ContextRule, none_cue_problem

__all__ = [
    "check_keys",
    "parse_contexts",
    "parse_negation",
    "parse_none_cues",
    "parse_phrases",
    "parse_subjects",
]

NEGATION_KEYS = ("cues", "window", "scope")
CONTEXT_KEYS = ("term", "followed_by", "within", "dimension")


def parse_phrases(
    node: Any, lookup: dict[str, str], framework: Framework, problems: Problems
) -> dict[str, str | None]:
    import yaml

    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        problems.add("phrases must be a mapping phrase: dimension (or null)", line=node_line(node))
        return {}
    phrases: dict[str, str | None] = {}
    for k, v in node.value:
        phrase, target = node_value(k), node_value(v)
        if not isinstance(phrase, str) or not phrase.strip():
            problems.add("a phrase must be non-empty text", line=node_line(k), value=phrase)
            continue
        if target is None:
            phrases[phrase.strip()] = None
        elif str(target) in lookup:
            phrases[phrase.strip()] = lookup[str(target)]
        else:
            problems.add(
                f"unknown dimension for phrase {phrase!r}; expected one of "
                f"{', '.join(framework.ids)} or null",
                line=node_line(v),
                value=target,
            )
    return phrases


def parse_contexts(
    node: Any, lookup: dict[str, str], terms: dict[str, dict[str, float]], problems: Problems
) -> tuple[ContextRule, ...]:
    """``contexts``: a list of ``{term, followed_by: [...], within: n, dimension}``."""
    import yaml

    if node is None:
        return ()
    shape = "contexts must be a list of {term, followed_by: [words], within: n, dimension}"
    if not isinstance(node, yaml.SequenceNode):
        problems.add(shape, line=node_line(node))
        return ()
    known = {t for dim_terms in terms.values() for t in dim_terms}
    rules: dict[str, ContextRule] = {}
    for item in node.value:
        line = node_line(item)
        if not isinstance(item, yaml.MappingNode):
            problems.add(shape, line=line)
            continue
        fields = {node_value(k): (k, v) for k, v in item.value}
        check_keys(fields, CONTEXT_KEYS, "unknown key in a context rule", problems)
        term = node_value(fields["term"][1]) if "term" in fields else None
        objects = node_value(fields["followed_by"][1]) if "followed_by" in fields else None
        within = node_value(fields["within"][1]) if "within" in fields else 4
        target = node_value(fields["dimension"][1]) if "dimension" in fields else None
        if not isinstance(term, str) or term.strip() not in known:
            problems.add(
                "a context rule's term must be one of the lexicon's terms", line=line, value=term
            )
            continue
        if (
            not isinstance(objects, list)
            or not objects
            or not all(isinstance(o, str) and ONE_TOKEN.match(o.strip()) for o in objects)
        ):
            problems.add(
                "followed_by must be a list of words without spaces or punctuation",
                line=line,
                value=objects,
            )
            continue
        if isinstance(within, bool) or not isinstance(within, int) or within < 1:
            problems.add(
                "within must be a whole number of words, at least 1", line=line, value=within
            )
            continue
        if target is not None and str(target) not in lookup:
            ids = ", ".join(dict.fromkeys(lookup.values()))
            problems.add(
                f"unknown dimension; expected one of {ids} or null",
                line=line,
                value=target,
            )
            continue
        if term.strip() in rules:
            problems.add(
                "a term may have one context rule only; merge their objects", line=line, value=term
            )
            continue
        rules[term.strip()] = ContextRule(
            term=term.strip(),
            dimension=None if target is None else lookup[str(target)],
            objects=tuple(o.strip() for o in objects),
            within=within,
        )
    return tuple(rules.values())


def check_keys(
    items: dict[Any, tuple[Any, Any]], allowed: Sequence[str], problem: str, problems: Problems
) -> None:
    """Report every key of a parsed mapping that is not ``allowed``, with its line."""
    for key, (knode, _) in items.items():
        if key not in allowed:
            problems.add(
                f"{problem}; expected one of {', '.join(allowed)}", line=node_line(knode), value=key
            )


def parse_none_cues(node: Any, problems: Problems) -> tuple[str, ...]:
    """``none_cues``: a list of regular expressions, each checked with its line."""
    import yaml

    if node is None:
        return ()
    if not isinstance(node, yaml.SequenceNode):
        problems.add("none_cues must be a list of regular expressions", line=node_line(node))
        return ()
    cues: dict[str, None] = {}
    for item in node.value:
        value = node_value(item)
        problem = none_cue_problem(value)
        if problem:
            problems.add(f"none cue: {problem}", line=node_line(item), value=value)
            continue
        cues[value.strip()] = None
    return tuple(cues)


def parse_subjects(
    node: Any, lookup: dict[str, str], framework: Framework, problems: Problems
) -> dict[str, tuple[str, ...]]:
    """``subjects``: a mapping of dimension to a list of subject terms, each with its line."""
    import yaml

    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        problems.add(
            "subjects must be a mapping of dimension to a list of subject terms",
            line=node_line(node),
        )
        return {}
    subjects: dict[str, tuple[str, ...]] = {}
    for k, v in node.value:
        raw = node_value(k)
        dim = lookup.get(str(raw))
        if dim is None:
            problems.add(
                f"unknown dimension in subjects; expected one of {', '.join(framework.ids)}",
                line=node_line(k),
                value=raw,
            )
            continue
        if not isinstance(v, yaml.SequenceNode):
            problems.add(
                f"subjects of {dim} must be a list of terms", line=node_line(v), value=node_value(v)
            )
            continue
        words: dict[str, None] = {}
        for item in v.value:
            word = node_value(item)
            if not isinstance(word, str) or not word.strip():
                problems.add(
                    "a subject term must be non-empty text", line=node_line(item), value=word
                )
                continue
            words[word.strip()] = None
        subjects[dim] = tuple(words)
    return subjects


def parse_negation(node: Any, problems: Problems) -> tuple[tuple[str, ...], int, str]:
    import yaml

    if node is None:
        return (), 4, "before"
    if not isinstance(node, yaml.MappingNode):
        problems.add(
            "negation must be a mapping {cues: [...], window: n, scope: before}",
            line=node_line(node),
        )
        return (), 4, "before"
    items = {node_value(k): (k, v) for k, v in node.value}
    cues: tuple[str, ...] = ()
    window = 4
    scope = "before"
    check_keys(items, NEGATION_KEYS, "unknown key under negation", problems)
    if "cues" in items:
        value = node_value(items["cues"][1])
        if isinstance(value, list) and all(isinstance(c, str) and c for c in value):
            cues = tuple(value)
        else:
            problems.add(
                "cues must be a list of words", line=node_line(items["cues"][1]), value=value
            )
    if "window" in items:
        value = node_value(items["window"][1])
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            window = value
        else:
            problems.add(
                "window must be a positive whole number",
                line=node_line(items["window"][1]),
                value=value,
            )
    if "scope" in items:
        value = node_value(items["scope"][1])
        if value in NEGATION_SCOPES:
            scope = value
        else:
            problems.add(
                f"scope must be one of {', '.join(NEGATION_SCOPES)}",
                line=node_line(items["scope"][1]),
                value=value,
            )
    return cues, window, scope
