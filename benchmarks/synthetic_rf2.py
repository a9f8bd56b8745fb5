"""Deterministic synthetic SNOMED CT RF2 Snapshot releases for benchmarks.

    from benchmarks.synthetic_rf2 import ensure_release
    path = ensure_release("370k")      # benchmarks/data/synthetic-rf2-370k/, written if missing

Sizes: ``20k``, ``370k`` (International scale), ``840k`` (UK Monolith scale) and ``2m``
(a national extension plus a drug extension on top of an International-size core: where one
machine stops) concepts.
The shape follows the real thing: 19 top-level hierarchies of skewed size under
138875005, depth up to 18, about 1.5 IS-A parents per concept, about 3 descriptions per
concept with medical-looking words (an FSN with its semantic tag, a preferred term, usually
a synonym, some with a US spelling), GB and US language refsets, role-grouped attributes
on findings and procedures, concrete values on products, about 10% inactive concepts with
an inactivation reason and a historical association, simple refsets (one with a few
thousand members), a CTV3 simple map and an ICD-10 extended map.  Every SCTID is valid
(partition identifier and Verhoeff check digit).  The same size always gives the same files.

Run ``python -m benchmarks.synthetic_rf2 SIZE [--out DIR]`` to write one, and add
``--successor`` for its release N+1 (retired, added, moved and renamed concepts:
benchmarks/synthetic_successor.py).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from codelists.terminology.normalise import verhoeff_digit

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SIZES = {"20k": 20_000, "370k": 370_000, "840k": 840_000, "2m": 2_000_000}
DATE = "20250101"
PACKAGE = f"SnomedCT_SyntheticRF2_PRODUCTION_{DATE}T120000Z"

ROOT = 138875005
IS_A = 116680003
MODULE = 900000000000207008
PRIMITIVE, DEFINED = 900000000000074008, 900000000000073002
FSN, SYNONYM = 900000000000003001, 900000000000013009
PREFERRED, ACCEPTABLE = 900000000000548007, 900000000000549004
GB, US = 900000000000508004, 900000000000509007
INFERRED, EXISTENTIAL = 900000000000011006, 900000000000451002
CASE = 900000000000448009
INACTIVATION = 900000000000489007
REASONS = [900000000000482003, 900000000000484002, 900000000000485001, 900000000000486000]
ASSOCIATIONS = [900000000000526001, 900000000000527005, 900000000000523009]
CTV3_MAP, ICD10_MAP = 900000000000497000, 447562003
FINDING_SITE, MORPHOLOGY, CAUSATIVE = 363698007, 116676008, 246075003
METHOD, PROCEDURE_SITE = 260686004, 405813007
STRENGTH, COUNT = 1142135004, 1142139005

# (id, name, semantic tag, share of the concepts)
HIERARCHIES = [
    (404684003, "Clinical finding", "disorder", 0.33),
    (71388002, "Procedure", "procedure", 0.16),
    (123037004, "Body structure", "body structure", 0.10),
    (410607006, "Organism", "organism", 0.09),
    (373873005, "Pharmaceutical / biologic product", "product", 0.08),
    (105590001, "Substance", "substance", 0.07),
    (363787002, "Observable entity", "observable entity", 0.035),
    (362981000, "Qualifier value", "qualifier value", 0.03),
    (243796009, "Situation with explicit context", "situation", 0.02),
    (260787004, "Physical object", "physical object", 0.02),
    (272379006, "Event", "event", 0.01),
    (48176007, "Social context", "social concept", 0.01),
    (123038009, "Specimen", "specimen", 0.007),
    (308916002, "Environment or geographical location", "environment", 0.005),
    (900000000000441003, "SNOMED CT Model Component", "metadata", 0.005),
    (254291000, "Staging and scales", "assessment scale", 0.0015),
    (419891008, "Record artifact", "record artifact", 0.001),
    (78621006, "Physical force", "physical force", 0.0005),
    (370115009, "Special concept", "special concept", 0.0005),
]
# the share of each depth (1 = child of a top-level concept), up to 18
DEPTHS = [1.5, 4, 7, 10, 13, 14, 13, 11, 8, 6, 4, 2.6, 1.6, 1, 0.6, 0.3, 0.15, 0.06]

ROOTS = ["cardi", "nephr", "hepat", "oste", "arthr", "derm", "neur", "gastr", "pulmon",
         "encephal", "myel", "angi", "lymph", "thyr", "aden", "chondr", "col", "cyst",
         "hyster", "laryng", "mast", "my", "ophthalm", "ot", "pancreat", "pharyng",
         "rhin", "splen", "ten", "trache", "ur", "vascul", "bronch", "cholecyst", "esophag",
         "haemat", "leuk", "mening", "oophor", "phleb", "pyel", "sial", "spondyl", "thromb"]
SUFFIXES = ["itis", "opathy", "oma", "algia", "osis", "aemia", "ectomy", "otomy",
            "oplasty", "oscopy", "orrhaphy", "ostomy", "ocele", "omegaly", "osclerosis",
            "orrhagia", "odynia", "ogram", "ography", "olysis"]
QUALIFIERS = ["acute", "chronic", "left", "right", "bilateral", "congenital", "primary",
              "secondary", "recurrent", "severe", "mild", "juvenile", "senile", "traumatic",
              "infective", "allergic", "malignant", "benign", "familial", "idiopathic"]
SITES = ["elbow", "knee", "liver", "lung", "kidney", "heart", "hip", "shoulder", "wrist",
         "ankle", "spine", "skull", "colon", "stomach", "bladder", "uterus", "ovary",
         "prostate", "thyroid", "pancreas", "spleen", "brain", "eye", "ear", "skin",
         "finger", "toe", "neck", "jaw", "rib", "pelvis", "femur", "humerus", "tibia"]
NOUNS = ["disorder", "injury", "lesion", "syndrome", "infection", "deformity", "neoplasm",
         "fracture", "abscess", "ulcer", "cyst", "stenosis", "haemorrhage", "oedema",
         "procedure", "repair", "excision", "biopsy", "drainage", "assessment",
         "measurement", "structure", "tissue", "substance", "organism", "tablet",
         "solution", "device", "finding", "observation"]

def verhoeff_check(digits: str) -> int:
    """The Verhoeff check digit for a string of digits (the library's)."""
    return int(verhoeff_digit(digits))


def is_valid_sctid(sctid: int | str) -> bool:
    s = str(sctid)
    return 6 <= len(s) <= 18 and s.isdigit() and s[0] != "0" and \
        verhoeff_check(s[:-1]) == int(s[-1]) and s[-3:-1] in ("00", "01", "02", "10", "11", "12")


def sctid(item: int, partition: str) -> int:
    body = f"{item}{partition}"
    return int(body + str(verhoeff_check(body)))


class Ids:
    """Sequential valid SCTIDs per partition (00 concept, 01 description, 02 relationship)."""

    def __init__(self, partition: str, start: int):
        self.partition = partition
        self.item = start

    def next(self) -> int:
        self.item += 1
        return sctid(self.item, self.partition)


class Generator:
    """Builds one release in memory (concepts and their edges) and writes it out."""

    def __init__(self, size: int, seed: int = 20250101):
        self.size = size
        self.rng = random.Random(seed)
        self.concept_ids = Ids("00", 10_000_000)
        self.description_ids = Ids("01", 10_000_000)
        self.relationship_ids = Ids("02", 10_000_000)
        self.concepts: list[tuple[int, int, str, str, int]] = []  # id, active, term, tag, hier
        self.parents: dict[int, list[int]] = {}
        self.by_hierarchy: dict[int, list[int]] = {h[0]: [] for h in HIERARCHIES}
        self.refset_concepts: list[tuple[int, str]] = []
        self.date = DATE
        self.package = PACKAGE
        #: concepts retired after the first release (release N+1, synthetic_successor.py):
        #: index -> (reason, [(association, target)]), written after the first ones
        self.retired: dict[int, tuple[int, list[tuple[int, int]]]] = {}

    # -- the hierarchy ---------------------------------------------------------------
    def build(self) -> None:
        rng = self.rng
        self.concepts.append((ROOT, 1, "SNOMED CT Concept", "SNOMED RT+CTV3", ROOT))
        for top, name, tag, _share in HIERARCHIES:
            self.concepts.append((top, 1, name, tag, top))
            self.parents[top] = [ROOT]
        self._metadata_concepts()
        self.fixed = len(self.concepts)
        remaining = self.size - len(self.concepts)
        total_share = sum(h[3] for h in HIERARCHIES)
        counts = [max(3, int(remaining * h[3] / total_share)) for h in HIERARCHIES]
        counts[0] += remaining - sum(counts)
        for (top, _name, tag, _share), count in zip(HIERARCHIES, counts, strict=True):
            self._grow(top, tag, count)
        # inactive concepts are leaves (so no active concept loses its parents)
        has_children = {p for ps in self.parents.values() for p in ps}
        leaves = [n for n in range(self.fixed, len(self.concepts))
                  if self.concepts[n][0] not in has_children]
        self.inactive = set(rng.sample(leaves, min(len(leaves), int(self.size * 0.10))))

    def _metadata_concepts(self) -> None:
        model = 900000000000441003
        named = [
            (IS_A, "Is a", "attribute"), (FINDING_SITE, "Finding site", "attribute"),
            (MORPHOLOGY, "Associated morphology", "attribute"),
            (CAUSATIVE, "Causative agent", "attribute"), (METHOD, "Method", "attribute"),
            (PROCEDURE_SITE, "Procedure site - Direct", "attribute"),
            (STRENGTH, "Has presentation strength numerator value", "attribute"),
            (COUNT, "Count of base of active ingredient", "attribute"),
            (GB, "GB English", "foundation metadata concept"),
            (US, "US English", "foundation metadata concept"),
            (INACTIVATION, "Concept inactivation indicator", "foundation metadata concept"),
            (CTV3_MAP, "CTV3 simple map", "foundation metadata concept"),
            (ICD10_MAP, "ICD-10 complex map", "foundation metadata concept"),
            *((r, f"Inactivation reason {i}", "foundation metadata concept")
              for i, r in enumerate(REASONS)),
            *((a, f"Historical association {i}", "foundation metadata concept")
              for i, a in enumerate(ASSOCIATIONS)),
        ]
        for cid, term, tag in named:
            self.concepts.append((cid, 1, term, tag, model))
            self.parents[cid] = [model]
        for n, members in enumerate([3000, 400, 250, 120, 60]):
            cid = self.concept_ids.next()
            term = f"Synthetic simple reference set {n + 1}"
            self.concepts.append((cid, 1, term, "foundation metadata concept", model))
            self.parents[cid] = [model]
            self.refset_concepts.append((cid, str(members)))

    def _grow(self, top: int, tag: str, count: int) -> None:
        rng = self.rng
        levels: list[list[int]] = [[top]]
        kids: dict[int, list[int]] = {}
        members = self.by_hierarchy[top]
        depths = list(range(1, len(DEPTHS) + 1))
        chosen = rng.choices(depths, weights=DEPTHS, k=count)
        chosen.sort()
        for depth in chosen:
            depth = min(depth, len(levels))
            cid = self.concept_ids.next()
            above = levels[depth - 1]
            primary = above[int(len(above) * rng.random() ** 1.4)]
            parents = [primary]
            if depth >= 2 and rng.random() < 0.7:
                # polyhierarchy stays local, as in the real thing: usually a sibling of the
                # primary parent, sometimes any concept one level up
                siblings = kids.get(self.parents[primary][0], ()) if rng.random() < 0.85 \
                    else above
                if siblings:
                    extra = siblings[rng.randrange(len(siblings))]
                    if extra != primary:
                        parents.append(extra)
            self.parents[cid] = parents
            for p in parents:
                kids.setdefault(p, []).append(cid)
            if depth == len(levels):
                levels.append([])
            levels[depth].append(cid)
            members.append(cid)
            self.concepts.append((cid, 1, self._term(tag), tag, top))

    def _term(self, tag: str) -> str:
        rng = self.rng
        word = rng.choice(ROOTS) + rng.choice(SUFFIXES)
        parts = []
        if rng.random() < 0.45:
            parts.append(rng.choice(QUALIFIERS))
        parts.append(word if rng.random() < 0.7 else f"{word} {rng.choice(NOUNS)}")
        if rng.random() < 0.55:
            parts.append(f"of {rng.choice(SITES)}")
        text = " ".join(parts)
        return text[0].upper() + text[1:]

    # -- writing ---------------------------------------------------------------------
    def write(self, out: Path) -> None:
        term_dir = out / self.package / "Snapshot" / "Terminology"
        refset_dir = out / self.package / "Snapshot" / "Refset"
        active = self._active_flags()
        _tsv(term_dir / f"sct2_Concept_Snapshot_INT_{self.date}.txt",
             ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"],
             ((cid, self.date, active[cid], MODULE, DEFINED if cid % 3 == 0 else PRIMITIVE)
              for cid, *_ in self.concepts))
        common = ["id", "effectiveTime", "active", "moduleId", "refsetId",
                  "referencedComponentId"]
        with _Rows(refset_dir / "Language" /
                   f"der2_cRefset_LanguageSnapshot-en_INT_{self.date}.txt",
                   common + ["acceptabilityId"], self.date) as language:
            _tsv(term_dir / f"sct2_Description_Snapshot-en_INT_{self.date}.txt",
                 ["id", "effectiveTime", "active", "moduleId", "conceptId", "languageCode",
                  "typeId", "term", "caseSignificanceId"], self._descriptions(language))
        _tsv(term_dir / f"sct2_Relationship_Snapshot_INT_{self.date}.txt",
             ["id", "effectiveTime", "active", "moduleId", "sourceId", "destinationId",
              "relationshipGroup", "typeId", "characteristicTypeId", "modifierId"],
             self._relationships(active))
        _tsv(term_dir / f"sct2_RelationshipConcreteValues_Snapshot_INT_{self.date}.txt",
             ["id", "effectiveTime", "active", "moduleId", "sourceId", "value",
              "relationshipGroup", "typeId", "characteristicTypeId", "modifierId"],
             self._concrete(active))
        content = refset_dir / "Content"
        _tsv(content / f"der2_Refset_SimpleSnapshot_INT_{self.date}.txt", common,
             self._simple(active))
        _tsv(content / f"der2_cRefset_AttributeValueSnapshot_INT_{self.date}.txt",
             common + ["valueId"], self._inactivation_reasons())
        _tsv(content / f"der2_cRefset_AssociationSnapshot_INT_{self.date}.txt",
             common + ["targetComponentId"], self._associations())
        maps = refset_dir / "Map"
        _tsv(maps / f"der2_sRefset_SimpleMapSnapshot_INT_{self.date}.txt",
             common + ["mapTarget"], self._ctv3(active))
        _tsv(maps / f"der2_iisssccRefset_ExtendedMapSnapshot_INT_{self.date}.txt",
             common + ["mapGroup", "mapPriority", "mapRule", "mapAdvice", "mapTarget",
                       "correlationId", "mapCategoryId"], self._icd10(active))

    def _active_flags(self) -> dict[int, int]:
        return {cid: 0 if n in self.inactive or n in self.retired else 1
                for n, (cid, *_rest) in enumerate(self.concepts)}

    def _descriptions(self, language: _Rows) -> Iterator[tuple]:
        rng = random.Random(self.size + 1)
        ids = self.description_ids
        for cid, _a, term, tag, _h in self.concepts:
            fsn = ids.next()
            yield (fsn, self.date, 1, MODULE, cid, "en", FSN, f"{term} ({tag})", CASE)
            language.add(fsn, PREFERRED, PREFERRED)
            pt = ids.next()
            yield (pt, self.date, 1, MODULE, cid, "en", SYNONYM, term, CASE)
            us_term = _american(term)
            if us_term != term:
                language.add(pt, PREFERRED, ACCEPTABLE)
                us = ids.next()
                yield (us, self.date, 1, MODULE, cid, "en", SYNONYM, us_term, CASE)
                language.add(us, ACCEPTABLE, PREFERRED)
            else:
                language.add(pt, PREFERRED, PREFERRED)
            if rng.random() < 0.85:
                syn = ids.next()
                words = term.split(" ")
                rng.shuffle(words)
                other = " ".join(words).capitalize() if len(words) > 1 else \
                    f"{term} {rng.choice(NOUNS)}"
                yield (syn, self.date, 1, MODULE, cid, "en", SYNONYM, other, CASE)
                language.add(syn, ACCEPTABLE, ACCEPTABLE)
            if rng.random() < 0.05:
                old = ids.next()
                yield (old, self.date, 0, MODULE, cid, "en", SYNONYM, f"{term} NOS", CASE)

    def _relationships(self, active: dict[int, int]) -> Iterator[tuple]:
        rng = random.Random(self.size + 2)
        ids = self.relationship_ids
        sites = self.by_hierarchy[123037004]
        organisms = self.by_hierarchy[410607006]
        for cid, _a, _t, _tag, top in self.concepts:
            if not active[cid]:
                continue
            for parent in self.parents.get(cid, ()):
                if active.get(parent, 1):
                    yield (ids.next(), self.date, 1, MODULE, cid, parent, 0, IS_A, INFERRED,
                           EXISTENTIAL)
            if top == 404684003 and sites:
                for group in range(1, 1 + (rng.random() < 0.7) + (rng.random() < 0.25)):
                    yield (ids.next(), self.date, 1, MODULE, cid, rng.choice(sites), group,
                           FINDING_SITE, INFERRED, EXISTENTIAL)
                    yield (ids.next(), self.date, 1, MODULE, cid, rng.choice(sites), group,
                           MORPHOLOGY, INFERRED, EXISTENTIAL)
                if organisms and rng.random() < 0.1:
                    yield (ids.next(), self.date, 1, MODULE, cid, rng.choice(organisms), 0,
                           CAUSATIVE, INFERRED, EXISTENTIAL)
            elif top == 71388002 and sites:
                yield (ids.next(), self.date, 1, MODULE, cid, rng.choice(sites), 1,
                       PROCEDURE_SITE, INFERRED, EXISTENTIAL)

    def _concrete(self, active: dict[int, int]) -> Iterator[tuple]:
        rng = random.Random(self.size + 3)
        ids = Ids("02", 90_000_000)
        for cid in self.by_hierarchy[373873005]:
            if active[cid] and rng.random() < 0.6:
                yield (ids.next(), self.date, 1, MODULE, cid, f"#{rng.choice([5, 10, 20, 250, 500])}",
                       1, STRENGTH, INFERRED, EXISTENTIAL)
                yield (ids.next(), self.date, 1, MODULE, cid, "#1", 0, COUNT, INFERRED, EXISTENTIAL)

    def _simple(self, active: dict[int, int]) -> Iterator[tuple]:
        rng = random.Random(self.size + 4)
        findings = [c for c in self.by_hierarchy[404684003] if active[c]]
        for refset, members in self.refset_concepts:
            for cid in rng.sample(findings, min(int(members), len(findings))):
                yield (_uuid(rng), self.date, 1, MODULE, refset, cid)

    def _inactive_ids(self) -> Iterator[tuple[int, int]]:
        for n in sorted(self.inactive):
            yield n, self.concepts[n][0]

    def _inactivation_reasons(self) -> Iterator[tuple]:
        rng = random.Random(self.size + 5)
        for _n, cid in self._inactive_ids():
            yield (_uuid(rng), self.date, 1, MODULE, INACTIVATION, cid, rng.choice(REASONS))
        for n, (reason, _targets) in sorted(self.retired.items()):
            yield (_uuid(rng), self.date, 1, MODULE, INACTIVATION, self.concepts[n][0], reason)

    def _associations(self) -> Iterator[tuple]:
        rng = random.Random(self.size + 6)
        for n, cid in self._inactive_ids():
            pool = self.by_hierarchy.get(self.concepts[n][4]) or [ROOT]
            for _ in range(1 + (rng.random() < 0.2)):
                target = pool[rng.randrange(len(pool))]
                yield (_uuid(rng), self.date, 1, MODULE, rng.choice(ASSOCIATIONS), cid, target)
        for n, (_reason, targets) in sorted(self.retired.items()):
            for association, target in targets:
                yield (_uuid(rng), self.date, 1, MODULE, association, self.concepts[n][0],
                       target)

    def _ctv3(self, active: dict[int, int]) -> Iterator[tuple]:
        rng = random.Random(self.size + 7)
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        for cid in self.by_hierarchy[404684003]:
            if rng.random() < 0.3:
                code = "X" + "".join(rng.choice(alphabet) for _ in range(4))
                yield (_uuid(rng), self.date, active[cid], MODULE, CTV3_MAP, cid, code)

    def _icd10(self, active: dict[int, int]) -> Iterator[tuple]:
        rng = random.Random(self.size + 8)
        for cid in self.by_hierarchy[404684003]:
            if not active[cid] or rng.random() >= 0.45:
                continue
            for group in range(1, 2 + (rng.random() < 0.15)):
                code = f"{rng.choice('ABCDEFGIJKLMNOQRSTZ')}{rng.randrange(100):02d}." \
                       f"{rng.randrange(10)}"
                yield (_uuid(rng), self.date, 1, MODULE, ICD10_MAP, cid, group, 1, "TRUE",
                       f"ALWAYS {code}", code, 447561005, 447637006)


class _Rows:
    """The language refset file, written while the descriptions are."""

    def __init__(self, path: Path, header: list[str], date: str = DATE) -> None:
        self.date = date
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(path, "w", encoding="utf-8", newline="")
        self.fh.write("\t".join(header) + "\r\n")
        self.rng = random.Random(7)

    def __enter__(self) -> _Rows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()

    def add(self, description: int, gb: int, us: int) -> None:
        self.fh.write(f"{_uuid(self.rng)}\t{self.date}\t1\t{MODULE}\t{GB}\t{description}\t{gb}\r\n"
                      f"{_uuid(self.rng)}\t{self.date}\t1\t{MODULE}\t{US}\t{description}\t{us}\r\n")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _american(term: str) -> str:
    return term.replace("aemia", "emia").replace("haem", "hem").replace("oedema", "edema")


def _tsv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(header) + "\r\n")
        write = fh.write
        for row in rows:
            write("\t".join(map(str, row)) + "\r\n")


def write_release(size_name: str, out: Path) -> Path:
    """Write the release of ``size_name`` into ``out`` (replacing what is there)."""
    if size_name not in SIZES:
        raise ValueError(f"unknown size {size_name!r}; choose one of {', '.join(SIZES)}")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    generator = Generator(SIZES[size_name])
    generator.build()
    generator.write(tmp)
    (tmp / ".complete").write_text(f"{len(generator.concepts)} concepts\n")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out


def ensure_release(size_name: str) -> Path:
    """The folder of the synthetic release ``size_name``, written first if missing."""
    out = DATA / f"synthetic-rf2-{size_name}"
    if not (out / ".complete").is_file():
        write_release(size_name, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--out", type=Path, help="folder to write (default benchmarks/data/)")
    parser.add_argument("--successor", action="store_true",
                        help="write release N+1 of this size instead (20250401)")
    args = parser.parse_args(argv)
    if args.successor:
        from benchmarks.synthetic_successor import ensure_successor, write_successor

        path = write_successor(args.size, args.out) if args.out else \
            ensure_successor(args.size)
        print(path)
        return 0
    path = write_release(args.size, args.out) if args.out else ensure_release(args.size)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
