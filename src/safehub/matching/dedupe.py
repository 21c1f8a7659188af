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
    settings = {**saved.settings, "retain_intermediate_calculation_columns": True}
    table = model.frame(rows)
    table["unique_id"] = table["unique_id"].astype("int64")
    pairs = model.predict(model.linker_for(table, settings), threshold=threshold)
    parameters = explain.Parameters.from_model(saved.settings)
    total = len(pairs)
    for done, pair in enumerate(pairs.to_dict("records"), start=1):
        a, b = sorted((int(pair["unique_id_l"]), int(pair["unique_id_r"])))
        yield PairPrediction(
            a, b, float(pair["match_probability"]), explain.from_gammas(pair, parameters)
        )
        if progress and (done % 1000 == 0 or done == total):
            progress(done, total)
