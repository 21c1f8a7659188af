"""Training the Splink model, saving it with a version, and loading the current one.

The model is Splink's own JSON (settings with the trained m and u values), written under
`SAFEHUB_VAR_DIR/matching/model-vN.json`; `current.json` names the version in use. Until a
model is trained on the hub's own children, the one shipped in the package (trained on
synthetic records, `safehub match train --synthetic`) is used.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from safehub.matching import comparisons, standardise

# numpy, pandas, pyarrow and Splink load when a model is trained or used, not with every command.
if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from splink import Linker

Engine = Literal["duckdb", "spark"]
# Strict rules that admit almost no false matches, for the prior (how likely two random
# records are one child), with the share of true matches they are thought to find.
DETERMINISTIC_RULES = ("nhs_number",), ("upn",), ("given_name", "family_name", "dob")
DETERMINISTIC_RECALL = 0.7


def frame(rows: Iterable[Mapping[str, Any]], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Records ({"unique_id", given_name, …} as in `standardise.record`) as Splink's input."""
    import pandas as pd  # noqa: PLC0415

    columns = ["unique_id", *standardise.COLUMNS, *extra]
    return _typed(pd.DataFrame.from_records(list(rows), columns=columns))


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    table["dob_year"] = table["dob_year"].astype("Int64")
    # 1 or 0, not a boolean: compared alike by DuckDB and Spark SQL.
    table["dob_approx"] = table["dob_approx"].astype("boolean").astype("Int64")
    return table


def standardised(raw: Mapping[str, Any]) -> dict[str, object]:
    """A raw record (the benchmark CSV's columns) standardised, with its unique id."""
    return {
        "unique_id": str(raw["record_id"]),
        **standardise.record(
            given_name=raw.get("given_name"),
            family_name=raw.get("family_name"),
            date_of_birth=raw.get("date_of_birth") or None,
            sex_code=raw.get("sex"),
            postcode_text=raw.get("postcode"),
            school_name=raw.get("school"),
            nhs=raw.get("nhs_number"),
            upn_text=raw.get("upn"),
        ),
    }


def _postcode_columns(text: str | None) -> dict[str, object]:
    place = standardise.postcode(text)
    return {
        "postcode": place.full if place else None,
        "postcode_sector": place.sector if place else None,
        "postcode_district": place.district if place else None,
    }


def _through_record(argument: str) -> Any:
    return lambda value: standardise.record(
        **{"given_name": None, "family_name": None, argument: value}
    )


def _one(column: str, function: Any) -> Any:
    return lambda value: {column: function(value)}


# Each raw column and what `standardise.record` makes of it (the same functions).
_SOURCES = {
    "given_name": _through_record("given_name"),
    "family_name": _through_record("family_name"),
    "date_of_birth": _through_record("date_of_birth"),
    "sex": _one("sex", standardise.sex),
    "postcode": _postcode_columns,
    "school": _one("school", standardise.school),
    "nhs_number": _one("nhs_number", standardise.nhs_number),
    "upn": _one("upn", standardise.upn),
}
_MADE = {
    "given_name": ("given_name", "given_canon", "given_ph"),
    "family_name": ("family_name", "family_joined", "family_first", "family_last", "family_ph"),
    "date_of_birth": ("dob", "dob_swapped", "dob_year", "dob_approx"),
    "postcode": ("postcode", "postcode_sector", "postcode_district"),
}


def standardised_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """`standardised` for a whole table of raw records at once, as `frame` makes it.

    Each column's distinct values go through the same functions as one record's (names and
    dates repeat a great deal), so the result is `frame(standardised(r) for r in rows)`'s,
    many times faster at a million records.
    """
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    columns: dict[str, Any] = {"unique_id": raw["record_id"].astype(str).to_numpy(dtype=object)}
    for source, function in _SOURCES.items():
        values = raw[source] if source in raw else pd.Series([None] * len(raw), dtype=object)
        codes, uniques = pd.factorize(values.replace("", None), use_na_sentinel=True)
        # The last entry is a missing value's, which code -1 picks.
        done = [function(v) for v in uniques] + [function(None)]
        for name in _MADE.get(source, (source,)):
            columns[name] = np.array([d[name] for d in done], dtype=object)[codes]
    return _typed(pd.DataFrame(columns, columns=["unique_id", *standardise.COLUMNS]))


def db_api(engine: Engine = "duckdb", *, spark: Any = None, memory_limit: str | None = None) -> Any:
    if engine == "spark":
        from splink import SparkAPI  # noqa: PLC0415 - only with the spark extra installed

        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark or local_spark(), break_lineage_method="persist"
        )
    import duckdb  # noqa: PLC0415
    from splink import DuckDBAPI  # noqa: PLC0415

    # One thread per core; a memory limit (DuckDB spills to disk beyond it) when asked.
    config: dict[str, Any] = {"threads": os.cpu_count() or 1}
    if memory_limit:
        config["memory_limit"] = memory_limit
    return DuckDBAPI(connection=duckdb.connect(":memory:", config=config))


