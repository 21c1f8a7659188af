"""The benchmark's arithmetic against truth known pair by pair, and the bulk generator."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from safehub.matching import benchmark, model, synthetic_bulk


def _names(count: int) -> list[tuple[str, str]]:
    """A given and a family name for each child: random letters, so no two are alike."""
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    drawn = np.random.default_rng(0).choice(letters, (count, 2, 8))
    return [("".join(given), "".join(family)) for given, family in drawn]


def _child(number: int, names: tuple[str, str]) -> dict[str, str]:
    """A child whose details share nothing (not a date, postcode or identifier) with another."""
    born = np.datetime64("1990-01-01") + np.timedelta64(number * 13, "D")
    return {
        "given_name": names[0],
        "family_name": names[1],
        "date_of_birth": str(born),
        "sex": "F" if number % 2 else "M",
        "postcode": f"ZX{1 + number // 100} {number % 10}{'ABDEFGHJLN'[number // 10 % 10]}A",
        "nhs_number": "",
        "upn": "",
    }


@pytest.fixture
def known(tmp_path: Path) -> Path:
    """2,004 records whose matching pairs are known exactly.

    800 children recorded twice, identically (800 true pairs the model must find); 400
    recorded once; two identical records labelled as two children (a false match the model
    must make); two records of one child sharing nothing (a true pair it must miss).
    """
    names = _names(1203)
    rows: list[dict[str, str]] = []

    def add(cluster: str, child: dict[str, str]) -> None:
        rows.append({"record_id": str(len(rows)), "cluster_id": cluster, **child})

    for number in range(800):
        add(f"twice-{number}", _child(number, names[number]))
        add(f"twice-{number}", _child(number, names[number]))
    for number in range(800, 1200):
        add(f"once-{number}", _child(number, names[number]))
    add("look-alike-a", _child(1200, names[1200]))
    add("look-alike-b", _child(1200, names[1200]))
    add("changed", _child(1201, names[1201]))
    add("changed", _child(1202, names[1202]))
    path = tmp_path / "known.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_benchmark_command_scores_known_pairs_exactly(known: Path) -> None:
    saved = resources.files("safehub.matching").joinpath("data", "default-model.json")
    out = io.StringIO()
    call_command("match", "benchmark", "--dataset", str(known), "--model", str(saved), stdout=out)
    text = out.getvalue()
    assert "2,004 records, 801 true pairs (dedupe)" in text
    expected = f"precision {800 / 801:.4f}  recall {800 / 801:.4f}  F1 {800 / 801:.4f}  pairs 801"
    assert f"pairs:    {expected}" in text
    assert f"clusters: {expected}" in text
    wall = re.search(r"dedupe wall ([\d.]+) s \(CPU ([\d.]+) s\), peak memory ([\d,]+) MiB", text)
    assert wall
    assert float(wall[1]) > 0
    assert int(wall[3].replace(",", "")) > 0
    assert "phases: training" in text
    assert "clustering" in text


def _dataset(truth: list[int], sides: list[int]) -> benchmark.Dataset:
    tables = [
        model.standardised_frame(
            pd.DataFrame({"record_id": [i for i, s in enumerate(sides) if s == side]})
        )
        for side in sorted(set(sides))
    ]
    return benchmark.numbered(tables, truth, name="hand")


def test_pairs_and_clusters_are_scored_against_the_truth() -> None:
    # Records 0-2 are one child, 3-4 another, 5 alone: 3 + 1 true pairs.
    data = _dataset([7, 7, 7, 9, 9, 4], [0] * 6)
    assert data.true_pairs() == 4
    left, right = np.array([0, 1, 4]), np.array([1, 2, 5])
    pairs = benchmark.score_pairs(data, left, right, data.true_pairs())
    assert (pairs.pairs, pairs.true_positives) == (3, 2)
    labels = benchmark.clusters(data.records, left, right)
    grouped = benchmark.score_clusters(data, labels, data.true_pairs())
    # Groups {0, 1, 2} (3 pairs, all true) and {4, 5} (1 pair, false); 3-4 missed.
    assert (grouped.pairs, grouped.true_positives) == (4, 3)
    assert grouped.precision == pytest.approx(0.75)
    assert grouped.recall == pytest.approx(0.75)


def test_linking_counts_only_pairs_across_the_two_tables() -> None:
    # Left: 0, 1; right: 2, 3, 4. One child is 0, 1 and 2 (two links); 3 and 4 are another
    # child, both on the right, so no link.
    data = _dataset([5, 5, 5, 6, 6], [0, 0, 1, 1, 1])
    assert data.link
    assert data.true_pairs() == 2
    labels = benchmark.clusters(data.records, np.array([0, 1]), np.array([2, 3]))
    grouped = benchmark.score_clusters(data, labels, 2)
    assert (grouped.pairs, grouped.true_positives) == (2, 1)


def test_the_bulk_generator_makes_child_like_records_with_known_truth() -> None:
    raw = synthetic_bulk.frame(20_000)
    assert list(raw.columns) == list(synthetic_bulk.RAW_COLUMNS)
    assert 0.35 < 1 - raw["cluster_id"].nunique() / len(raw) < 0.45
    assert (raw["nhs_number"] != "").mean() < 0.5
    assert raw["postcode"][raw["postcode"] != ""].str.startswith("ZX").all()
    table = model.standardised_frame(raw)
    # Every identifier the generator makes passes its check.
    assert table["nhs_number"].notna().sum() == (raw["nhs_number"] != "").sum()
    assert table["upn"].notna().sum() == (raw["upn"] != "").sum()
    # The same seed makes the same records.
    pd.testing.assert_frame_equal(synthetic_bulk.frame(500), synthetic_bulk.frame(500))


def test_standardising_a_table_at_once_is_standardising_each_record() -> None:
    raw = synthetic_bulk.frame(3000, seed=3)
    rows = raw.astype({"record_id": str}).replace("", None).to_dict("records")
    one_by_one = model.frame(model.standardised(r) for r in rows)
    pd.testing.assert_frame_equal(model.standardised_frame(raw), one_by_one)
