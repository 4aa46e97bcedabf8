"""The warnings a run prints, in the user's language.

The library's warnings are English (they reach notebooks, logs and other programs); the
command line prints the common ones of a run in Chinese for a Chinese study, from the
patterns below. Split from :mod:`analysis.core.words` to keep each vocabulary module small.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from analysis.core.words import _VALUE_LABELS_ZH, Lang

__all__ = ["warning_label"]


# the warnings a run prints most, in Chinese: message pattern -> Chinese (the full English
# message is in the tables and run.log; unknown warnings are printed as they are)
_WARNINGS_ZH: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
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
    (
        r"compare_groups: fewer than two groups of '(.+?)' to compare(?: for (.+?))?; those "
        r"rows have no test \(NaN statistics\)(; every row is in the one group 'all'.*)?",
        lambda m: (
            f"社区比较：{m[1]} 可比较的组少于两个{_where(m[2])}，这些行没有检验结果"
            + (
                "；数据中没有分组列，所有行都在“all”一组（请在编码簿中用 group_column 指明社区列）"
                if m[3]
                else ""
            )
        ),
    ),
    (
        r"compare_groups: (\S+) test not computed(?: for (.+?))?: no variation within "
        r"group\(s\) (.*)",
        lambda m: f"社区比较：{_method(m[1])}未计算{_where(m[2])}：以下组内没有变异：{m[3]}",
    ),
    (
        r"(?:icc|mixed_model): only (\d+) clusters; the between-cluster variance is imprecise",
        r"多层分析：只有 \1 个群组，组间方差的估计不精确",
    ),
    (
        r"mixed_model: the REML/ML optimum of '(.+?)' was not reached to 1e-6; .*",
        r"混合模型：\1 的 REML/ML 估计未收敛到 1e-6，估计值可能不精确（请简化随机部分或对"
        r"预测变量重新标度）",
    ),
    (
        r"mixed_model: Satterthwaite df of '(.+?)' could not be computed .*",
        r"混合模型：无法计算 \1 的 Satterthwaite 自由度（方差参数的 Hessian 矩阵奇异），p 值"
        r"为缺失；可用 ddf='wald' 改作 z 检验",
    ),
    (
        r"text_survey_correlation: fewer than (\d+) communities for (.+?); the correlation "
        r"is fragile",
        r"文本与问卷相关：\2 的社区少于 \1 个，相关系数不稳定",
    ),
    (
        r"chi_square: (\d+%) of expected counts are below 5; (.*)",
        r"卡方检验：\1 的期望频数小于 5；请合并类别或改用精确检验（Fisher）",
    ),
    (
        r"dimension_table: (\d+%) of expected counts are below 5; the chi-square "
        r"approximation is poor, read the residuals descriptively",
        r"维度列联表：\1 的期望频数小于 5，卡方近似不可靠，残差仅作描述",
    ),
    (
        r"(.+?): duplicated column header (.+?); later copies are read as '<header> "
        r"\[column N\]'",
        r"\1：列标题重复：\2；后出现的同名列按“<标题> [column N]”读取",
    ),
    (
        r"(.+?): (\d+) respondent\(s\) name no group in column '(.+?)'; they are kept for "
        r"scores, reliability and item analysis and left out of group comparisons",
        r"\1：\2 名受访者未填写分组列 \3；其得分、信度和题目分析照常计算，但不纳入组间比较",
    ),
    (
        r"(.+?): read as '(.+?)' as asked, but the bytes are valid UTF-8, which is the "
        r"likely encoding; leave the encoding out to detect it",
        r"\1：已按指定的 \2 读取，但内容是有效的 UTF-8，很可能应按 UTF-8 读取；"
        r"不指定编码即可自动检测",
    ),
    (
        r"cfa: dimension '(.+?)' has (\d+) item; a factor needs at least two .*",
        r"验证性因子分析：维度 \1 只有 \2 个题目；一个因子至少需要两个题目（单独识别需要三个），"
        r"因此未纳入模型",
    ),
    (
        r"cfa: dimension '(.+?)' has only two items: on its own it is under-identified.*",
        r"验证性因子分析：维度 \1 只有两个题目，单独无法识别，只在整体模型中借助与其他"
        r"维度的相关来估计，其载荷不够稳定",
    ),
    (
        r"cfa: (\d+) of (\d+) respondents left out for a missing answer \(listwise "
        r"deletion; (\d+) of them answered fewer than (\d+%) of a dimension's items\)",
        r"验证性因子分析：\2 名受访者中有 \1 名因缺答被排除（列删法；其中 \3 名"
        r"答题少于某维度题目的 \4）",
    ),
    (
        r"cfa: (\d+) respondents; ML estimates and fit indices are unstable below about 200",
        r"验证性因子分析：只有 \1 名受访者；样本少于约 200 时，最大似然估计和拟合指数不稳定",
    ),
    (
        r"cfa: the fit did not converge in (\d+) iterations; .*",
        r"验证性因子分析：迭代 \1 次后仍未收敛；请检查方差几乎为零或近乎重复的题目，"
        r"删去较弱的题目，或减少维度",
    ),
    (
        r"cfa: Heywood case \((.+?)\): .*",
        r"验证性因子分析：出现 Heywood 情形（\1）：标准化载荷大于 1 或残差方差为负；"
        r"可能有题目重复、维度题目过少或样本过小",
    ),
    (
        r"invariance: groups too small to test \(fewer than (\d+) complete respondents\): "
        r"(.+?); they are left out\..*",
        r"测量不变性：以下组完整作答者少于 \1 人，无法检验，已排除：\2。可把小组合并为"
        r"较大的组（如按街道或区），或用 groups=[...] 只检验部分组",
    ),
)


def _location_zh(text: str) -> str:
    """The places :func:`~analysis.core.errors.location` names, in Chinese."""
    text = re.sub(r", sheet '([^']*)'", r"，工作表 '\1'", text)
    text = re.sub(r", row (\d+)", r"，第 \1 行", text)
    text = re.sub(r", column '([^']*)'", r"，列 '\1'", text)
    return re.sub(
        r" \(columns ([\d and]+)\)", lambda m: f"（第 {m[1].replace(' and ', '、')} 列）", text
    )


def _where(part: str | None) -> str:
    return f"（{part}）" if part else ""


def _method(name: str) -> str:
    from analysis.core.words import METHODS

    known = METHODS.get(name.replace("_", "-"))
    return known.zh if known else f"{name} 检验"


def warning_label(text: object, lang: Lang) -> str:
    """A warning of a run as the command line prints it in ``lang``.

    Examples
    --------
    >>> warning_label("screen_quality: 2 respondents excluded (speeder: 1, duplicate: 1); "
    ...               "see .exclusions", "zh")
    '质量筛查：排除 2 名受访者（作答过快 1，重复提交 1），详见 tables/survey_exclusions.csv'
    """
    message = str(text)
    if lang != "zh":
        return message
    for pattern, zh in _WARNINGS_ZH:
        if re.fullmatch(pattern, message, flags=re.S):
            out = re.sub(pattern, zh, message, count=1, flags=re.S)
            out = _location_zh(out)
            for reason, label in _VALUE_LABELS_ZH["reason"].items():
                out = out.replace(f"{reason}: ", f"{label} ")
            return out.replace(", ", "，")
    return message
