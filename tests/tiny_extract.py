"""A tiny hand-made extract, small enough to work out every figure by hand.

Testshire has two open centres, one closed centre and a library, five areas and
ten children. The expected figures for 2023-24 (the financial year starting
April 2023, "year 2023") are worked out in the comments next to each child.

Period 2023-24 runs 2023-04-01 to 2024-03-31. A child counts when under five at
some point in it: birth_month + 5 years > 2023-04-01 and birth_month <= 2024-03-31.

    centre C1 (areas A1, A2)   all: population 10 + 5 = 15; children K1 K2 K3 K5 (K4 too old, K6 outside)
                               registered K1 K2 K5 = 3 (K3 registered after the year)
                               reached K1 K2 K3 = 3; sustained (3+ attendances) K1 = 1; missed 15 - 3 = 12
           teenage_parent:     population 4 + 0 = 4; K1 K2: registered 2, reached 2, sustained 1, missed 2
           most_deprived_30:   A1 only (idaci 1): population 10; K1 K2 K3: registered 2, reached 3, sustained 1, missed 7
           lone_parent:        no population rows (0); K2: registered 1, reached 1
    centre C2 (areas A3, A4)   all: population 6 + 3 = 9; K7 K8 K9: registered 3, reached K7 K8 = 2, sustained K7 = 1, missed 7
           most_deprived_30:   A4 only (no idaci, imd 3): population 3; K8 K9: registered 2, reached 1, missed 2
    centre C3 (area A5, closed 2022-03-31)  all: population 2; K10: registered 1, reached 0, missed 2
    library L1 has no reach area: K2's only attendance there counts for C1, where K2 lives.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scrutiny.contract import TABLES

ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "VARCHAR[]": pa.list_(pa.string()),
}

D = date.fromisoformat


def tables() -> dict[str, pd.DataFrame]:
    centres = pd.DataFrame(
        [
            ("C1", "Eastfield Children's Centre", "children_centre", "North", "Acme Trust", "Northdale", D("2010-01-01"), None, 52.1, -1.0),
            ("C2", "O'Brien & Sons Family Hub", "family_hub", "South", "Bee Agency", "Southvale", D("2012-01-01"), None, 52.2, -0.9),
            ("C3", "Old Mill Centre", "children_centre", "North", "Acme Trust", "Northdale", D("2008-01-01"), D("2022-03-31"), None, None),
            ("L1", "Central Library", "library", None, "Testshire Libraries", "Northdale", None, None, 52.15, -0.95),
        ],
        columns=TABLES["centres"].column_names,
    )
    areas = pd.DataFrame(
        [
            ("A1", "Eastfield North", "C1", "Northdale", 2, 1),
            ("A2", "Eastfield South", "C1", "Northdale", 8, 9),
            ("A3", "Brook", "C2", "Southvale", 5, None),
            ("A4", "Marsh", "C2", "Southvale", 3, None),
            ("A5", "Mill Lane", "C3", "Northdale", 1, 2),
        ],
        columns=TABLES["areas"].column_names,
    )
    population_rows = []
    for year in (2022, 2023):
        population_rows += [
            ("A1", year, "all", 10), ("A1", year, "teenage_parent", 4),
            ("A2", year, "all", 5), ("A2", year, "teenage_parent", 0),
            ("A3", year, "all", 6), ("A4", year, "all", 3), ("A5", year, "all", 2),
        ]
    population = pd.DataFrame(population_rows, columns=TABLES["population"].column_names)
    children = pd.DataFrame(
        [
            # child, family, area, registered at, registered on, birth month, groups
            ("K1", "F1", "A1", "C1", D("2021-03-01"), D("2021-01-01"), ["teenage_parent"]),       # 3 visits: reached, sustained
            ("K2", "F1", "A1", "C1", D("2022-07-01"), D("2022-06-01"), ["teenage_parent", "lone_parent"]),  # 1 visit, at the library
            ("K3", "F2", "A1", "C1", D("2024-05-01"), D("2023-09-01"), []),                      # 2 visits, registered after the year
            ("K4", "F3", "A2", "C1", D("2018-04-01"), D("2018-03-01"), []),                      # turned five in March 2023: not counted
            ("K5", None, "A2", "C1", D("2019-01-01"), D("2018-05-01"), []),                      # under five until May 2023; no visits
            ("K6", "F4", None, "C1", D("2022-01-01"), D("2021-05-01"), []),                      # lives outside the authority
            ("K7", "F5", "A3", "C2", D("2020-02-01"), D("2020-01-01"), ["minority_ethnic"]),      # 5 visits
            ("K8", "F6", "A4", "C2", D("2021-08-01"), D("2021-07-01"), []),                      # 1 visit on the year's last day
            ("K9", "F6", "A4", "C2", D("2021-08-01"), D("2021-07-01"), []),                      # 1 visit on the next year's first day
            ("K10", "F7", "A5", "C3", D("2019-07-01"), D("2019-06-01"), ["child_in_need"]),        # visited only in 2021-22
        ],
        columns=TABLES["children"].column_names,
    )
    visits = (
        [("K1", "C1", D("2023-05-01"), "Stay and play", "universal"),
         ("K1", "C1", D("2023-06-01"), "Parenting programme", "targeted"),
         ("K1", "C1", D("2023-07-01"), "Parenting programme", "targeted"),
         ("K2", "L1", D("2023-10-10"), "Rhymetime", "universal"),
         ("K3", "C1", D("2023-12-01"), "Baby massage", "universal"),
         ("K3", "C1", D("2023-12-08"), "Baby massage", "universal"),
         ("K4", "C1", D("2023-05-05"), "Stay and play", "universal")]
        + [("K6", "C1", D(f"2023-06-0{d}"), "Stay and play", "universal") for d in range(1, 5)]
        + [("K7", "C2", D(f"2023-0{m}-15"), "One-to-one family support", "specialist") for m in range(4, 9)]
        + [("K8", "C2", D("2024-03-31"), "Stay and play", "universal"),
           ("K9", "C2", D("2024-04-01"), "Stay and play", "universal"),
           ("K10", "C3", D("2021-06-01"), "Stay and play", "universal")]
    )
    attendances = pd.DataFrame(visits, columns=TABLES["attendances"].column_names)
    footfall = pd.DataFrame(
        [
            ("C1", D("2023-04-01"), 120, 6, 20),
            ("C1", D("2023-05-01"), 80, 4, 18),
            ("C2", D("2023-04-01"), 45, 2, 10),
            ("L1", D("2023-04-01"), 300, None, 12),
        ],
        columns=TABLES["footfall"].column_names,
    )
    outcome_rows = []
    # Good level of development, by free school meals: authority, district and centre rows.
    gld = {
        2018: ((30, 60), (280, 400)),
        2021: ((36, 80), (288, 400)),
        2022: ((40, 80), (300, 400)),
        2023: ((45, 80), (290, 400)),
    }
    for year, ((fx, fn), (rx, rn)) in gld.items():
        outcome_rows += [
            ("gld", "authority", "Testshire", year, "fsm_status", "fsm", fx, fn),
            ("gld", "authority", "Testshire", year, "fsm_status", "non_fsm", rx, rn),
            ("gld", "authority", "Testshire", year, "all", "all", fx + rx, fn + rn),
        ]
    outcome_rows += [
        ("gld", "district", "Northdale", 2023, "fsm_status", "fsm", 20, 40),
        ("gld", "district", "Northdale", 2023, "fsm_status", "non_fsm", 150, 200),
        ("gld", "district", "Southvale", 2023, "fsm_status", "fsm", 25, 40),
        ("gld", "district", "Southvale", 2023, "fsm_status", "non_fsm", 140, 200),
        ("gld", "centre", "C1", 2023, "fsm_status", "fsm", 3, 8),
        ("gld", "centre", "C1", 2023, "fsm_status", "non_fsm", 30, 40),
        ("obesity_reception", "authority", "Testshire", 2022, "fsm_status", "fsm", 16, 100),
        ("obesity_reception", "authority", "Testshire", 2022, "fsm_status", "non_fsm", 40, 500),
        ("obesity_reception", "authority", "Testshire", 2023, "fsm_status", "fsm", 12, 100),
        ("obesity_reception", "authority", "Testshire", 2023, "fsm_status", "non_fsm", 40, 500),
    ]
    outcomes = pd.DataFrame(outcome_rows, columns=TABLES["outcomes"].column_names)
    indicators = pd.DataFrame(
        [
            ("gld", "Good level of development", "attainment", "higher_is_better", "fsm_status", "fsm", "non_fsm", 2021, "DfE EYFS profile (test)"),
            ("obesity_reception", "Obesity in reception", "wellbeing", "lower_is_better", "fsm_status", "fsm", "non_fsm", None, "NCMP (test)"),
        ],
        columns=TABLES["indicators"].column_names,
    )
    benchmarks = pd.DataFrame(
        [
            ("gld", "England", 2022, "all", "all", 67.2, None, None, "DfE EYFSP 2022-23"),
            ("gld", "England", 2022, "fsm_status", "fsm", 51.6, None, None, "DfE EYFSP 2022-23"),
            ("gld", "England", 2022, "fsm_status", "non_fsm", 71.5, None, None, "DfE EYFSP 2022-23"),
        ],
        columns=TABLES["benchmarks"].column_names,
    )
    feedback = pd.DataFrame(
        [
            ("R1", "Review 2023", D("2023-09-01"), "parent_carer", "children_centre", "C1", "The staff were friendly and the stay and play sessions are brilliant.", ["quality_of_staffing", "activities_for_children"], "positive"),
            ("R2", "Review 2023", D("2023-09-02"), "parent_carer", "library", "L1", "Rhymetime is great but the opening hours do not suit working parents.", None, None),
            ("R3", "Review 2023", D("2023-09-03"), "staff", "family_hub", "C2", "We are not joined up with the library team; referrals get lost.", ["joined_up_working"], "negative"),
            ("R4", "Review 2023", D("2023-09-04"), "volunteer", "children_centre", "C1", "My name is Jane Smith, call me on 07700 900123 or jane@example.org.", None, None),
            ("R5", "Review 2023", D("2023-09-05"), "parent_carer", None, None, "I felt judged going to the centre, there is a stigma.", None, None),
        ],
        columns=TABLES["feedback"].column_names,
    )
    service_changes = pd.DataFrame(
        [
            (D("2021-04-01"), "Children's centres re-commissioned", "New contracts for all clusters.", None),
            (D("2022-03-31"), "Old Mill Centre closed", None, "C3"),
        ],
        columns=TABLES["service_changes"].column_names,
    )
    return {
        "centres": centres, "areas": areas, "population": population, "children": children,
        "attendances": attendances, "footfall": footfall, "outcomes": outcomes, "indicators": indicators,
        "benchmarks": benchmarks, "feedback": feedback, "service_changes": service_changes,
    }


EXTRACT_INFO = {
    "authority": "Testshire County Council",
    "extracted_on": "2024-06-30",
    "suppression_threshold": 5,
    "notes": "Hand-made test extract.",
}


def write_table(folder: Path, name: str, frame: pd.DataFrame, typed: bool = True) -> Path:
    """Writes one table as <name>.parquet with the contract's exact types (or as pandas infers them)."""
    path = folder / f"{name}.parquet"
    if typed and name in TABLES:
        spec = TABLES[name]
        contract_types = {c.name: ARROW_TYPES[c.type] for c in spec.columns}
        arrays = {}
        for column in frame.columns:
            values = frame[column].tolist()
            try:
                arrays[column] = pa.array(values, type=contract_types.get(column), from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                # A deliberately wrong column (a test of bad input) keeps the type its values have.
                arrays[column] = pa.array(values, from_pandas=True)
        table = pa.table(arrays)
    else:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path)
    return path


def write_extract(folder: Path, overrides: dict[str, pd.DataFrame | None] | None = None, info: dict | None = EXTRACT_INFO) -> Path:
    """Writes the tiny extract into folder; overrides replace a table (None leaves it out)."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = tables()
    frames.update(overrides or {})
    for name, frame in frames.items():
        if frame is not None:
            write_table(folder, name, frame)
    if info is not None:
        (folder / "extract.json").write_text(json.dumps(info), encoding="utf-8")
    return folder
