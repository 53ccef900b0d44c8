"""Reach by centre in plain pandas: what a council analyst would otherwise write.

The same definition as queries/reach_by_centre.sql (no sidebar filters): for a
financial year, per centre reach area and target group, the population, the
registered, reached and sustained children and those missed. Reach is
attributed by where a child lives. It reads only the columns it needs, as a
careful analyst would, and is the baseline the DuckDB query is timed against.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MOST_DEPRIVED_MAX_DECILE = 3
COLUMNS = ["centre_id", "target_group", "population", "registered", "reached", "sustained", "missed", "attendances"]


def _read(folder: Path, table: str, columns: list[str]) -> pd.DataFrame:
    single = folder / f"{table}.parquet"
    return pd.read_parquet(single if single.is_file() else folder / table, columns=columns)


def reach_by_centre(folder: Path, year: int, sustained_min: int = 3) -> pd.DataFrame:
    starts, ends = pd.Timestamp(year, 4, 1), pd.Timestamp(year + 1, 3, 31)

    centres = _read(folder, "centres", ["centre_id"])
    areas = _read(folder, "areas", ["area_code", "centre_id", "imd_decile", "idaci_decile"])
    areas = areas[areas.centre_id.isin(centres.centre_id)].copy()
    areas["most_deprived"] = areas.idaci_decile.fillna(areas.imd_decile) <= MOST_DEPRIVED_MAX_DECILE

    population = _read(folder, "population", ["area_code", "year", "target_group", "children"])
    population = population[population.year == year].merge(areas, on="area_code")
    by_group = population.groupby(["centre_id", "target_group"], as_index=False)["children"].sum()
    deprived = population[(population.target_group == "all") & population.most_deprived]
    deprived = deprived.groupby("centre_id", as_index=False)["children"].sum().assign(target_group="most_deprived_30")
    population = pd.concat([by_group, deprived], ignore_index=True).rename(columns={"children": "population"})

    children = _read(folder, "children", ["child_id", "area_code", "registered_on", "birth_month", "target_groups"])
    children = children.merge(areas[["area_code", "centre_id", "most_deprived"]], on="area_code")
    born = pd.to_datetime(children.birth_month)
    children = children[(born <= ends) & (born + pd.DateOffset(years=5) > starts)]

    visits = _read(folder, "attendances", ["child_id", "attended_on"])
    when = pd.to_datetime(visits.attended_on)
    visits = visits[(when >= starts) & (when <= ends)]
    counts = visits.groupby("child_id").size().rename("attendances")
    children = children.join(counts, on="child_id")
    children["attendances"] = children.attendances.fillna(0).astype(int)

    def groups(row_groups, deprived_flag):
        listed = list(row_groups) if row_groups is not None else []
        return list(dict.fromkeys(["all", *listed, *(["most_deprived_30"] if deprived_flag else [])]))

    children["target_group"] = [groups(g, d) for g, d in zip(children.target_groups, children.most_deprived)]
    long = children.explode("target_group")
    long["registered"] = pd.to_datetime(long.registered_on) <= ends
    long["reached"] = long.attendances >= 1
    long["sustained"] = long.attendances >= sustained_min
    counted = long.groupby(["centre_id", "target_group"], as_index=False).agg(
        registered=("registered", "sum"), reached=("reached", "sum"),
        sustained=("sustained", "sum"), attendances=("attendances", "sum"),
    )

    out = population.merge(counted, on=["centre_id", "target_group"], how="outer")
    out = out[out.centre_id.isin(centres.centre_id)]
    for column in ("population", "registered", "reached", "sustained", "attendances"):
        out[column] = out[column].fillna(0).astype(np.int64)
    out["missed"] = (out.population - out.reached).clip(lower=0)
    return out[COLUMNS].sort_values(["centre_id", "target_group"]).reset_index(drop=True)


def same_numbers(duckdb_rows: pd.DataFrame, pandas_rows: pd.DataFrame) -> None:
    """Raises AssertionError unless both give the same figures for every centre and group."""
    left = duckdb_rows[COLUMNS].sort_values(["centre_id", "target_group"]).reset_index(drop=True)
    right = pandas_rows[COLUMNS].sort_values(["centre_id", "target_group"]).reset_index(drop=True)
    for column in COLUMNS[2:]:
        left[column] = left[column].astype(np.int64)
        right[column] = right[column].astype(np.int64)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
