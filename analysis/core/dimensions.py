"""Dimensions and frameworks: what surveys and texts are scored on.

A :class:`Framework` is an ordered set of :class:`Dimension` objects. The default is
:data:`SERVICE_FIVE`, the five services of grassroots service-oriented party organisations
(基层服务型党组织) named in the 2014 CPC Opinion on strengthening their construction:
服务改革, 服务发展, 服务民生, 服务群众, 服务党员. Dimensions are data: a study can bring
its own through a codebook or lexicon (``dimensions: [{id, label_zh, label_en}, ...]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis.core.errors import ConfigError
from analysis.core.words import Lang

__all__ = ["SERVICE_FIVE", "Dimension", "Framework", "load_framework"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Dimension:
    """One dimension of a framework.

    Parameters
    ----------
    id
        Lowercase ASCII snake_case identifier used in every frame (``dimension`` column).
    label_zh, label_en
        Labels for charts and reports.
    description
        What the dimension covers, for documentation and reports.
    """

    id: str
    label_zh: str
    label_en: str
    description: str = ""

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ConfigError(
                f"dimension id {self.id!r} must be lowercase ASCII snake_case "
                "(letters, digits, underscores, starting with a letter)"
            )

    def label(self, lang: Lang = "zh") -> str:
        """The label in ``lang`` ("zh" or "en")."""
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Framework:
    """An ordered set of dimensions.

    Parameters
    ----------
    name
        Name of the framework, e.g. ``"service-five"``.
    dimensions
        The dimensions in display order.

    Examples
    --------
    >>> from analysis import SERVICE_FIVE
    >>> SERVICE_FIVE.ids
    ('reform', 'development', 'livelihood', 'masses', 'members')
    >>> SERVICE_FIVE.label("members")
    '服务党员'
    """

    name: str
    dimensions: tuple[Dimension, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for dim in self.dimensions:
            if dim.id in seen:
                raise ConfigError(f"framework {self.name!r} lists dimension {dim.id!r} twice")
            seen.add(dim.id)
        if not self.dimensions:
            raise ConfigError(f"framework {self.name!r} has no dimensions")

    @property
    def ids(self) -> tuple[str, ...]:
        """Dimension ids in framework order."""
        return tuple(d.id for d in self.dimensions)

    def __iter__(self) -> Iterator[Dimension]:
        return iter(self.dimensions)

    def __len__(self) -> int:
        return len(self.dimensions)

    def __contains__(self, dim_id: object) -> bool:
        return dim_id in self.ids

    def __getitem__(self, dim_id: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == dim_id:
                return dim
        raise KeyError(dim_id)

    def label(self, dim_id: str, lang: Lang = "zh") -> str:
        """Label of ``dim_id`` in ``lang``; the id itself when unknown."""
        return self[dim_id].label(lang) if dim_id in self else dim_id

    def labels(self, lang: Lang = "zh") -> dict[str, str]:
        """Mapping id -> label in framework order."""
        return {d.id: d.label(lang) for d in self.dimensions}

    def order(self, ids: Iterable[str]) -> list[str]:
        """Sort ``ids`` into framework order; unknown ids go last, alphabetically."""
        pos = {d: i for i, d in enumerate(self.ids)}
        return sorted(set(ids), key=lambda d: (pos.get(d, len(pos)), d))

    def to_dict(self) -> dict[str, Any]:
        """Plain representation for manifests and YAML."""
        return {
            "name": self.name,
            "dimensions": [
                {"id": d.id, "label_zh": d.label_zh, "label_en": d.label_en}
                for d in self.dimensions
            ],
        }


SERVICE_FIVE = Framework(
    name="service-five",
    dimensions=(
        Dimension(
            "reform",
            "服务改革",
            "Service reform",
            "How services are delivered: one-stop service (一站式服务), 放管服, e-government, "
            "online and self-service halls, 最多跑一次.",
        ),
        Dimension(
            "development",
            "服务发展",
            "Serving development",
            "Local economic and social development: industry, collective economy, investment, "
            "sharing the fruits of development.",
        ),
        Dimension(
            "livelihood",
            "服务民生",
            "Serving livelihoods",
            "Basic needs: schooling, health care, jobs, housing, elderly and child care, social "
            "security, infrastructure, public culture and safety.",
        ),
        Dimension(
            "masses",
            "服务群众",
            "Serving the masses",
            "The mass line: visiting and listening to residents, grid management (网格化), "
            "volunteers, hotlines, solving residents' 操心事烦心事揪心事.",
        ),
        Dimension(
            "members",
            "服务党员",
            "Serving party members",
            "Education and management of members (三会一课, 两学一做), care for old, poor and "
            "mobile members, members' rights, recruiting (发展党员).",
        ),
    ),
)

_BUILTIN = {"service-five": SERVICE_FIVE, "service_five": SERVICE_FIVE, "default": SERVICE_FIVE}


def load_framework(
    spec: str | Framework | Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
    *,
    name: str = "custom",
) -> Framework:
    """Build a framework from a name, a list of dimension mappings or a mapping.

    Parameters
    ----------
    spec
        ``None`` or ``"service-five"`` for the default; a :class:`Framework` (returned as
        is); a list of ``{id, label_zh, label_en, description}`` mappings; or a mapping with
        keys ``name`` and ``dimensions``.
    name
        Name for a framework built from a list.

    Returns
    -------
    Framework

    Raises
    ------
    ConfigError
        Unknown framework name, or a dimension without an id.
    """
    if spec is None:
        return SERVICE_FIVE
    if isinstance(spec, Framework):
        return spec
    if isinstance(spec, str):
        try:
            return _BUILTIN[spec]
        except KeyError:
            known = ", ".join(repr(k) for k in ("service-five",))
            raise ConfigError(
                f"unknown framework {spec!r}; expected one of {known} or a list of dimensions "
                "({id, label_zh, label_en})"
            ) from None
    if isinstance(spec, Mapping):
        return load_framework(spec.get("dimensions", []), name=str(spec.get("name", name)))
    if not isinstance(spec, list | tuple):
        raise ConfigError(
            f"framework {name!r}: got {spec!r}; expected a framework name or a list of "
            "dimensions ({id, label_zh, label_en})"
        )
    dims = []
    for i, entry in enumerate(spec, start=1):
        if not isinstance(entry, Mapping) or "id" not in entry:
            raise ConfigError(f"dimension {i} of framework {name!r} needs at least an 'id'")
        dim_id = str(entry["id"])
        dims.append(
            Dimension(
                dim_id,
                str(entry.get("label_zh", entry.get("label", dim_id))),
                str(entry.get("label_en", entry.get("label", dim_id))),
                str(entry.get("description", "")),
            )
        )
    return Framework(name=name, dimensions=tuple(dims))
