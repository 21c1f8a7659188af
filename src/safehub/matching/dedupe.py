"""Likely duplicates among the children already held, with their explanations."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from safehub.matching import explain, index, model
from safehub.matching.explain import PairPrediction


def predict_pairs(
    *, threshold: float = 0.5, progress: Callable[[int, int], None] | None = None
) -> Iterator[PairPrediction]:
    """Likely duplicate pairs among the children in the database (unscoped: callers scope).

    `progress(done, total)` is told how many children have been read, then how many pairs
    have been handed on.
    """
    rows = []
    for row in index.records():
        rows.append(row)
        if progress and len(rows) % 10_000 == 0:
            progress(len(rows), 0)
    if len(rows) < 2:  # noqa: PLR2004 - a pair needs two
        return
    saved = model.load()
    table = model.frame(rows)
    table["unique_id"] = table["unique_id"].astype("int64")
    pairs = model.predict(model.linker_for(table, saved.settings), threshold=threshold)
    parameters = explain.Parameters.from_model(saved.settings)
    by_id = {int(row["unique_id"]): row for row in rows}  # type: ignore[call-overload]
    total = len(pairs)
    for done, (left, right, probability) in enumerate(
        zip(pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True),
        start=1,
    ):
        a, b = sorted((int(left), int(right)))
        # The probability is Splink's (with term frequencies); the reasons, field by field,
        # are the same arithmetic intake shows.
        _, evidence = explain.score(by_id[a], by_id[b], parameters)
        yield PairPrediction(a, b, float(probability), evidence)
        if progress and (done % 1000 == 0 or done == total):
            progress(done, total)
