"""The command line's help and argument errors, in Chinese and English.

``analysis --help`` and argparse's own errors ("the following arguments are required") speak
the user's language: the help texts of every command and option are here, and so are
Chinese versions of the messages argparse itself prints. Split from
:mod:`analysis.core.words` to keep each vocabulary module small; imports nothing heavy, since
the command line builds its parser before anything else is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

Lang = Literal["zh", "en"]

__all__ = ["ARGPARSE_ZH", "HELP", "METAVARS", "argparse_words", "help_text", "metavar"]

#: Help of the command, its subcommands and their arguments: key -> (Chinese, English).
HELP: Mapping[str, tuple[str, str]] = {
    "description": (
        "基层服务型党组织与社区治理研究的问卷与文本分析工具。",
        "Survey and Chinese text analytics for community governance research.",
    ),
    "command": ("命令", "COMMAND"),
    "version": ("显示版本号并退出", "show the version and exit"),
    "run": (
        "运行一项研究：得分、比较、图表、报告",
        "run a study: scores, comparisons, figures, reports",
    ),
    "study": ("研究文件（study.yaml）", "the study file (study.yaml)"),
    "output": (
        "写到此文件夹，而不是研究设定的输出位置（默认：研究文件夹中的 output/）",
        "write here instead of the study's output (default: output/ in the study folder)",
    ),
    "jobs": ("同时工作的进程数（默认 1）", "processes working at once (default 1)"),
    "lang": ("报告语言（默认：研究设定的语言）", "report language (default: the study's)"),
    "quiet": ("不显示进度条", "no progress bars"),
    "workers": (
        "在本机 N 个工作进程的 Dask 集群上处理文本",
        "run the text step on a local Dask cluster of N worker processes",
    ),
    "scheduler": (
        "在给定地址的 Dask 集群上处理文本（tcp://主机:8786）",
        "run the text step on the Dask cluster at ADDRESS (tcp://HOST:8786)",
    ),
    "validate": (
        "列出一项研究的全部问题，但不运行",
        "list every problem in a study without running it",
    ),
    "init": ("新建一个研究文件夹（含模板文件）", "scaffold a new study folder"),
    "folder": ("要新建的文件夹", "folder to create"),
    "force": ("写入已有且非空的文件夹", "write into an existing non-empty folder"),
    "codebook": ("编码簿工具", "codebook tools"),
    "action": ("操作", "ACTION"),
    "draft": ("根据问卷导出文件起草编码簿", "draft a codebook from a survey export"),
    "export": (
        "问卷导出文件（xlsx、xls、csv、sav、dta）",
        "survey export (xlsx, xls, csv, sav, dta)",
    ),
    "sheet": ("工作表名称或序号（xlsx、xls）", "sheet name or index (xlsx, xls)"),
    "draft_output": (
        "把草稿写到此文件（默认：输出到屏幕）",
        "write the draft here (default: stdout)",
    ),
    "coding": (
        "人工编码核查：抽样、编码表、一致性与准确率",
        "check the labels against people's coding: sample, sheets, agreement, accuracy",
    ),
    "coding_sample": (
        "从文本中抽取段落，写出抽样表（coding-key.csv）和每位编码员的编码表",
        "draw passages of the texts; write the key (coding-key.csv) and a sheet per coder",
    ),
    "texts": (
        "文本文件夹（txt、docx、pdf）或文本表格（csv、xlsx）",
        "a folder of documents (txt, docx, pdf) or a table of texts (csv, xlsx)",
    ),
    "n_passages": ("抽取的段落数（默认 300）", "passages to draw (default 300)"),
    "per_doc": ("每篇文档至多抽取的段落数（默认不限）", "at most N passages a document"),
    "seed": ("抽样的随机种子（默认 0）", "seed of the draw (default 0)"),
    "method": (
        "被核查的标注方法（默认 ensemble）",
        "the labelling method checked (default ensemble)",
    ),
    "coders": ("编码员人数，每人一份编码表（默认 2）", "coders, one sheet each (default 2)"),
    "coding_output": ("写到此文件夹", "write to this folder"),
    "coding_check": (
        "比较编码：编码员之间的一致性，分类器对照编码的准确率",
        "compare codings: agreement of the coders, accuracy of the classifier against them",
    ),
    "key": ("抽样时写出的 coding-key.csv", "the coding-key.csv the sample wrote"),
    "sheets": ("编码员填好的编码表（一份或两份）", "the coders' filled-in sheets (one or two)"),
    "adjudicated": (
        "裁定了分歧的 adjudication.xlsx",
        "the adjudication.xlsx with the disagreements decided",
    ),
    "check_output": ("把结果表写到此 xlsx 文件", "write the result tables to this xlsx file"),
}

#: Placeholders of arguments in the help and in argparse's errors: key -> (Chinese, English).
METAVARS: Mapping[str, tuple[str, str]] = {
    "study": ("研究文件", "STUDY"),
    "dir": ("文件夹", "DIR"),
    "n": ("N", "N"),
    "address": ("地址", "ADDRESS"),
    "export": ("导出文件", "EXPORT"),
    "sheet": ("工作表", "SHEET"),
    "file": ("文件", "FILE"),
    "texts": ("文本", "TEXTS"),
    "key": ("抽样表", "KEY"),
    "sheets": ("编码表", "SHEET"),
    "method": ("方法", "METHOD"),
}

#: argparse's own messages (Python 3.11-3.13 wording), in Chinese; others stay English.
ARGPARSE_ZH: Mapping[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效选项 %(value)r（可选：%(choices)s）"
    ),
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "至多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项不明确：%(option)s 可能是 %(matches)s"
    ),
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "未知命令 %(parser_name)r（可选：%(choices)s）"
    ),
}


def help_text(key: str, lang: Lang) -> str:
    """The help text ``key`` in ``lang``.

    Examples
    --------
    >>> help_text("quiet", "zh")
    '不显示进度条'
    """
    return HELP[key][0 if lang == "zh" else 1]


def metavar(key: str, lang: Lang) -> str:
    """The placeholder ``key`` of an argument in ``lang``."""
    return METAVARS[key][0 if lang == "zh" else 1]


def argparse_words(lang: Lang, english: Callable[[str], str]) -> Callable[[str], str]:
    """A stand-in for argparse's ``gettext``: Chinese for ``lang="zh"`` where known, else
    what ``english`` (the original) returns."""
    if lang != "zh":
        return english
    return lambda text: ARGPARSE_ZH.get(text, english(text))
