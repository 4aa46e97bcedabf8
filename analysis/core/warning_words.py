"""The warnings a run prints, in the user's language.

The library's warnings are English (they reach notebooks, logs and other programs); the
command line prints the common ones of a run in Chinese for a Chinese study, from the
patterns below. Split from :mod:`analysis.core.words` to keep each vocabulary module small.
"""

from __future__ import annotations

from analysis.core.words import _VALUE_LABELS_ZH, Lang

__all__ = ["warning_label"]


# the warnings a run prints most, in Chinese: message pattern -> Chinese (the full English
# message is in the tables and run.log; unknown warnings are printed as they are)
_WARNINGS_ZH: tuple[tuple[str, str], ...] = (
    (
        r"(.+?): (\d+) of (\d+) rows quarantined \((\d+) problems?, e\.g\. .*\); see "
        r"\.quarantine",
        r"\1：\3 行中有 \2 行被隔离（\4 个问题），详见 tables/survey_quarantine.csv",
    ),
    (
        r"screen_quality: (\d+) respondents? excluded \((.*)\); see \.exclusions",
        r"质量筛查：排除 \1 名受访者（\2），详见 tables/survey_exclusions.csv",
    ),
    (
        r"(.+?): (\d+) document\(s\) or metadata row\(s\) quarantined .*",
        r"\1：\2 篇文档或元数据行被隔离，详见 tables/text_quarantine.csv",
    ),
    (
        r"compare_groups: (\d+) group\(s\) with fewer than 2 values of '(.+?)' left out of "
        r"the tests: (.*)",
        r"社区比较：\1 个组的取值少于 2 个，未纳入检验：\3",
    ),
    (
        r"reliability: dimension '(.+?)' has (\d+) items and (\d+) respondents; its "
        r"statistics are NaN",
        r"信度分析：维度 \1 只有 \2 个题目、\3 名受访者，不计算其统计量",
    ),
)


def warning_label(text: object, lang: Lang) -> str:
    """A warning of a run as the command line prints it in ``lang``.

    Examples
    --------
    >>> warning_label("screen_quality: 2 respondents excluded (speeder: 1, duplicate: 1); "
    ...               "see .exclusions", "zh")
    '质量筛查：排除 2 名受访者（作答过快 1，重复提交 1），详见 tables/survey_exclusions.csv'
    """
    import re

    message = str(text)
    if lang != "zh":
        return message
    for pattern, zh in _WARNINGS_ZH:
        if re.fullmatch(pattern, message, flags=re.S):
            out = re.sub(pattern, zh, message, flags=re.S)
            for reason, label in _VALUE_LABELS_ZH["reason"].items():
                out = out.replace(f"{reason}: ", f"{label} ")
            return out.replace(", ", "，")
    return message
