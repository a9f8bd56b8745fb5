"""The meaning source: descriptions close in meaning to the definition and the seeds.

The queries are the definition (feature, description, inclusion criteria) and the
preferred terms of the seeds.  Many seeds are summarised by at most ``MAX_QUERIES``
centroids (k-means on their vectors) so that a 1,000-code list costs no more than a small
one; every description of the store is compared with every query and a code scores its
best description.  The score is how far that similarity stands above the typical
description's best similarity (the median), on a 0-1 scale.  The evidence names the
nearest seed term or the definition.
"""

from __future__ import annotations

from codelists.method.suggest.model import ListState, Proposals

MAX_QUERIES = 48
CHUNK = 200_000
#: how much similarity to a query counts: the definition says what the list is for;
#: an active code was judged to belong; a pending one is an unscreened candidate; a weak
#: one was found only by letters inside a longer word (:mod:`.seeds`)
WEIGHTS = {"definition": 1.0, "active": 1.0, "pending": 0.3, "weak": 0.1}


def queries(codelist, terms: dict[str, str], expanded: dict | None = None, *,
            weak: frozenset[str] = frozenset()) -> list[tuple[str, str, float]]:
    """(label, text, weight): the definition's parts, the expansions of its abbreviations
    (weighted by their share), then each seed's term."""
    from codelists.method import block

    out: list[tuple[str, str, float]] = []
    definition = block.definition(codelist)
    if definition is not None:
        for text in (definition.feature, definition.description, *definition.inclusion):
            if text:
                out.append(("the definition", text, WEIGHTS["definition"]))
    elif codelist.title:
        out.append(("the title", codelist.title, WEIGHTS["definition"]))
    for abbreviation, expansions in (expanded or {}).items():
        out += [(f"'{abbreviation}' read as '{e.phrase}'", e.phrase,
                 WEIGHTS["definition"] * e.share) for e in expansions]
    active = set(codelist.active_codes())
    out += [(f"{code} {term}", term, WEIGHTS[_kind(code, active, weak)])
            for code, term in sorted(terms.items()) if term]
    return out


def _kind(code: str, active, weak) -> str:
    return "active" if code in active else "weak" if code in weak else "pending"


def suggest(vectors, encoder, state: ListState, asked: list[tuple[str, str, float]], *,
            per_query: int = 200) -> Proposals:
    import numpy as np

    found = Proposals("meaning", state)
    if not asked:
        return found
    qv = vectors.embed([encoder.words(text) for _, text, _ in asked], encoder)
    keep = np.linalg.norm(qv, axis=1) > 0
    qv = qv[keep]
    labels = [a[0] for a, k in zip(asked, keep, strict=True) if k]
    weights = np.array([a[2] for a, k in zip(asked, keep, strict=True) if k], np.float32)
    if not len(qv):
        return found
    centres, weights = _centres(qv, weights)
    best = _best_per_description(vectors.vectors, centres, weights)
    floor = float(np.median(best))
    order = np.argsort(-best)
    listed, seen = state.listed, set()
    limit = per_query * max(1, min(len(centres), 10))
    for i in order:
        code = vectors.codes[vectors.rows[i]]
        if code in seen or code in listed:
            continue
        seen.add(code)
        score = (float(best[i]) - floor) / max(1e-6, 1.0 - floor)
        label = _nearest_label(qv, labels, vectors.vectors[i])
        found.add(code, score, "similar", f"close in meaning to {label} "
                                          f"({float(best[i]):.2f})")
        if len(seen) >= limit:
            break
    return found


def _centres(qv, weights):
    """At most MAX_QUERIES query vectors and their weights: each weight group (definition,
    active, pending) keeps its share, summarised by k-means when it has too many."""
    import numpy as np

    if len(qv) <= MAX_QUERIES:
        return qv, weights
    groups = sorted(set(weights.tolist()), reverse=True)
    out, out_w = [], []
    for weight in groups:
        points = qv[weights == weight]
        room = max(1, round(MAX_QUERIES * len(points) / len(qv)))
        centres = _kmeans(points, room) if len(points) > room else points
        out.append(centres)
        out_w += [weight] * len(centres)
    return np.vstack(out), np.array(out_w, np.float32)


def _kmeans(points, k: int):
    import numpy as np

    rng = np.random.default_rng(0)
    centres = points[rng.choice(len(points), k, replace=False)].copy()
    for _ in range(8):
        assign = np.argmax(points @ centres.T, axis=1)
        for j in range(k):
            members = points[assign == j]
            if len(members):
                centre = members.mean(0)
                centres[j] = centre / max(np.linalg.norm(centre), 1e-9)
    return centres


def _best_per_description(matrix, centres, weights):
    import numpy as np

    n = matrix.shape[0]
    best = np.empty(n, np.float32)
    c = centres.T.astype(np.float32)
    for start in range(0, n, CHUNK):
        sims = (np.asarray(matrix[start:start + CHUNK], np.float32) @ c) * weights
        best[start:start + len(sims)] = sims.max(1)
    return best


def _nearest_label(qv, labels, vector) -> str:
    import numpy as np

    sims = qv @ np.asarray(vector, np.float32)
    return labels[int(np.argmax(sims))]
