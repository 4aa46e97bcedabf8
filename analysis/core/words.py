"""The toolkit's words: one ``Lang``, and the names of methods in Chinese and English.

Tables, result displays, APA sentences and reports all name the statistical methods; they
take the names from here so that one method is called the same everywhere.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["LANGS", "METHODS", "Lang", "MethodName", "method_label", "method_prose"]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class MethodName(NamedTuple):
    """How a method is named: short (table cells, headings) and in prose, in both languages."""

    zh: str
    en: str
    zh_prose: str
    en_prose: str


METHODS: dict[str, MethodName] = {
    "anova": MethodName("单因素方差分析", "one-way ANOVA", "单因素方差分析", "one-way ANOVA"),
    "welch": MethodName(
        "Welch 方差分析",
        "Welch's ANOVA",
        "Welch 方差分析（对方差不齐与各组样本量不等稳健）",
        "Welch's ANOVA (robust to unequal variances and group sizes)",
    ),
    "brown-forsythe": MethodName(
        "Brown-Forsythe 检验",
        "Brown-Forsythe test",
        "Brown-Forsythe 检验",
        "the Brown-Forsythe test",
    ),
    "kruskal": MethodName(
        "Kruskal-Wallis 检验",
        "Kruskal-Wallis test",
        "Kruskal-Wallis 秩和检验（含结校正）",
        "the Kruskal-Wallis test (tie-corrected)",
    ),
    "tukey": MethodName("Tukey-Kramer", "Tukey-Kramer", "Tukey-Kramer 法", "Tukey-Kramer"),
    "games-howell": MethodName("Games-Howell", "Games-Howell", "Games-Howell 法", "Games-Howell"),
    "dunn": MethodName("Dunn", "Dunn", "Dunn 检验", "Dunn's test"),
    "lsd": MethodName("LSD", "LSD", "LSD 法", "LSD"),
    "bonferroni": MethodName("Bonferroni", "Bonferroni", "Bonferroni 法", "Bonferroni"),
    "spearman": MethodName("Spearman 相关", "Spearman", "Spearman 等级相关", "Spearman's rho"),
}


def _key(method: object) -> str:
    return str(method).lower().replace("_", "-")


def method_label(method: object, lang: Lang) -> str:
    """The short name of ``method`` (a table cell); the id itself when unknown."""
    name = METHODS.get(_key(method))
    return str(method) if name is None else (name.zh if lang == "zh" else name.en)


def method_prose(method: object, lang: Lang) -> str:
    """How ``method`` is named in a sentence; the id itself when unknown."""
    name = METHODS.get(_key(method))
    return str(method) if name is None else (name.zh_prose if lang == "zh" else name.en_prose)
