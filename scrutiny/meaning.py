"""Meaning, not only words: how close a clause is to a theme's example sentences.

Each codebook theme may list `examples:`, a handful of sentences in everyday words
("the bus stopped running"). A comment's clauses are compared with them using word
embeddings: each text becomes the mean of its words' vectors, and closeness is the
cosine similarity of two such means (1 = the same words, 0 = nothing in common).

The vectors are WordLlama's (wordllama 0.4.0.post1, model l2_supercat, 256
dimensions): about 30 MB that ship inside the PyPI wheel, so nothing is downloaded.
Its default loader looks for them in a cache folder in the user's home and would
download them, so they are loaded from the installed package's own folder with
downloads disabled. Loading takes about half a second and is done once per process.

Small words ("the", "was", "my" ...) are dropped before a text is embedded: they are
in every sentence and pull every similarity towards the same middling value.

If the package is missing or its files cannot be read, `embedder()` returns None
and a sentence saying so; theme coding then uses the codebook's phrases alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL = "l2_supercat"
DIMENSIONS = 256

_WORD = re.compile(r"[a-z][a-z']*")
SMALL_WORDS = frozenset("""
a an the and or so to of in on at for with from by as is are was were be been being it its it's this that
these those i me my we us our you your he she they them their his her him there here have has had do does did
just very really than then too also all any some can could would should will may might must am i'm i've we've
they're what which who when where how if because while about into over up down out more most much many such only
own same other get got one
""".split())


def content_words(text: str) -> str:
    """The text without its small words (the text itself when nothing else is left)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in SMALL_WORDS]
    return " ".join(words) if words else text.lower()


@dataclass
class Embedder:
    model: object

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length row per text (zero rows for none)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = np.asarray(self.model.embed([content_words(t) for t in texts], norm=True), dtype=np.float32)
        return np.nan_to_num(vectors)


def _load() -> Embedder:
    import wordllama
    from wordllama import WordLlama

    folder = Path(wordllama.__file__).resolve().parent
    model = WordLlama.load(config=MODEL, cache_dir=folder, disable_download=True, dim=DIMENSIONS)
    embedder = Embedder(model)
    if embedder.embed(["a family centre"]).shape != (1, DIMENSIONS):
        raise ValueError("the embeddings have an unexpected shape")
    return embedder


@cache
def embedder() -> tuple[Embedder | None, str | None]:
    """The embedder, or None and a sentence for About the data when it cannot be loaded."""
    try:
        return _load(), None
    except Exception as error:  # a missing package, a corrupt file, an old version: all mean phrases only
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        return None, ("Comments are coded into themes by the codebook's phrases only: the word embeddings that "
                      "compare each comment with the themes' example sentences (the wordllama package) could not "
                      f"be loaded ({reason}).")
