"""The documented example mappings (mappings/ons_mid_year_lsoa.yaml, mappings/dfe_eyfsp_la.yaml)
read files laid out as the ONS and the DfE publish them.

The files here are small and made up, in the published layout (the ONS workbook's four title
lines, its single-year columns; the DfE's codes c, x, z and its 202223 years). Each example's
sections are put into the tiny export's mapping, as a council would copy them into its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from sample_data.export import export
from scrutiny.build_extract import build
from scrutiny.extract import REPO_ROOT
from scrutiny.mapping import load_mapping, parse_mapping
from tests import tiny_extract
from tests.test_build_extract import table_rows

import yaml

MAPPINGS = REPO_ROOT / "mappings"


@pytest.fixture
def exports(tmp_path) -> Path:
    out = tmp_path / "exports"
    export(tiny_extract.write_extract(tmp_path / "tiny"), out)
    return out


def combined(*examples: str):
    """The Wealdshire mapping with the example's tables in place of its own, authority renamed to Testshire."""
    raw = yaml.safe_load((MAPPINGS / "wealdshire.yaml").read_text(encoding="utf-8"))
    raw.pop("pseudonymise")
    for example in examples:
        text = (MAPPINGS / example).read_text(encoding="utf-8").replace("Wealdshire", "Testshire")
        raw["tables"].update(yaml.safe_load(text)["tables"])
    return parse_mapping(raw)


def test_every_shipped_mapping_is_a_valid_mapping():
    for path in sorted(MAPPINGS.glob("*.yaml")):
        assert load_mapping(path).tables, path.name


def test_ons_mid_year_estimates_become_the_population_of_all_under_fives(exports, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Mid-2020 Persons"
    for line in ("Lower Layer Super Output Area population estimates", "Mid-2020: SAPE23DT2", "", ""):
        sheet.append([line])
    ages = [str(a) for a in range(90)] + ["90+"]
    sheet.append(["LSOA Code", "LSOA Name", "LA Code (2018 boundaries)", "LA name (2018 boundaries)",
                  "LA Code (2021 boundaries)", "LA name (2021 boundaries)", "All Ages", *ages])
    # Ages 0 to 4 of A1 are 1, 2, 3, 4, 5: 15 under-fives. Z9 is in another authority and is left out.
    for code, la, young in (("A1", "Testshire", [1, 2, 3, 4, 5]), ("A2", "Testshire", [0, 0, 7, 0, 1]),
                            ("Z9", "Elsewhere", [9, 9, 9, 9, 9])):
        sheet.append([code, f"{code} name", "E1", la, "E1", la, 500, *young, *([10] * 86)])
    book.save(exports / "sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx")
    (exports / "Population.csv").unlink()
    result = build(exports, tmp_path / "extract", combined("ons_mid_year_lsoa.yaml"))
    assert result.written, [p.message for p in result.errors]
    assert table_rows(tmp_path / "extract", "population") == [("A1", 2020, "all", 15), ("A2", 2020, "all", 8)]


def test_the_dfe_eyfsp_table_becomes_outcomes_and_england_benchmarks(exports, tmp_path):
    header = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
              "old_la_code,new_la_code,la_name,gender,characteristic_type,characteristic,children_number,gld_number,"
              "gld_percentage")
    lines = [header]
    for year in ("202223", "202324"):
        lines += [
            f"{year},Academic year,National,E92000001,England,,,,,,Total,Total,Total,600000,405000,67.5",
            f"{year},Academic year,National,E92000001,England,,,,,,Total,FSM status,FSM eligible,120000,62000,51.7",
            f"{year},Academic year,Local authority,E92000001,England,E12000006,East,999,E10000099,Testshire,Total,Total,Total,40,28,70.0",
            f"{year},Academic year,Local authority,E92000001,England,E12000006,East,999,E10000099,Testshire,Total,FSM status,FSM eligible,10,5,50.0",
            f"{year},Academic year,Local authority,E92000001,England,E12000006,East,999,E10000099,Testshire,Total,FSM status,All other,30,23,76.7",
            f"{year},Academic year,Local authority,E92000001,England,E12000006,East,999,E10000099,Testshire,Boys,Total,Total,20,12,60.0",
            f"{year},Academic year,Local authority,E92000001,England,E12000006,East,998,E10000098,Otherby,Total,Total,Total,c,c,c",
        ]
    (exports / "eyfsp_la_2023_24.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in ("Outcomes.csv", "Benchmarks.csv"):
        (exports / name).unlink()
    result = build(exports, tmp_path / "extract", combined("dfe_eyfsp_la.yaml"))
    assert result.written, [p.message for p in result.errors]
    assert table_rows(tmp_path / "extract", "outcomes") == sorted([
        ("gld", "authority", "Testshire", year, group_type, group, numerator, denominator)
        for year in (2022, 2023)
        for group_type, group, numerator, denominator in (
            ("all", "all", 28, 40), ("fsm_status", "fsm", 5, 10), ("fsm_status", "non_fsm", 23, 30))
    ], key=repr)
    assert table_rows(tmp_path / "extract", "benchmarks") == sorted([
        ("gld", "England", year, group_type, group, value, None, None, "DfE, Early years foundation stage profile results")
        for year in (2022, 2023) for group_type, group, value in (("all", "all", 67.5), ("fsm_status", "fsm", 51.7))
    ], key=repr)
