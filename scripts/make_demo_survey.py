"""Generate the survey side of the demo study: a synthetic 问卷星 (wjx.cn) export.

Writes ``survey.xlsx`` (a 问卷星 "按选项文本" Excel export: answers as option texts,
sheet ``Sheet1``, header in row 1) and ``codebook.yaml`` (built from the same item table,
so the two cannot drift apart) into ``data/raw/demo`` or ``--out DIR``. The output is
byte-for-byte reproducible: a fixed seed, fixed workbook properties, and a rewritten zip
container with fixed timestamps and entry order.

Usage::

    python scripts/make_demo_survey.py              # (re)write data/raw/demo/
    python scripts/make_demo_survey.py --out /tmp/x
    python scripts/make_demo_survey.py --check      # regenerate in a temp dir, compare hashes

Data model
----------
1,362 respondents in 8 communities of unequal size, plus one planted duplicate
(1,363 rows). Each respondent has a general satisfaction factor ``g`` and five
dimension factors ``s_d`` (all standard normal); the latent dimension score is

    theta_d = 0.8 * g + 0.6 * s_d + community_effect[c, d] + party_effect[d]

so ``theta_d`` has SD 1 within a community and the dimensions correlate 0.64 (about 0.5
between observed dimension means). ``g`` and ``s_d`` are centred within each community,
so a community's sample mean of ``theta_d`` is exactly its planted effect (plus 0.2 times
its share of party members, for members): sampling noise does not blur the planted
differences, only item noise does.
Item ``j`` of dimension ``d`` is ``y_j = sqrt(rho_j) * theta_d + sqrt(1 - rho_j) * e_j``,
cut at fixed thresholds into the five options. Satisfaction items (非常不满意 … 非常满意)
rise with ``y``; reverse-worded items (非常不同意 … 非常同意, agreeing is bad) are cut on
``-y``. Reverse items load lower (rho 0.38-0.45) than the others (0.52-0.64), as in
real data.

Planted effects (on ``theta``, in SD units of the latent dimension score)
-------------------------------------------------------------------------
* 滨江社区, livelihood: +0.5.
* 东湖社区, reform: -0.5.
* every other community x dimension: a fixed random draw from U(-0.1, 0.1)
  (table in data/raw/demo/README.md).
* 中共党员 (party members), members: +0.2.
Nothing else (gender, age, education, residence) affects the answers.

Planted rows (序号 = row id in the sheet)
-----------------------------------------
* 序号 412: ``15、…养老托幼…`` holds ``很满意``, which is not an option on the scale.
* 序号 963: duplicate of 序号 959 (same IP, source and answers, submitted 3 min 17 s
  later, different 所用时间).
* 序号 868: speeder, ``20秒``, every Likert item straight-lined at option 4
  (满意 / 同意, so it also contradicts itself on the reverse-worded items).
* 序号 95, 333, 702, 1150, 1290: stopped answering at question 18: every item from
  ``18、`` to ``25、`` and the open question is ``(空)`` (so no masses or members score
  under min_answered 0.5).
* Privacy: mobile phone numbers in the open answer of 序号 57, 488, 913, 1206; an
  18-digit resident ID number (valid check digit) in 序号 260, 1333.

Everything else is clean: (跳过) and (空) are scattered in the Likert items at 1-4 %
per item, 所用时间 is log-normal (median about 290 s) and never below 120 s except the
speeder, and 4 % of respondents share an IP address with an earlier respondent of the
same community (one household or office Wi-Fi), so an IP alone is not a duplicate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import math
import re
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import Workbook

SEED = 20240506
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "data" / "raw" / "demo"
SURVEY_FILE = "survey.xlsx"
CODEBOOK_FILE = "codebook.yaml"
GENERATED_FILES = (SURVEY_FILE, CODEBOOK_FILE)

#: Fixed timestamp for workbook properties and zip entries (the "export" time).
EXPORT_TIME = dt.datetime(2024, 5, 27, 9, 30, 0)
FIELD_START = dt.datetime(2024, 5, 6)
FIELD_DAYS = 21

# --------------------------------------------------------------------------------------
# Questionnaire
# --------------------------------------------------------------------------------------

META_COLUMNS = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")

#: Community name -> number of (genuine) respondents.
COMMUNITIES: dict[str, int] = {
    "桂花社区": 196,
    "长青社区": 152,
    "和平里社区": 171,
    "新华社区": 223,
    "滨江社区": 208,
    "东湖社区": 187,
    "枫林社区": 119,
    "朝阳社区": 106,
}

DIMENSIONS = ("reform", "development", "livelihood", "masses", "members")

SATISFACTION = ("非常不满意", "不满意", "一般", "满意", "非常满意")
AGREEMENT = ("非常不同意", "不同意", "一般", "同意", "非常同意")
SKIPPED = "(跳过)"
NO_ANSWER = "(空)"

#: Thresholds on the item latent (satisfaction items): about 2/9/30/40/19 %.
CUTS = np.array([-2.1, -1.3, -0.25, 0.95])


@dataclass(frozen=True)
class Demographic:
    """A single-choice background question."""

    number: int
    stem: str
    options: tuple[str, ...]
    covariate_id: str

    @property
    def column(self) -> str:
        """Column header as 问卷星 writes it."""
        return f"{self.number}、{self.stem}"


@dataclass(frozen=True)
class Item:
    """A five-point Likert item.

    Attributes
    ----------
    number, stem
        Question number and text; the header is ``f"{number}、{stem}"``.
    dimension
        Service dimension id.
    reverse
        Reverse-worded (agreeing is bad); asked on the agreement ladder.
    rho
        Share of the item's latent variance due to the dimension score.
    shift
        Added to the thresholds (positive: fewer favourable answers).
    """

    number: int
    stem: str
    dimension: str
    reverse: bool = False
    rho: float = 0.58
    shift: float = 0.0

    @property
    def column(self) -> str:
        """Column header as 问卷星 writes it."""
        return f"{self.number}、{self.stem}"

    @property
    def id(self) -> str:
        """Short item id used in the codebook."""
        return f"q{self.number}"

    @property
    def options(self) -> tuple[str, ...]:
        """Option texts from 1 to 5."""
        return AGREEMENT if self.reverse else SATISFACTION


DEMOGRAPHICS = (
    Demographic(2, "您的性别：", ("男", "女"), "gender"),
    Demographic(
        3, "您的年龄：", ("18-29岁", "30-39岁", "40-49岁", "50-59岁", "60岁及以上"), "age_group"
    ),
    Demographic(4, "您的政治面貌：", ("中共党员", "共青团员", "民主党派", "群众"), "party"),
    Demographic(
        5, "您在本社区居住的年限：", ("1年以下", "1-3年", "4-10年", "10年以上"), "residence_years"
    ),
    Demographic(
        6, "您的文化程度：", ("初中及以下", "高中/中专", "大专", "本科及以上"), "education"
    ),
)
COMMUNITY_COLUMN = "1、您所居住的社区："

ITEMS = (
    # reform 服务改革
    Item(7, "您对社区“一站式”服务的满意程度", "reform", rho=0.62),
    Item(
        8,
        "您对社区网上办事、自助服务终端等“互联网+政务服务”的满意程度",
        "reform",
        rho=0.55,
        shift=0.15,
    ),
    Item(9, "您对社区落实“最多跑一次”、简化办事流程的满意程度", "reform", rho=0.60),
    Item(10, "在社区办事经常需要反复跑腿", "reform", reverse=True, rho=0.42),
    # development 服务发展
    Item(11, "您对社区集体经济发展和居民增收情况的满意程度", "development", rho=0.58, shift=0.25),
    Item(12, "您对本社区近年来经济社会发展变化的满意程度", "development", rho=0.64),
    Item(13, "社区发展的成果普通居民很难享受到", "development", reverse=True, rho=0.45),
    # livelihood 服务民生
    Item(14, "您对社区在就学、就医、就业等方面提供帮助的满意程度", "livelihood", rho=0.56),
    Item(15, "您对社区养老托幼服务的满意程度", "livelihood", rho=0.60, shift=0.10),
    Item(
        16,
        "您对社区道路、停车、环境卫生和治安等基础设施与公共安全的满意程度",
        "livelihood",
        rho=0.52,
        shift=0.20,
    ),
    Item(17, "社区对困难群众的生活保障不到位", "livelihood", reverse=True, rho=0.40),
    # masses 服务群众
    Item(18, "您对社区干部走访居民、倾听群众意见的满意程度", "masses", rho=0.62),
    Item(19, "您对网格员、志愿者和服务热线及时回应居民诉求的满意程度", "masses", rho=0.58),
    Item(20, "您对社区解决居民“操心事、烦心事、揪心事”的满意程度", "masses", rho=0.60, shift=0.10),
    Item(21, "向社区反映的问题常常没有下文", "masses", reverse=True, rho=0.42),
    # members 服务党员
    Item(22, "您对社区党组织开展“三会一课”等党员教育活动的满意程度", "members", rho=0.58),
    Item(23, "您对社区党组织关心帮扶老党员、困难党员和流动党员的满意程度", "members", rho=0.60),
    Item(24, "您对社区党组织保障党员权利、做好发展党员工作的满意程度", "members", rho=0.55),
    Item(
        25, "社区党组织的活动流于形式，与普通党员和居民关系不大", "members", reverse=True, rho=0.38
    ),
)
TEXT_COLUMN = "26、您对社区党组织的工作还有哪些意见和建议？"

HEADER = (
    *META_COLUMNS,
    COMMUNITY_COLUMN,
    *(d.column for d in DEMOGRAPHICS),
    *(i.column for i in ITEMS),
    TEXT_COLUMN,
)

# --------------------------------------------------------------------------------------
# Planted effects and rows (序号 values in the final sheet; documented in README.md)
# --------------------------------------------------------------------------------------

EFFECTS = {("滨江社区", "livelihood"): 0.5, ("东湖社区", "reform"): -0.5}
SMALL_EFFECT = 0.1
PARTY_MEMBER_EFFECT = 0.2  # on "members", for 中共党员
LOADING_G, LOADING_S = 0.8, 0.6  # theta_d = 0.8 g + 0.6 s_d: SD 1, dimensions correlate 0.64

OFF_SCALE_ID, OFF_SCALE_ITEM, OFF_SCALE_VALUE = 412, 15, "很满意"
SPEEDER_ID, SPEEDER_SECONDS = 868, 20
DUPLICATE_SOURCE_ID, DUPLICATE_ID = 959, 963
DUPLICATE_DELAY = dt.timedelta(minutes=3, seconds=17)
DUPLICATE_SECONDS = 131
PARTIAL_IDS = (95, 333, 702, 1150, 1290)
PARTIAL_FROM_ITEM = 18
PHONE_IDS = (57, 488, 913, 1206)
ID_NUMBER_IDS = (260, 1333)

# --------------------------------------------------------------------------------------
# Open-ended answers: hand-written fragments by topic
# --------------------------------------------------------------------------------------

SHORT_ANSWERS = (
    "无",
    "没有",
    "暂无",
    "无意见",
    "没什么意见",
    "挺好的",
    "很好",
    "满意",
    "没有意见，挺好",
    "无。",
)

FRAGMENTS: dict[str, tuple[str, ...]] = {
    "positive": (
        "社区工作总体做得不错，辛苦了！",
        "感谢社区工作人员的付出。",
        "书记和社区干部都很负责，给你们点赞。",
        "这几年社区变化挺大的，希望继续保持。",
        "疫情期间社区的同志们很辛苦，居民都看在眼里。",
        "总体满意，没有太多意见。",
        "社区的网格员小张很热心，上门好几次了。",
        "希望社区越办越好。",
        "工作人员态度很好，有耐心。",
        "上次家里老人住院，社区帮了不少忙，谢谢！",
    ),
    "reform": (
        "线上办事的小程序太复杂，老年人不会用，希望窗口保留人工办理。",
        "有些证明能不能在网上开，不要每次都跑一趟。",
        "一站式服务大厅中午希望有人值班，上班族只有中午有空。",
        "自助终端经常坏，打印不了材料，希望及时维修。",
        "办事指南要写清楚需要带哪些材料，免得来回跑。",
        "政务服务的APP太多了，能不能统一到一个入口。",
        "周末也能办事就好了。",
        "窗口的工作人员有时候也说不清楚政策，让我们去街道问。",
        "最多跑一次做得还不够，我办居住证跑了三次。",
        "社区服务中心的排队叫号系统很方便，希望其他事项也能预约。",
    ),
    "development": (
        "希望多引进一些便民商业，附近买菜太远了。",
        "社区集体经济的收入和支出希望定期公开。",
        "周边的老旧厂房闲置很多年了，可以改造利用起来。",
        "多组织一些就业技能培训，帮助失业人员再就业。",
        "社区发展规划应该多听听居民的意见。",
        "老小区改造进度太慢，隔壁小区早就改好了。",
        "希望能把社区的闲置用房利用起来，办个居民活动中心。",
        "发展的成果要让老百姓看得见、摸得着。",
        "辖区企业可以多参与社区建设，共驻共建。",
    ),
    "livelihood": (
        "小区停车太难了，希望规划一些停车位。",
        "老年食堂的饭菜可以再改善一下，价格也希望便宜点。",
        "希望增加托育点，双职工家庭接孩子很困难。",
        "小区路灯坏了很久没人修，晚上走路不安全。",
        "垃圾分类点的卫生要加强，夏天味道很大。",
        "加装电梯的事希望社区帮忙协调一下。",
        "社区卫生服务站希望能延长开放时间。",
        "晚上广场舞噪音太大，影响休息。",
        "楼道里堆放杂物，存在消防隐患。",
        "独居老人越来越多，希望多上门看看。",
        "电动车充电桩不够用，很多人飞线充电。",
        "孩子上学的学区划分希望提前通知。",
        "雨天小区门口积水严重。",
        "希望多开展一些文化活动，丰富居民生活。",
    ),
    "masses": (
        "反映的问题要有回音，不要石沉大海。",
        "希望社区干部多到居民中间走走，听听大家的想法。",
        "打了好几次热线才有人处理。",
        "志愿者活动可以多宣传，让更多人参加。",
        "物业和业委会的矛盾希望社区出面协调。",
        "楼上漏水的问题找了社区好几次，到现在也没解决。",
        "网格员换得太勤，很多人都不认识。",
        "有事找社区的时候经常找不到人。",
        "居民议事会可以多开几次，让大家都说说话。",
        "社区公众号的通知能不能早一点发。",
        "邻里纠纷调解得不错，但是处理得有点慢。",
    ),
    "members": (
        "党员活动可以更接地气一些，不要只是念文件。",
        "希望多关心独居的老党员，逢年过节去看看。",
        "流动党员的组织关系转接手续太麻烦了。",
        "在职党员到社区报到以后不知道能做什么。",
        "三会一课的时间能不能安排在周末，上班的党员参加不了。",
        "支部活动希望多让年轻党员参与进来。",
        "发展党员的程序希望更公开一些。",
        "党员志愿服务可以和居民的需要结合起来。",
        "困难党员的帮扶要落到实处。",
    ),
}
CONNECTORS = ("", "", "", "另外，", "还有就是", "再一个，", "还有，")

PHONE_TEMPLATES = (
    "有问题可以打我电话{phone}",
    "我家楼道漏水的事麻烦尽快联系我，电话{phone}。",
    "联系方式：{phone}，希望能给个回复。",
    "上次反映的停车问题还没人回复，我的手机{phone}（王女士）",
)
ID_TEMPLATES = (
    "我的身份证号是{idno}，低保申请材料交了两个月还没有消息。",
    "麻烦帮我查一下居住证办理进度，身份证{idno}。",
)

# --------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------


@dataclass
class Respondent:
    """One submission, before formatting into a sheet row."""

    community: str
    demographics: list[str]
    answers: list[str]  # one option text (or missing code) per item in ITEMS
    text: str
    submitted: dt.datetime
    seconds: int
    source: str
    source_detail: str
    ip: str


def _pick(rng: np.random.Generator, options: Sequence[str], p: Sequence[float]) -> str:
    prob = np.asarray(p, dtype=float)
    return options[int(rng.choice(len(options), p=prob / prob.sum()))]


def _demographics(rng: np.random.Generator) -> list[str]:
    """Draw gender, age, party, residence and education (in DEMOGRAPHICS order)."""
    gender, age, party, residence, education = (d.options for d in DEMOGRAPHICS)
    a = int(rng.choice(5, p=[0.13, 0.21, 0.20, 0.19, 0.27]))
    party_p = (
        [0.08, 0.38, 0.004, 0.536]
        if a == 0
        else [0.27, 0.0, 0.02, 0.71]
        if a == 4
        else [0.19, 0.0, 0.015, 0.795]
    )
    residence_p = (
        [0.18, 0.34, 0.30, 0.18],
        [0.12, 0.30, 0.38, 0.20],
        [0.07, 0.18, 0.38, 0.37],
        [0.04, 0.12, 0.32, 0.52],
        [0.03, 0.08, 0.27, 0.62],
    )[a]
    education_p = (
        [0.05, 0.17, 0.28, 0.50],
        [0.08, 0.20, 0.30, 0.42],
        [0.18, 0.32, 0.25, 0.25],
        [0.35, 0.35, 0.18, 0.12],
        [0.55, 0.28, 0.10, 0.07],
    )[a]
    return [
        _pick(rng, gender, [0.44, 0.56]),
        age[a],
        _pick(rng, party, party_p),
        _pick(rng, residence, residence_p),
        _pick(rng, education, education_p),
    ]


def community_effects(rng: np.random.Generator) -> dict[tuple[str, str], float]:
    """Latent community effects: small random ones, then the planted ones.

    Parameters
    ----------
    rng
        Generator; draws ``len(COMMUNITIES) * len(DIMENSIONS)`` uniforms.

    Returns
    -------
    dict
        ``(community, dimension) -> effect`` in SD units of the latent score.
    """
    draws = rng.uniform(-SMALL_EFFECT, SMALL_EFFECT, size=(len(COMMUNITIES), len(DIMENSIONS)))
    effects = {
        (c, d): float(draws[i, j])
        for i, c in enumerate(COMMUNITIES)
        for j, d in enumerate(DIMENSIONS)
    }
    effects.update(EFFECTS)
    return effects


def _likert(rng: np.random.Generator, theta: np.ndarray) -> list[str]:
    """Answer every item from the latent dimension scores ``theta`` (one per dimension)."""
    out = []
    for item in ITEMS:
        t = theta[DIMENSIONS.index(item.dimension)]
        y = math.sqrt(item.rho) * t + math.sqrt(1 - item.rho) * rng.standard_normal()
        if item.reverse:
            level = int(np.sum(-y > -CUTS[::-1] + item.shift))
        else:
            level = int(np.sum(y > CUTS + item.shift))
        out.append(item.options[level])
    return out


def _open_answer(rng: np.random.Generator, theta: np.ndarray, age: str) -> str:
    """A free-text suggestion, more likely and more pointed when someone is unhappy."""
    worst = int(np.argmin(theta))
    unhappy = theta[worst] < -0.6
    p_answer = 0.34 + (0.18 if unhappy else 0.0) - (0.10 if age == "60岁及以上" else 0.0)
    if rng.random() >= p_answer:
        return NO_ANSWER
    if not unhappy and rng.random() < 0.30:
        return str(rng.choice(SHORT_ANSWERS))
    n = int(rng.choice([1, 2, 3], p=[0.55, 0.35, 0.10]))
    topics = list(DIMENSIONS)
    parts: list[str] = []
    for k in range(n):
        if k == 0 and unhappy and rng.random() < 0.75:
            topic = DIMENSIONS[worst]
        elif k == 0 and not unhappy and rng.random() < 0.4:
            topic = "positive"
        else:
            topic = str(rng.choice(topics))
        pool = [f for f in FRAGMENTS[topic] if f not in parts]
        fragment = str(rng.choice(pool))
        parts.append(fragment if k == 0 else str(rng.choice(CONNECTORS)) + fragment)
    if not unhappy and n > 1 and rng.random() < 0.3:
        parts.append(str(rng.choice(FRAGMENTS["positive"])))
    return "".join(parts)


def _ip(rng: np.random.Generator) -> str:
    """A plausible mobile/broadband address, mostly in Nanjing."""
    if rng.random() < 0.94:
        prefix = str(
            rng.choice(
                [
                    "112.80",
                    "114.222",
                    "180.110",
                    "180.111",
                    "221.226",
                    "49.77",
                    "117.89",
                    "58.212",
                    "223.104",
                    "121.229",
                    "114.221",
                ]
            )
        )
        place = "江苏-南京"
    else:
        prefix, place = (
            ("58.208", "江苏-苏州"),
            ("49.93", "江苏-镇江"),
            ("60.171", "安徽-马鞍山"),
            ("101.80", "上海-上海"),
            ("58.220", "江苏-扬州"),
        )[int(rng.integers(5))]
    return f"{prefix}.{rng.integers(1, 255)}.{rng.integers(1, 255)}({place})"


_HOUR_WEIGHTS = np.array(
    [1, 0.5, 0.2, 0.1, 0.1, 0.3, 1, 3, 6, 8, 8, 6, 7, 5, 4, 5, 5, 5, 6, 9, 10, 9, 6, 3], dtype=float
)


def _submitted(rng: np.random.Generator, community_index: int) -> dt.datetime:
    """Submission time: each community's WeChat groups get a first push and a reminder.

    About a third of the answers come in a burst within an hour or two of a push; the rest
    trickle in over the following days at the usual times of day.
    """
    push_day = (0, 1, 2, 3, 5, 6, 7, 8)[community_index]
    push_hour = (19.5, 10.0, 20.0, 9.5, 19.0, 12.0, 20.5, 10.5)[community_index]
    u = rng.random()
    if u < 0.40:
        day = push_day + (7 if u < 0.10 else 0)
        minutes = push_hour * 60 + rng.exponential(45.0)
        return FIELD_START + dt.timedelta(days=day, minutes=float(minutes))
    if u < 0.82:
        day = push_day + int(rng.exponential(2.0))
    else:
        day = push_day + 7 + int(rng.exponential(1.5))
    day = min(day, FIELD_DAYS - 1)
    hour = int(rng.choice(24, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()))
    return FIELD_START + dt.timedelta(days=day, hours=hour, seconds=int(rng.integers(3600)))


def _seconds(rng: np.random.Generator, age: str, text: str) -> int:
    """所用时间: log-normal around 230 s, slower for older people and long answers."""
    slow = 1.0 + 0.06 * DEMOGRAPHICS[1].options.index(age)
    while True:
        s = 230 * slow * math.exp(0.42 * rng.standard_normal())
        if 120 <= s <= 1800:
            break
    extra = 0 if text == NO_ANSWER else 1.5 * len(text)
    return round(s + extra)


def _scatter_missing(rng: np.random.Generator, answers: np.ndarray) -> None:
    """Put (跳过) and (空) into the Likert block at item-specific rates of 1-4 %."""
    n, k = answers.shape
    skip_rate = rng.uniform(0.004, 0.016, size=k)
    empty_rate = rng.uniform(0.006, 0.022, size=k)
    u = rng.random((n, k))
    answers[u < skip_rate] = SKIPPED
    answers[(u >= skip_rate) & (u < skip_rate + empty_rate)] = NO_ANSWER


def _phone(rng: np.random.Generator) -> str:
    prefix = str(rng.choice(["139", "138", "151", "158", "187", "189", "133", "177"]))
    return prefix + "".join(str(d) for d in rng.integers(0, 10, size=8))


def _id_number(rng: np.random.Generator) -> str:
    """An 18-digit resident ID (GB 11643) for a Nanjing district, with a valid check digit."""
    region = str(rng.choice(["320102", "320104", "320105", "320106", "320113", "320115"]))
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 40)))
    body = f"{region}{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def simulate(seed: int = SEED) -> list[Respondent]:
    """Simulate all submissions, in submission order, with the planted rows applied.

    Parameters
    ----------
    seed
        Seed for :func:`numpy.random.default_rng`.

    Returns
    -------
    list of Respondent
        Row ``k`` of the list is 序号 ``k + 1``.
    """
    rng = np.random.default_rng(seed)
    effects = community_effects(rng)
    members = DIMENSIONS.index("members")
    people: list[Respondent] = []
    last_ip: dict[str, list[str]] = {c: [] for c in COMMUNITIES}
    for ci, (community, size) in enumerate(COMMUNITIES.items()):
        demographics = [_demographics(rng) for _ in range(size)]
        g = rng.standard_normal(size)
        s = rng.standard_normal((size, len(DIMENSIONS)))
        # Centre within the community: its sample latent means are exactly the planted ones.
        g -= g.mean()
        s -= s.mean(axis=0)
        theta = LOADING_G * g[:, None] + LOADING_S * s
        theta += np.array([effects[community, d] for d in DIMENSIONS])
        is_member = np.array([demo[2] == "中共党员" for demo in demographics])
        theta[is_member, members] += PARTY_MEMBER_EFFECT
        for demo, th in zip(demographics, theta, strict=True):
            answers = _likert(rng, th)
            text = _open_answer(rng, th, demo[1])
            source = _pick(rng, ["微信", "手机提交", "链接"], [0.72, 0.19, 0.09])
            detail = "N/A" if source == "微信" or rng.random() < 0.3 else "直接访问"
            if last_ip[community] and rng.random() < 0.04:
                ip = str(rng.choice(last_ip[community]))
            else:
                ip = _ip(rng)
            last_ip[community].append(ip)
            people.append(
                Respondent(
                    community=community,
                    demographics=demo,
                    answers=answers,
                    text=text,
                    submitted=_submitted(rng, ci),
                    seconds=_seconds(rng, demo[1], text),
                    source=source,
                    source_detail=detail,
                    ip=ip,
                )
            )

    block = np.array([p.answers for p in people], dtype=object)
    _scatter_missing(rng, block)
    for p, row in zip(people, block, strict=True):
        p.answers = [str(a) for a in row]
    people.sort(key=lambda p: p.submitted)
    _plant(rng, people)
    return people


def _plant(rng: np.random.Generator, people: list[Respondent]) -> None:
    """Apply the documented bad rows, partial responders and PII (in place)."""
    source = people[DUPLICATE_SOURCE_ID - 1]
    copy = Respondent(
        **{
            **source.__dict__,
            "answers": list(source.answers),
            "demographics": list(source.demographics),
        }
    )
    copy.submitted = source.submitted + DUPLICATE_DELAY
    copy.seconds = DUPLICATE_SECONDS
    position = sum(p.submitted <= copy.submitted for p in people)
    people.insert(position, copy)
    if position + 1 != DUPLICATE_ID:
        raise RuntimeError(f"duplicate landed at 序号 {position + 1}, expected {DUPLICATE_ID}")

    idx = next(i for i, it in enumerate(ITEMS) if it.number == OFF_SCALE_ITEM)
    people[OFF_SCALE_ID - 1].answers[idx] = OFF_SCALE_VALUE

    speeder = people[SPEEDER_ID - 1]
    speeder.seconds = SPEEDER_SECONDS
    speeder.answers = [it.options[3] for it in ITEMS]
    speeder.text = NO_ANSWER

    first = next(i for i, it in enumerate(ITEMS) if it.number == PARTIAL_FROM_ITEM)
    for rid in PARTIAL_IDS:
        partial = people[rid - 1]
        partial.answers[first:] = [NO_ANSWER] * (len(ITEMS) - first)
        partial.text = NO_ANSWER

    for k, rid in enumerate(PHONE_IDS):
        p = people[rid - 1]
        pii = PHONE_TEMPLATES[k % len(PHONE_TEMPLATES)].format(phone=_phone(rng))
        p.text = pii if p.text == NO_ANSWER else p.text + pii
    for k, rid in enumerate(ID_NUMBER_IDS):
        p = people[rid - 1]
        pii = ID_TEMPLATES[k % len(ID_TEMPLATES)].format(idno=_id_number(rng))
        p.text = pii if p.text == NO_ANSWER else p.text + pii


def _row(serial: int, p: Respondent) -> list[object]:
    t = p.submitted
    stamp = f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}"
    return [
        serial,
        stamp,
        f"{p.seconds}秒",
        p.source,
        p.source_detail,
        p.ip,
        p.community,
        *p.demographics,
        *p.answers,
        p.text,
    ]


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _normalise_zip(path: Path) -> None:
    """Rewrite an xlsx with fixed entry timestamps, attributes and core properties."""
    stamp = EXPORT_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(
                        rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)",
                        rf"\g<1>{stamp}\g<2>",
                        text,
                    )
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=EXPORT_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, data, compresslevel=6)
    path.write_bytes(buffer.getvalue())


def write_survey(people: Sequence[Respondent], path: Path) -> None:
    """Write the submissions as a 问卷星 "按选项文本" export.

    Parameters
    ----------
    people
        Submissions in 序号 order.
    path
        Target ``.xlsx`` file (overwritten).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(HEADER))
    for serial, p in enumerate(people, start=1):
        ws.append(_row(serial, p))
    wb.properties.creator = "make_demo_survey.py"
    wb.properties.created = EXPORT_TIME
    wb.properties.modified = EXPORT_TIME
    wb.save(path)
    _normalise_zip(path)


