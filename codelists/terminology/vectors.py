"""Meaning vectors of a terminology store, built once and kept beside it.

``<store>.db`` gets a folder ``<store>.db.vectors/`` (or one you name) holding:

``meta.json``     the model id, the store's release and checksum it was built from, counts
``words.json``    the store's distinct words, their IDF weights
``words.npy``     one vector per word (float32, projected to ``DIM`` dimensions)
``raw.npy``       one vector per word as the model gave it (float16), for reuse: a build
                  given ``reuse=`` (the vectors of an earlier release) runs only the words
                  that release did not have through the model
``projection.npy`` the centring mean and the projection (from the model's 384 dimensions)
``codes.json``    the distinct codes, in the order ``rows.npy`` numbers them
``rows.npy``      the code number of each description (int32)
``vectors.npy``   one unit vector per active description (float16), memory-mapped

A description's vector is the IDF-weighted mean of its words' vectors, centred and
projected (principal components of the word vectors), then normalised.  The encoder (see
:mod:`codelists.method.suggest.encoder`) is passed in: this module only owns the files and
their bookkeeping.  The folder is written beside its destination under a temporary name
and renamed into place, so an interrupted build leaves the old vectors (or none).
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codelists.errors import StoreNotFoundError, UserError

DIM = 128
FORMAT = 1
CHUNK = 50_000

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def vectors_path(store: str | Path) -> Path:
    """Where a store's vectors live by default: ``<store>.vectors`` beside it."""
    store = Path(store)
    return store.with_name(store.name + ".vectors")


def _fingerprint(store: Path) -> dict[str, Any]:
    from codelists.terminology.store import read_metadata

    meta = read_metadata(store)
    stat = store.stat()
    return {"terminology": meta.terminology, "edition": meta.edition,
            "release_date": meta.release_date, "build_time": meta.build_time,
            "size": stat.st_size}


def build_vectors(store: str | Path, encoder, *, destination: str | Path | None = None,
                  progress: Progress | None = None, reuse: str | Path | None = None) -> Path:
    """Build the vectors of every active description of ``store``; returns the folder.

    ``encoder`` offers ``model_id``, ``words(text) -> list[str]`` and
    ``encode_words(list, progress=...) -> array`` (unit vectors).
    """
    import numpy as np

    from codelists.terminology.registry import open_terminology

    store = Path(store)
    if not store.is_file():
        raise StoreNotFoundError(f"no terminology store at {store}")
    destination = Path(destination) if destination else vectors_path(store)
    terminology = open_terminology(store)
    try:
        codes, tokens = _descriptions(terminology, encoder, progress, _recorded(store))
    finally:
        terminology.close()
    counts = Counter(w for ws in tokens for w in set(ws))
    vocab = sorted(counts)
    idf = [math.log((1 + len(tokens)) / (1 + counts[w])) + 1.0 for w in vocab]
    table = _word_table(vocab, encoder, Path(reuse) if reuse else None, progress)
    step = _stepper(progress, "projecting", 1)
    mean, projection, projected = _project(table)
    step(1)
    # a new folder beside the destination, renamed into place at the end; made by mkdir,
    # so as readable as the user's umask says (mkdtemp's are private, and others sharing
    # a store use its vectors)
    folder = destination.parent / f".{destination.name}.{os.getpid()}.{os.urandom(6).hex()}"
    folder.mkdir()
    try:
        _write(folder, store, encoder, codes, tokens, vocab, idf, mean, projection, projected,
               progress)
        if table is not None:
            np.save(folder / "raw.npy", table.astype(np.float16))
        if destination.exists():
            old = destination.with_name(destination.name + ".old")
            os.replace(destination, old)
            os.replace(folder, destination)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(folder, destination)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return destination


def _word_table(vocab: list[str], encoder, reuse: Path | None, progress):
    """The model's vector for every word, taking those an earlier build has from it."""
    import numpy as np

    if not vocab:
        return None
    known: dict[str, int] = {}
    raw = None
    if reuse is not None and (reuse / "raw.npy").is_file():
        meta = json.loads((reuse / "meta.json").read_text(encoding="utf-8"))
        if meta.get("model") == encoder.model_id:
            words = json.loads((reuse / "words.json").read_text(encoding="utf-8"))["words"]
            known = {w: i for i, w in enumerate(words)}
            raw = np.load(reuse / "raw.npy", mmap_mode="r")
    missing = [w for w in vocab if w not in known]
    step = _stepper(progress, "words", len(missing))
    fresh = encoder.encode_words(missing, progress=step) if missing else None
    table = np.empty((len(vocab), encoder.dim), np.float32)
    at = {w: i for i, w in enumerate(missing)}
    for row, word in enumerate(vocab):
        table[row] = fresh[at[word]] if word in at else raw[known[word]]
    return table


def _stepper(progress: Progress | None, stage: str, total: int):
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(stage, done, total)

    if progress:
        progress(stage, 0, total)
    return step


