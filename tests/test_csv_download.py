"""CSV downloads open the same in pandas (no options), LibreOffice and Excel.

Excel cannot run here; what it needs is checked instead: the UTF-8 byte-order mark (without
it Excel on Windows reads UTF-8 as the local code page, so “ and Ō come out as other
characters) and the table's header on the first line.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from scrutiny import ui
from scrutiny.filters import Filters

TABLE = pd.DataFrame({
    "Centre": ["Ōtaki Family Hub", "O'Brien & Sons “Family” Hub", "Brook, Marsh and Mill"],
    "Reached": [12, 30, 7],
    "Reach %": ["28%", "70%", "c"],
})
ABOUT_START = "Reach by centre, 2023-24. Source: children and attendances tables; Testshire County Council data extract of 30 June 2024."


def test_pandas_reads_the_table_with_no_options(tiny):
    raw = ui.csv_bytes(TABLE, "Reach by centre, 2023-24", Filters(2023, district="Southvale"), "children and attendances tables")
    assert raw.startswith(b"\xef\xbb\xbf" + "Centre,Reached,Reach %,About this table".encode())
    read = pd.read_csv(io.BytesIO(raw))
    assert list(read.columns) == ["Centre", "Reached", "Reach %", "About this table"]
    pd.testing.assert_frame_equal(read[TABLE.columns], TABLE)  # the counts stay whole numbers
    assert read["Reached"].dtype.kind == "i"
    about = read["About this table"]
    assert about.nunique() == 1 and about[0].startswith(ABOUT_START)
    assert "Filters: financial year 2023-24, district Southvale." in about[0]
    assert "Numbers from 1 to 4 (and percentages resting on them) are shown as c" in about[0]


def test_a_table_for_comments_names_no_year_and_an_empty_table_keeps_its_note(tiny):
    raw = ui.csv_bytes(TABLE.iloc[0:0], "Quotes", Filters(2023, district="Southvale"), "feedback table", with_period=False)
    read = pd.read_csv(io.BytesIO(raw))
    assert len(read) == 1 and read["About this table"][0].startswith("Quotes. Source: feedback table;")
    assert "Filters: district Southvale." in read["About this table"][0] and "2023-24" not in read["About this table"][0]


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        message = ("NO LIBREOFFICE FOUND: the CSV was not opened in LibreOffice. "
                   "Install Debian's libreoffice-calc-nogui (apt-get install libreoffice-calc-nogui).")
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        sys.stderr.write(f"\n\n{'!' * 78}\n{message}\n{'!' * 78}\n\n")
        pytest.skip(message)
    return path


def test_libreoffice_opens_it_with_the_right_characters(tiny, tmp_path):
    """LibreOffice opens the download as its Text Import dialog offers it (comma, double quote and
    Unicode (UTF-8), which the dialog picks for a file starting with the byte-order mark; run headless,
    it skips the dialog and would assume Western Europe, so the same choice is passed), and saves
    what it read as plain UTF-8: the same cells, the header in the first row, no stray byte-order mark."""
    program = soffice()
    raw = ui.csv_bytes(TABLE, "Reach by centre, 2023-24", Filters(2023), "children and attendances tables")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "reach.csv").write_bytes(raw)
    # A profile of its own, so a LibreOffice already open on this machine does not take the job.
    subprocess.run(
        [program, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
         "--infilter=CSV:44,34,76,1", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "out"),
         str(tmp_path / "in" / "reach.csv")],
        check=True, capture_output=True, timeout=120,
    )
    saved = (tmp_path / "out" / "reach.csv").read_bytes().decode("utf-8")
    read = pd.read_csv(io.StringIO(saved))
    assert list(read.columns) == ["Centre", "Reached", "Reach %", "About this table"]
    pd.testing.assert_frame_equal(read[["Centre", "Reached"]], TABLE[["Centre", "Reached"]])
    # LibreOffice takes 28% as the number 0.28 shown as a percentage, and saves it as 28.00%.
    assert list(read["Reach %"]) == ["28.00%", "70.00%", "c"]
    assert read["About this table"][0].startswith(ABOUT_START)


def test_a_table_that_is_not_a_kept_answer_has_its_file_kept_under_its_contents():
    from scrutiny import ui

    table = pd.DataFrame({"Centre": ["Eastfield", "Brook"], "Reached": ["12", "c"]})
    same = pd.DataFrame({"Centre": ["Eastfield", "Brook"], "Reached": ["12", "c"]})
    changed = same.assign(Reached=["12", "13"])
    assert ui._content_of(table) == ui._content_of(same)
    assert ui._content_of(changed) != ui._content_of(table)
    assert ui._content_of(table.rename(columns={"Reached": "Missed"})) != ui._content_of(table)
    # Cells that cannot be pickled: no key, so the file is written each time.
    assert ui._content_of(pd.DataFrame({"Note": [lambda: "a function"]})) is None
