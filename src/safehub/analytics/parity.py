"""Run every metric on DuckDB and on Spark over one snapshot and compare the rows exactly.

Run as a separate process (`python -m safehub.analytics.parity SNAPSHOT_DIR`): a JVM started
inside the test process outlives the test and leaks state into later ones, and Spark's own
warnings stay out of the test run. Prints one JSON object: metric name -> "identical" or a
description of the first difference; exits 1 if any metric differs.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    from safehub.analytics import snapshot

VALUES = {"d": dt.date(2016, 10, 27), "start": dt.date(2014, 4, 1), "end": dt.date(2017, 4, 1)}


def compare(manifest: snapshot.Manifest) -> dict[str, str]:
    from safehub.analytics import engines, metrics  # noqa: PLC0415 - after django.setup()

    duck = engines.DuckDBEngine(manifest)
    spark_session = engines.spark_session()
    spark_session.sparkContext.setLogLevel("ERROR")
    spark = engines.SparkEngine(manifest, spark_session)
    dates = metrics.month_ends(VALUES["d"], 12)
    verdicts: dict[str, str] = {}
    try:
        for metric in metrics.all_metrics().values():
            given = {k: v for k, v in VALUES.items() if k in metric.parameters}
            on_duck = duck.run(metric, dates=dates, **given)
            on_spark = spark.run(metric, dates=dates, **given)
            if on_duck.columns != on_spark.columns:
                verdicts[metric.name] = f"columns differ: {on_duck.columns} vs {on_spark.columns}"
                continue
            a, b = sorted(on_duck.rows, key=repr), sorted(on_spark.rows, key=repr)
            if a == b:
                verdicts[metric.name] = "identical"
            else:
                only_duck = [r for r in a if r not in b][:3]
                only_spark = [r for r in b if r not in a][:3]
                verdicts[metric.name] = f"rows differ: duckdb {only_duck!r}, spark {only_spark!r}"
    finally:
        duck.close()
        spark.close()
        spark_session.stop()
    return verdicts


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # The snapshot module imports Django models (no database is touched), so the caller gives
    # DJANGO_SETTINGS_MODULE, as it does for every `safehub` command.
    django.setup()
    from safehub.analytics import snapshot  # noqa: PLC0415

    verdicts = compare(snapshot.open_path(Path(args[0])))
    print(json.dumps(verdicts, indent=2, sort_keys=True))  # noqa: T201 - the output is the result
    return 0 if all(v == "identical" for v in verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