def local_spark() -> Any:
    """PySpark in local mode: the same model, for linkage bigger than one engine's memory."""
    from pyspark.sql import SparkSession  # noqa: PLC0415
    from splink.backends.spark import similarity_jar_location  # noqa: PLC0415

    return (
        SparkSession.builder.master("local[2]")
        # Splink's string-similarity functions (Jaro-Winkler and others), from its own jar.
        .config("spark.jars", similarity_jar_location())
        .appName("safehub-matching")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


Table: TypeAlias = "pd.DataFrame | pa.Table"


def train(  # noqa: PLR0913 - the data, the engine and the training's knobs
    tables: Table | list[Table],
    *,
    engine: Engine = "duckdb",
    max_pairs: float = 2e6,
    seed: int = 14,
    spark: Any = None,
    settings: Any = None,
    memory_limit: str | None = None,
) -> Linker:
    """Estimate the model from the records themselves (no labels needed).

    The prior from strict rules; u (how often non-matches agree by chance) by random
    sampling; m (how often one child's records agree) by expectation maximisation on two
    blocks, each capped at `max_pairs`, so neither blocked field estimates itself.
    """
    from splink import Linker, block_on  # noqa: PLC0415

    api = db_api(engine, spark=spark, memory_limit=memory_limit)
    frames = tables if isinstance(tables, list) else [tables]
    data = [api.register(_for_engine(t, engine, api)) for t in frames]
    linker = Linker(
        data if len(data) > 1 else data[0],
        settings or comparisons.settings(),
        log_level=logging.WARNING,
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*rule) for rule in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in (block_on("dob"), block_on("given_name", "family_name")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=max_pairs, estimate_without_term_frequencies=True
        )
    return linker


def _for_engine(table: Table, engine: Engine, api: Any) -> Any:
    if engine == "spark":
        import pyarrow as pa  # noqa: PLC0415

        table = table.to_pandas() if isinstance(table, pa.Table) else table
        from pyspark.sql import types  # noqa: PLC0415

        kinds = {"dob_year": types.LongType(), "dob_approx": types.LongType()}
        schema = types.StructType(
            [types.StructField(c, kinds.get(c, types.StringType())) for c in table.columns]
        )
        plain = table.astype(object).where(table.notna(), None)
        plain["unique_id"] = plain["unique_id"].astype(str)
        rows = [
            tuple(
                int(v) if c in kinds and v is not None else v
                for c, v in zip(table.columns, row, strict=True)
            )
            for row in plain.itertuples(index=False)
        ]
        return api.spark.createDataFrame(rows, schema=schema)
    return table


def linker_for(  # noqa: PLR0913 - the data, the model and where it runs
    tables: Table | list[Table],
    model: Mapping[str, Any],
    *,
    engine: Engine = "duckdb",
    spark: Any = None,
    memory_limit: str | None = None,
    blocking_from: Any = None,
) -> Linker:
    """A linker over `tables` with a trained model's parameters, ready to predict.

    The pairs it scores are today's blocking rules (those of `blocking_from`, by default
    `comparisons.settings()`), not the ones saved with the model: blocking decides which
    pairs are looked at, not how they score.
    """
    from splink import Linker  # noqa: PLC0415

    api = db_api(engine, spark=spark, memory_limit=memory_limit)
    frames = tables if isinstance(tables, list) else [tables]
    data = [api.register(_for_engine(t, engine, api)) for t in frames]
    settings = dict(model)
    creator = blocking_from or comparisons.settings(link_type=settings["link_type"])
    rules = creator.create_settings_dict("duckdb")["blocking_rules_to_generate_predictions"]
    settings["blocking_rules_to_generate_predictions"] = rules
    return Linker(data if len(data) > 1 else data[0], settings, log_level=logging.WARNING)


def predict(linker: Linker, *, threshold: float) -> pd.DataFrame:
    """Scored pairs at or above `threshold`, with each comparison's level (gamma) kept."""
    result = linker.inference.predict(threshold_match_probability=threshold)
    return result.as_pandas_dataframe()  # type: ignore[no-untyped-call]


# -- saving and loading ---------------------------------------------------------------------


@dataclass(frozen=True)
class SavedModel:
    version: str
    settings: dict[str, Any]


def model_dir() -> Path:
    from django.conf import settings  # noqa: PLC0415

    return Path(settings.VAR_DIR) / "matching"


def save(linker: Linker, *, records: int, directory: Path | None = None) -> SavedModel:
    directory = directory or model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    existing = sorted(int(p.stem.split("-v")[1]) for p in directory.glob("model-v*.json"))
    version = f"v{(existing[-1] + 1) if existing else 1}"
    model = linker.misc.save_model_to_json(overwrite=True)
    (directory / f"model-{version}.json").write_text(json.dumps(model, indent=1), "utf-8")
    meta = {
        "version": version,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "records": records,
    }
    (directory / "current.json").write_text(json.dumps(meta, indent=1), "utf-8")
    return SavedModel(version, model)


def load(directory: Path | None = None) -> SavedModel:
    """The current trained model, or the packaged one trained on synthetic records."""
    directory = directory or model_dir()
    current = directory / "current.json"
    if current.exists():
        version = json.loads(current.read_text("utf-8"))["version"]
        path = directory / f"model-{version}.json"
        return SavedModel(version, json.loads(path.read_text("utf-8")))
    text = resources.files("safehub.matching").joinpath("data", "default-model.json")
    return SavedModel("default", json.loads(text.read_text("utf-8")))
