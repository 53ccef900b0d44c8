"""How long theme coding and sentiment take for 10,000 comments (target: under 10 s, word embeddings included).

Run with `python -m benchmarks.feedback_coding`. Reports processor time as well as
wall time, since a shared machine's wall time says more about its other work, and
the load average. The embeddings are loaded once per process (about 0.2 s of it
when first used); the app then keeps each extract's coded comments per extract version.
"""

from __future__ import annotations

import os
import random
import time

import pandas as pd

from scrutiny import meaning
from scrutiny.topics.feedback import codebook as fb_codebook
from scrutiny.topics.feedback import coding as fb_coding
from tests.test_feedback_sentiment import HAND_CODED_SENTIMENT, HELD_OUT_SENTIMENT


def main() -> None:
    rng = random.Random(6)
    texts = [t for t, _ in HAND_CODED_SENTIMENT + HELD_OUT_SENTIMENT]
    comments = [" ".join(rng.sample(texts, rng.choice([1, 2, 2, 3]))) + f" (response {i})" for i in range(10_000)]
    frame = pd.DataFrame({"response_id": range(10_000), "comment": comments, "themes": None, "sentiment": None})
    book, _ = fb_codebook.codebook_for(None)
    cpu, wall = time.process_time(), time.perf_counter()
    embedder, note = meaning.embedder()
    coded = fb_coding.code_comments(frame, book)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    how = "phrases and embeddings" if embedder is not None else f"phrases only ({note})"
    print(f"Coded {len(coded):,} comments ({how}) in {wall:.2f} s wall, {cpu:.2f} s of processor time "
          f"(target 10 s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
