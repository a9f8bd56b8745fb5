"""The data source: codes recorded near the list's codes more often than expected.

The counting happens in :func:`codelists.frequency.cooccurrence.cooccurring` (the only
layer that touches the patient data, with disclosure control applied there); this module
turns its rows into proposals.  Score: ``0.3 + 0.15 * log2(lift)``, capped at 0.9 (lift 2
scores 0.45, lift 16 scores 0.9).
"""

from __future__ import annotations

import math

from codelists.method.suggest.model import ListState, Proposals


def suggest(rows, state: ListState, terminology=None, *, window_days: int = 0) -> Proposals:
    found = Proposals("data", state)
    when = "on the same day as" if not window_days else f"within {window_days} days of"
    for row in rows:
        code = terminology.normalise(row.code) if terminology is not None else row.code
        if terminology is not None and terminology.lookup(code) is None:
            continue
        score = min(0.9, 0.3 + 0.15 * math.log2(max(row.lift, 1.0)))
        found.add(code, score, "cooccurrence",
                  f"recorded {when} a listed code for ~{row.near} patients, "
                  f"{row.lift:g} times the expected")
    return found
