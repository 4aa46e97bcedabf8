"""``analysis init``: a new study folder with commented starting files."""

from __future__ import annotations

from pathlib import Path

from analysis.core.errors import ConfigError

__all__ = ["init_study"]

_STUDY = """\
# 研究配置 / study file. Paths are relative to this file.
title: 我的研究
title_en: My study
survey: {path: survey.xlsx, codebook: codebook.yaml}
texts: {path: texts/, metadata: texts.csv, group_column: community}
lexicon: default            # or the path of your own lexicon.yaml
compare: {between: community, method: auto, p_adjust: holm}
report: {formats: [html, docx, xlsx], per_group: true, min_cell: 5, language: zh}
# 社区在表格与图中的顺序（未列出的按名称排在后面）/ order of communities in tables and figures
# report: {..., group_order: [东湖社区, 和平里社区]}
quality: {exclude: [speeder, duplicate]}
# 电话、身份证号、邮箱在所有输出中打码；true 时另把未打码的原值写入 private/（勿外传）
# phone/ID numbers and e-mails are masked in every output; true also writes raw values to private/
privacy: {keep_raw_values: false}
# 结果写入本文件夹下的 output/；可改为其他文件夹 / outputs go to output/ inside this folder
output: output
"""

_CODEBOOK = """\
# 编码本 / codebook: which export columns are items of which dimension.
# Draft one from your export with:  analysis codebook draft survey.xlsx -o codebook.yaml
framework: service-five     # reform, development, livelihood, masses, members
id_column: 序号
group_column: "1、您所居住的社区："
scale: {min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}}
scales:
  agree: {min: 1, max: 5, labels: {非常不同意: 1, 不同意: 2, 一般: 3, 同意: 4, 非常同意: 5}}
missing: {skipped: ["(跳过)"], no_answer: ["(空)"]}
min_answered: 0.5
duration_column: 所用时间
items:
  # - {column: "7、您对社区“一站式”服务的满意程度", id: q7, dimension: reform}
  # - {column: "10、在社区办事经常需要反复跑腿", id: q10, dimension: reform,
  #    reverse: true, scale: agree}
"""

_TEXTS_CSV = "doc_id,file,community,year,type\n"

_README = """\
# {name}

- `survey.xlsx`: the survey export (问卷星 / 腾讯问卷 Excel or CSV, SPSS .sav, Stata .dta).
- `codebook.yaml`: items, dimensions, scales and missing codes.
- `texts/` and `texts.csv`: documents and their metadata (doc_id, file, community, year, type).
- `study.yaml`: what to run. Check it with `analysis validate study.yaml`, run it with
  `analysis run study.yaml`.

Files in this folder are raw data: the toolkit only reads them. `analysis run` writes
its tables, figures and reports into `output/` here (the `output:` of `study.yaml`), and
nowhere else.
"""


def init_study(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Create a study folder with a study file, a codebook template and a texts folder.

    Parameters
    ----------
    folder
        The folder to create (its name becomes the study name).
    force
        Write into an existing, non-empty folder (existing files are never overwritten).

    Returns
    -------
    list of Path
        The files and folders created.

    Raises
    ------
    ConfigError
        The folder exists and is not empty, and ``force`` is false.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not force:
        raise ConfigError(
            f"{folder}: folder exists and is not empty; use --force to add the "
            "missing starting files"
        )
    name = folder.resolve().name
    files = {
        "study.yaml": _STUDY.replace("{name}", name),
        "codebook.yaml": _CODEBOOK,
        "texts.csv": _TEXTS_CSV,
        "README.md": _README.replace("{name}", name),
    }
    created: list[Path] = []
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    created.append(folder / "texts")
    for rel, content in files.items():
        path = folder / rel
        if path.exists():
            continue
        path.write_text(content, encoding="utf-8")
        created.append(path)
    return created


def dimension_hint(question: str) -> str | None:
    """The dimension the default lexicon finds in a question's wording, with its words.

    For ``analysis codebook draft``: ``"livelihood (养老服务)"`` when one dimension has the
    most weighted hits, None when none or a tie.
    """
    import pandas as pd

    from analysis.text.lexicon_file import default_lexicon
    from analysis.text.score import explain

    hits = explain(pd.DataFrame({"doc_id": ["q"], "text": [question]}), default_lexicon())
    hits = hits[~hits["negated"]]
    if hits.empty:
        return None
    weight = hits.groupby("dimension")["weight"].sum().sort_values(ascending=False)
    if len(weight) > 1 and weight.iloc[0] == weight.iloc[1]:
        return None
    top = str(weight.index[0])
    words = "、".join(dict.fromkeys(hits.loc[hits["dimension"] == top, "term"]))
    return f"{top} ({words})"
