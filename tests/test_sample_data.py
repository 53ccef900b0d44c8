"""The sample county is generated, never edited by hand: running the generator again gives the
committed tables row for row, so a change to the generator's code that changes the county cannot
slip in unnoticed (and one that should change it must come with `make sample`).

Each parquet table is compared by a checksum of each column's values in row order, so a failure
names the table and the column that moved; the text files are compared byte for byte.
Generating the scale-1 county takes a few seconds.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sample_data.generate import SAMPLE_DIR, generate

TEXT_FILES = ("boundaries.geojson", "extract.json")


def parquet_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet"))


def column_checksums(table: pa.Table) -> dict[str, str]:
    """A checksum of each column's values in row order (not of the file's bytes, which also hold
    the writer's version and layout)."""
    sums = {}
    for name in table.column_names:
        column = pa.table({name: table.column(name).combine_chunks()})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, column.schema) as writer:
            writer.write_table(column)
        sums[name] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
    return sums


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wealdshire")
    generate(folder)
    return folder


def test_the_generator_writes_the_committed_files(regenerated):
    assert parquet_files(regenerated) == parquet_files(SAMPLE_DIR)
    for name in TEXT_FILES:
        assert (regenerated / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), (
            f"sample_data/{name} differs from what the generator writes: run make sample")


@pytest.mark.parametrize("name", parquet_files(SAMPLE_DIR))
def test_the_generator_writes_the_committed_table(regenerated, name):
    committed, fresh = pq.read_table(SAMPLE_DIR / name), pq.read_table(regenerated / name)
    assert fresh.schema.remove_metadata() == committed.schema.remove_metadata()
    assert fresh.num_rows == committed.num_rows, f"sample_data/{name}: {fresh.num_rows} rows, committed {committed.num_rows}"
    before, after = column_checksums(committed), column_checksums(fresh)
    moved = [column for column in before if before[column] != after[column]]
    assert not moved, f"sample_data/{name}: the values of {', '.join(moved)} differ from what the generator writes"


def test_the_checksum_follows_the_values_not_the_layout():
    children = pq.read_table(SAMPLE_DIR / "children.parquet")
    before = column_checksums(children)
    assert column_checksums(pa.Table.from_batches(children.to_batches(max_chunksize=1000))) == before

    dates = children.column("registered_on").to_pylist()
    dates[1000] += timedelta(days=1)
    changed = children.set_column(children.schema.get_field_index("registered_on"), "registered_on",
                                  pa.array(dates, type=pa.date32()))
    after = column_checksums(changed)
    assert [column for column in before if before[column] != after[column]] == ["registered_on"]
