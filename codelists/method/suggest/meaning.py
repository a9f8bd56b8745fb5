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


def queries(codelist, terms: dict[str, str]) -> list[tuple[str, str]]:
    """(label, text) pairs: the definition's parts, then each seed's term."""
    from codelists.method import block

    out: list[tuple[str, str]] = []
    definition = block.definition(codelist)
    if definition is not None:
        for text in (definition.feature, definition.description, *definition.inclusion):
            if text:
                out.append(("the definition", text))
    elif codelist.title:
        out.append(("the title", codelist.title))
    out += [(f"{code} {term}", term) for code, term in sorted(terms.items()) if term]
    return out


def suggest(vectors, encoder, state: ListState, asked: list[tuple[str, str]], *,
            per_query: int = 200) -> Proposals:
    import numpy as np

    found = Proposals("meaning", state)
    if not asked:
        return found
    labels = [label for label, _ in asked]
    qv = vectors.embed([encoder.words(text) for _, text in asked], encoder)
    keep = np.linalg.norm(qv, axis=1) > 0
    qv, labels = qv[keep], [lab for lab, k in zip(labels, keep, strict=True) if k]
    if not len(qv):
        return found
    centres = _centres(qv, labels)
    best, where = _best_per_description(vectors.vectors, centres)
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


def _centres(qv, labels):
    """At most MAX_QUERIES query vectors: the definition's, then seed centroids."""
    import numpy as np

    fixed = [i for i, lab in enumerate(labels) if lab.startswith("the ")]
    rest = [i for i in range(len(labels)) if i not in fixed]
    room = MAX_QUERIES - len(fixed)
    if len(rest) <= room:
        return qv
    points = qv[rest]
    rng = np.random.default_rng(0)
    centres = points[rng.choice(len(points), room, replace=False)]
    for _ in range(8):
        assign = np.argmax(points @ centres.T, axis=1)
        for k in range(room):
            members = points[assign == k]
            if len(members):
                centre = members.mean(0)
                centres[k] = centre / max(np.linalg.norm(centre), 1e-9)
    return np.vstack([qv[fixed], centres])


def _best_per_description(matrix, centres):
    import numpy as np

    n = matrix.shape[0]
    best = np.empty(n, np.float32)
    where = np.empty(n, np.int32)
    c = centres.T.astype(np.float32)
    for start in range(0, n, CHUNK):
        sims = np.asarray(matrix[start:start + CHUNK], np.float32) @ c
        best[start:start + len(sims)] = sims.max(1)
        where[start:start + len(sims)] = sims.argmax(1)
    return best, where


def _nearest_label(qv, labels, vector) -> str:
    import numpy as np

    sims = qv @ np.asarray(vector, np.float32)
    return labels[int(np.argmax(sims))]