def render_codebook() -> str:
    """Return codebook.yaml for the generated survey (DESIGN.md section 5 format).

    Returns
    -------
    str
        YAML text; one flow mapping per item, ``scale: agree`` on reverse-worded items.
    """
    sat = ", ".join(f"{label}: {k}" for k, label in enumerate(SATISFACTION, start=1))
    agree = ", ".join(f"{label}: {k}" for k, label in enumerate(AGREEMENT, start=1))
    lines = [
        "# Codebook of the demo survey (data/raw/demo/survey.xlsx).",
        "# Generated by scripts/make_demo_survey.py; edit the script, not this file.",
        "framework: service-five",
        "id_column: 序号",
        f'group_column: "{COMMUNITY_COLUMN}"',
        f"scale: {{min: 1, max: 5, labels: {{{sat}}}}}",
        "scales:                  # extra answer ladders, referred to by items' `scale:`",
        f"  agree: {{min: 1, max: 5, labels: {{{agree}}}}}",
        f'missing: {{skipped: ["{SKIPPED}"], no_answer: ["{NO_ANSWER}"]}}',
        "min_answered: 0.5",
        "covariates:              # demographic columns kept for models, with short ids",
        *(f'  - {{column: "{d.column}", id: {d.covariate_id}}}' for d in DEMOGRAPHICS),
        "duration_column: 所用时间",
        "text_columns:",
        f'  - {{column: "{TEXT_COLUMN}", id: suggestions}}',
        "items:",
    ]
    for item in ITEMS:
        extra = ", reverse: true, scale: agree" if item.reverse else ""
        lines.append(
            f'  - {{column: "{item.column}", id: {item.id}, dimension: {item.dimension}{extra}}}'
        )
    return "\n".join(lines) + "\n"


