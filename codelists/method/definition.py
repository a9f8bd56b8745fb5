"""The a priori definition of the clinical feature (stage 1 of Watson et al. 2017).

Stored under ``method.definition`` in the ``.codelist`` file::

    definition:
      feature: Shortness of breath
      description: The subjective sensation of breathing discomfort ...
      inclusion: [dyspnoea, breathlessness, orthopnoea, ...]
      exclusion: [apnoea, tachypnoea without breathlessness, ...]
      driven: sensitivity            # or specificity
      sources:
        - name: ICPC-2 R02 Shortness of breath/dyspnoea
          citation: WONCA International Classification Committee. ICPC-2. ...
          url: https://...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from codelists.errors import UserError

DRIVEN = ("sensitivity", "specificity")


@dataclass(frozen=True)
class Source:
    name: str
    citation: str = ""
    url: str = ""
    notes: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_data(cls, data: Any) -> Source:
        if isinstance(data, str):
            return cls(data)
        if not isinstance(data, dict) or not data.get("name"):
            raise UserError(f"a definition source needs a name: {data!r}")
        return cls(str(data["name"]), str(data.get("citation", "")), str(data.get("url", "")),
                   str(data.get("notes", "")))


#: the sources Watson et al. consulted for shortness of breath (Box 1 of the paper)
BOX1_SOURCES = (
    Source("ICPC-2 R02 Shortness of breath/dyspnoea",
           "WONCA International Classification Committee. International Classification of "
           "Primary Care, 2nd edition (ICPC-2)."),
    Source("BMJ Best Practice: Assessment of dyspnoea", "BMJ Publishing Group."),
    Source("NICE Clinical Knowledge Summaries: Breathlessness",
           "National Institute for Health and Care Excellence."),
    Source("ICD-10 R06 Abnormalities of breathing",
           "World Health Organization. ICD-10, 2019 version."),
    Source("MeSH: Dyspnea", "US National Library of Medicine. Medical Subject Headings."),
    Source("Patient forums", notes="words patients use for the symptom"),
    Source("GP colleagues", notes="clinical advice from practising general practitioners"),
)


@dataclass(frozen=True)
class Definition:
    feature: str
    description: str = ""
    inclusion: tuple[str, ...] = ()
    exclusion: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    driven: str = "sensitivity"
    fields: dict[str, Any] = field(default_factory=dict)  # other keys, kept on round trip

    def __post_init__(self) -> None:
        if not self.feature:
            raise UserError("the definition needs the clinical feature's name",
                            hint="give `feature:` (e.g. Shortness of breath)")
        if self.driven not in DRIVEN:
            raise UserError(f"driven must be sensitivity or specificity, not {self.driven!r}")

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"feature": self.feature}
        if self.description:
            data["description"] = self.description
        if self.inclusion:
            data["inclusion"] = list(self.inclusion)
        if self.exclusion:
            data["exclusion"] = list(self.exclusion)
        data["driven"] = self.driven
        if self.sources:
            data["sources"] = [s.as_dict() for s in self.sources]
        data.update(self.fields)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Definition:
        if not isinstance(data, dict):
            raise UserError("method.definition must be a mapping with 'feature'")
        known = {"feature", "description", "inclusion", "exclusion", "sources", "driven"}
        return cls(
            feature=str(data.get("feature") or ""),
            description=str(data.get("description") or ""),
            inclusion=tuple(str(x) for x in data.get("inclusion") or ()),
            exclusion=tuple(str(x) for x in data.get("exclusion") or ()),
            sources=tuple(Source.from_data(s) for s in data.get("sources") or ()),
            driven=str(data.get("driven") or "sensitivity"),
            fields={k: v for k, v in data.items() if k not in known},
        )
