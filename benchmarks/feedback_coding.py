"""How long theme coding and sentiment take for 10,000 comments (target: under 5 s).

Run with `python -m benchmarks.feedback_coding`. Reports processor time as well as
wall time, since a shared machine's wall time says more about its other work.
"""

from __future__ import annotations

import random
import time

import pandas as pd

from scrutiny import feedback
from tests.test_feedback_sentiment import HAND_CODED_SENTIMENT, HELD_OUT_SENTIMENT


def main() -> None:
    rng = random.Random(6)
    texts = [t for t, _ in HAND_CODED_SENTIMENT + HELD_OUT_SENTIMENT]
    comments = [" ".join(rng.sample(texts, rng.choice([1, 2, 2, 3]))) + f" (response {i})" for i in range(10_000)]
    frame = pd.DataFrame({"response_id": range(10_000), "comment": comments, "themes": None, "sentiment": None})
    book, _ = feedback.codebook_for(None)
    cpu, wall = time.process_time(), time.perf_counter()
    coded = feedback.code_comments(frame, book)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"Coded {len(coded):,} comments in {wall:.2f} s wall, {cpu:.2f} s of processor time (target 5 s).")


if __name__ == "__main__":
    main()