def generate(out: Path, seed: int = SEED) -> dict[str, Path]:
    """Write survey.xlsx and codebook.yaml into ``out``.

    Parameters
    ----------
    out
        Output directory (created if missing).
    seed
        Random seed; the committed files use :data:`SEED`.

    Returns
    -------
    dict
        File name -> written path.
    """
    out.mkdir(parents=True, exist_ok=True)
    people = simulate(seed)
    write_survey(people, out / SURVEY_FILE)
    (out / CODEBOOK_FILE).write_text(render_codebook(), encoding="utf-8", newline="\n")
    return {name: out / name for name in GENERATED_FILES}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(committed: Path) -> list[str]:
    """Regenerate in a temporary directory and list files that differ from ``committed``.

    Parameters
    ----------
    committed
        Directory holding the committed files.

    Returns
    -------
    list of str
        Names of missing or differing files (empty when everything matches).
    """
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        return [
            name
            for name, path in fresh.items()
            if not (committed / name).is_file() or sha256(path) != sha256(committed / name)
        ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output directory (default: data/raw/demo in the repository)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temp dir and compare with the files in --out",
    )
    args = parser.parse_args(argv)
    if args.check:
        bad = check(args.out)
        if bad:
            print(f"MISMATCH in {args.out}: {', '.join(bad)}")
            return 1
        print(f"ok: {', '.join(GENERATED_FILES)} in {args.out} match a fresh regeneration")
        return 0
    paths = generate(args.out)
    n_rows = sum(COMMUNITIES.values()) + 1
    print(f"wrote {n_rows} rows to {paths[SURVEY_FILE]} and {paths[CODEBOOK_FILE]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
