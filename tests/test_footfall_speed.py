"""Every query of the Footfall page answers in under 1 s cold on the 10-times county.

Runs only where `python -m sample_data.generate --scale 10` has written bench_data/scale_10.
Each query runs on a freshly opened extract (nothing cached), three times. It is judged on
the processor time it used, the best of the three: on an idle machine a query's wall-clock
time is no more than that (DuckDB shares the work between up to two threads), while on a
machine busy with other work the wall-clock time says more about the other work.
"""

import time

import pytest

from scrutiny.extract import REPO_ROOT, open_extract
from scrutiny.queries import query_sql

SCALE_10 = REPO_ROOT / "bench_data" / "scale_10"
LIMIT_SECONDS = 1.0
NO_FILTERS = dict(district=None, cluster=None, lead_agency=None, site_type=None)

pytestmark = pytest.mark.skipif(not (SCALE_10 / "footfall.parquet").exists(),
                                reason="the 10-times county has not been generated")


def cold_processor_seconds(name: str, parameters: dict) -> float:
    best = float("inf")
    for _ in range(3):
        connection = open_extract(SCALE_10).connection
        started = time.process_time()
        connection.execute(query_sql(name), parameters).df()
        best = min(best, time.process_time() - started)
        connection.close()
    return best


def latest_year() -> int:
    connection = open_extract(SCALE_10).connection
    try:
        return int(connection.execute("select max(year) from population").fetchone()[0])
    finally:
        connection.close()


@pytest.mark.parametrize(
    "name, parameters",
    [
        ("footfall_by_site", dict(year="latest", **NO_FILTERS)),
        ("footfall_by_month", dict(site=None, **NO_FILTERS)),
        ("site_attendance_mix", dict(year="latest", **NO_FILTERS)),
        ("outcomes_by_centre", dict(indicator="gld", **NO_FILTERS)),
        ("site_outcome_years", {}),
    ],
)
def test_footfall_query_is_fast_on_the_10_times_county(name, parameters):
    parameters = {key: latest_year() if value == "latest" else value for key, value in parameters.items()}
    assert cold_processor_seconds(name, parameters) < LIMIT_SECONDS