def _project(table):
    """Centre the word vectors and keep their first ``DIM`` principal components."""
    import numpy as np

    if table is None:
        return np.zeros(0, np.float32), np.zeros((0, DIM), np.float32), None
    mean = table.mean(0)
    centred = table - mean
    sample = centred[:: max(1, len(centred) // 50_000)]
    _, _, vt = np.linalg.svd(sample, full_matrices=False)
    projection = np.zeros((table.shape[1], DIM), np.float32)  # fewer words than DIM: pad
    kept = vt[:DIM]
    projection[:, :len(kept)] = kept.T
    return mean.astype(np.float32), projection, (centred @ projection).astype(np.float32)


def _write(folder, store, encoder, codes, tokens, vocab, idf, mean, projection, projected,
           progress) -> None:
    import numpy as np

    code_list = sorted(set(codes))
    number = {c: i for i, c in enumerate(code_list)}
    np.save(folder / "rows.npy", np.array([number[c] for c in codes], np.int32))
    np.save(folder / "projection.npy", np.vstack([mean[None, :], projection.T]))
    np.save(folder / "words.npy", projected if projected is not None
            else np.zeros((0, DIM), np.float32))
    index = {w: i for i, w in enumerate(vocab)}
    weights = np.array(idf, np.float32)
    out = np.lib.format.open_memmap(folder / "vectors.npy", mode="w+", dtype=np.float16,
                                    shape=(len(codes), DIM))
    step = _stepper(progress, "descriptions", len(codes))
    for start in range(0, len(codes), CHUNK):
        part = tokens[start:start + CHUNK]
        out[start:start + len(part)] = _mean_vectors(part, index, weights, projected)
        step(len(part))
    out.flush()
    del out
    (folder / "codes.json").write_text(json.dumps(code_list), encoding="utf-8")
    (folder / "words.json").write_text(json.dumps({"words": vocab, "idf": idf}),
                                       encoding="utf-8")
    meta = {"format": FORMAT, "model": encoder.model_id, "dim": DIM,
            "descriptions": len(codes), "codes": len(code_list), "words": len(vocab),
            "store": _fingerprint(store)}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _mean_vectors(token_lists, index, weights, table):
    """IDF-weighted means of word vectors, normalised (rows without words stay zero)."""
    import numpy as np

    out = np.zeros((len(token_lists), DIM), np.float32)
    if table is None or not len(table):
        return out
    ids = [index[w] for ws in token_lists for w in ws if w in index]
    counts = np.fromiter((sum(w in index for w in ws) for ws in token_lists), np.int64,
                         len(token_lists))
    if not ids:
        return out
    ids_a = np.array(ids, np.int64)
    weighted = table[ids_a] * weights[ids_a, None]
    filled = counts > 0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[filled]
    out[filled] = np.add.reduceat(weighted, starts, axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


def _recorded(store: Path) -> int:
    """The descriptions the store's import recorded (active or not; 0 when unknown)."""
    from codelists.terminology.store import read_metadata

    try:
        return int(read_metadata(store).extra.get("descriptions", 0))
    except (TypeError, ValueError):
        return 0


def _descriptions(terminology, encoder, progress, total: int
                  ) -> tuple[list[str], list[list[str]]]:
    """The code and the words of every active description, read with progress against
    the recorded count (an upper bound: inactive ones are skipped), then marked done."""
    stage = "reading descriptions"
    if progress:
        progress(stage, 0, total)
    codes, tokens = [], []
    for code, text, _kind, _active in terminology.iter_descriptions():
        codes.append(code)
        tokens.append(encoder.words(text))
        if progress and len(codes) % CHUNK == 0:
            progress(stage, len(codes), max(total, len(codes)))
    if progress:
        progress(stage, len(codes), len(codes))
    return codes, tokens


@dataclass
class StoreVectors:
    """A store's vectors, loaded (the description vectors memory-mapped)."""

    folder: Path
    meta: dict[str, Any]
    codes: list[str]
    rows: Any  # int32 code number per description
    vectors: Any  # float16 (descriptions, DIM)
    vocab: dict[str, int]
    idf: Any
    words: Any  # float32 (words, DIM)
    mean: Any
    projection: Any

    def embed(self, token_lists: list[list[str]], encoder=None):
        """Vectors for texts given as word lists; words the store lacks need ``encoder``."""
        import numpy as np

        vocab, idf, table = dict(self.vocab), self.idf, self.words
        unseen = sorted({w for ws in token_lists for w in ws} - vocab.keys())
        if unseen and encoder is not None:
            extra = (encoder.encode_words(unseen) - self.mean) @ self.projection
            table = np.vstack([table, extra.astype(np.float32)])
            idf = np.concatenate([idf, np.full(len(unseen), float(idf.max(initial=1.0)),
                                               np.float32)])
            vocab.update({w: len(self.vocab) + i for i, w in enumerate(unseen)})
        return _mean_vectors(token_lists, vocab, idf, table)


def load_vectors(folder: str | Path, *, store: str | Path | None = None) -> StoreVectors:
    """Open a vectors folder; with ``store``, refuse vectors built from another release."""
    import numpy as np

    folder = Path(folder)
    if not (folder / "meta.json").is_file():
        hint = (f"build them: codelist terminology vectors --db {store}" if store
                else "build them with `codelist terminology vectors`")
        raise UserError(f"no meaning vectors at {folder}", hint=hint)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise UserError(f"{folder} holds vectors in an older format", hint="rebuild them")
    if store is not None and meta.get("store") != _fingerprint(Path(store)):
        raise UserError(f"the vectors at {folder} were built from another release of "
                        f"{Path(store).name}", hint="rebuild them for this store")
    words = json.loads((folder / "words.json").read_text(encoding="utf-8"))
    stacked = np.load(folder / "projection.npy")
    return StoreVectors(
        folder, meta, json.loads((folder / "codes.json").read_text(encoding="utf-8")),
        np.load(folder / "rows.npy"), np.load(folder / "vectors.npy", mmap_mode="r"),
        {w: i for i, w in enumerate(words["words"])}, np.array(words["idf"], np.float32),
        np.load(folder / "words.npy"), stacked[0], stacked[1:].T)
