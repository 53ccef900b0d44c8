"""The sample county as its own systems would export it: CSV files (and, on request, Excel).

    python -m sample_data.export OUT_FOLDER [--extract sample_data] [--excel]

Wealdshire's case-management system names things its own way: "Child Ref", "Session Date",
sites typed "Children's Centre", target groups as Y/N columns, UK day-first dates, financial
years written 2023-24, attendances in one semicolon-separated file per financial year and the
sites file in Windows-1252. mappings/wealdshire.yaml maps this export back to the data
contract, so that `python -m scrutiny.build_extract` turns it into the extract it came from.

With --excel, the smaller tables are written as one .xlsx workbook per table (as a council
exporting to Excel would), while children and attendances stay CSV (attendances are more rows
than a worksheet holds).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

from scrutiny.contract import STANDARD_TARGET_GROUPS
from scrutiny.extract import table_source

SITE_TYPE_LABELS = {
    "children_centre": "Children's Centre", "family_hub": "Family Hub", "library": "Library", "outreach": "Outreach Base",
}
TIER_LABELS = {"universal": "Universal", "targeted": "Targeted", "specialist": "Specialist"}
GROUP_LABELS = {
    "all": "All under 5s", "lone_parent": "Lone Parent", "teenage_parent": "Teenage Parent",
    "workless_household": "Workless Household", "minority_ethnic": "BME", "disabled_child": "Disabled Child",
    "child_protection_plan": "CP Plan", "child_in_need": "Child in Need", "troubled_family": "Supporting Families",
    "eligible_two_year_old": "2YO Funded",
}
LEVEL_LABELS = {"centre": "Centre", "district": "District", "authority": "Local Authority"}
RESPONDENT_LABELS = {"parent_carer": "Parent/Carer", "staff": "Staff", "volunteer": "Volunteer", "partner": "Partner agency", "other": "Other"}
SENTIMENT_LABELS = {"positive": "Positive", "negative": "Negative", "mixed": "Mixed", "neutral": "Neutral"}


def _case(column: str, labels: dict[str, str]) -> str:
    whens = " ".join(f"when '{code}' then '{label.replace(chr(39), chr(39) * 2)}'" for code, label in labels.items())
    return f"case {column} {whens} else {column} end"


def _uk(column: str) -> str:
    return f"strftime({column}, '%d/%m/%Y')"


def _financial_year(column: str) -> str:
    return f"{column}::varchar || '-' || right(({column} + 1)::varchar, 2)"


FLAG_COLUMNS = {code: GROUP_LABELS[code] for code in STANDARD_TARGET_GROUPS if code != "all"}

# file name -> (table, select list); each select names the export's own columns.
EXPORTS = {
    "Sites.csv": ("centres", f"""
        centre_id as "Site Code", centre_name as "Site Name", {_case('site_type', SITE_TYPE_LABELS)} as "Site Type",
        cluster as "Cluster", lead_agency as "Lead Agency", district as "District",
        {_uk('opened_on')} as "Opened", {_uk('closed_on')} as "Closed", latitude as "Lat", longitude as "Long" """),
    "Areas.csv": ("areas", """
        area_code as "LSOA Code", area_name as "LSOA Name", centre_id as "Reach Centre", district as "District",
        imd_decile as "IMD Decile", idaci_decile as "IDACI Decile" """),
    "Population.csv": ("population", f"""
        area_code as "LSOA Code", {_financial_year('year')} as "Financial Year",
        {_case('target_group', GROUP_LABELS)} as "Group", children as "Under 5s" """),
    "Children.csv": ("children", f"""
        child_id as "Child Ref", family_id as "Family Ref", area_code as "Home LSOA", registered_centre_id as "Registered At",
        {_uk('registered_on')} as "Registration Date", {_uk('birth_month')} as "Month of Birth", """
        + ", ".join(f"""case when list_contains(target_groups, '{code}') then 'Y' else 'N' end as "{label}" """
                    for code, label in FLAG_COLUMNS.items())),
    "Footfall.csv": ("footfall", f"""
        centre_id as "Site Code", {_uk('month')} as "Month", visits as "Visits",
        new_registrations as "New Registrations", sessions as "Sessions Run" """),
    "Outcomes.csv": ("outcomes", f"""
        indicator as "Indicator", {_case('geography_level', LEVEL_LABELS)} as "Level", geography_code as "Area",
        {_financial_year('year')} as "Year", group_type as "Breakdown", "group" as "Group",
        numerator as "Achieved", denominator as "Cohort" """),
    "Indicators.csv": ("indicators", """
        indicator as "Indicator", title as "Title", domain as "Domain", polarity as "Polarity",
        gap_group_type as "Gap Breakdown", gap_focus_group as "Gap Focus Group", gap_reference_group as "Gap Reference Group",
        comparability_break_year as "Break Year", source as "Source" """),
    "Benchmarks.csv": ("benchmarks", f"""
        indicator as "Indicator", geography as "Comparator", {_financial_year('year')} as "Year", group_type as "Breakdown",
        "group" as "Group", value as "Percent", lower_ci as "Lower CI", upper_ci as "Upper CI", source as "Source" """),
    "Consultation.csv": ("feedback", f"""
        response_id as "Response ID", consultation as "Consultation", {_uk('collected_on')} as "Date",
        {_case('respondent_type', RESPONDENT_LABELS)} as "Respondent", {_case('site_type', SITE_TYPE_LABELS)} as "Service Type",
        centre_id as "Site Code", comment as "Comment", array_to_string(themes, '; ') as "Themes",
        {_case('sentiment', SENTIMENT_LABELS)} as "Sentiment" """),
    "Service changes.csv": ("service_changes", f"""
        {_uk('changed_on')} as "Date", title as "Change", detail as "Detail", centre_id as "Site Code" """),
}
ATTENDANCES = f"""
    child_id as "Child Ref", centre_id as "Site Code", {_uk('attended_on')} as "Session Date",
    activity as "Activity", {_case('tier', TIER_LABELS)} as "Service Level" """
STAYS_CSV = {"Children.csv"}
# Written in Windows-1252, as an older system's CSV is.
WINDOWS_1252 = {"Sites.csv"}


def _scan(extract: Path, table: str) -> str:
    source = table_source(extract, table)
    if source is None:
        return ""
    path = str(source).replace("'", "''")
    return f"read_parquet('{path}/**/*.parquet')" if source.is_dir() else f"read_parquet('{path}')"


def export(extract: Path, out: Path, excel: bool = False) -> list[Path]:
    """Writes the extract's tables as the county's export; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": 2, "memory_limit": "1500MB"})
    con.execute("set enable_progress_bar = false")
    written = []
    for name, (table, select) in EXPORTS.items():
        scan = _scan(extract, table)
        if not scan:
            continue
        query = f"select {select} from {scan}"
        if excel and name not in STAYS_CSV:
            written.append(_write_xlsx(con, query, out / name.replace(".csv", ".xlsx"), Path(name).stem))
            continue
        target = out / name
        con.execute(f"copy ({query}) to '{str(target).replace(chr(39), chr(39) * 2)}' (header, delimiter ',')")
        if name in WINDOWS_1252:
            target.write_bytes(target.read_text(encoding="utf-8").encode("cp1252"))
        written.append(target)
    boundaries = extract / "boundaries.geojson"
    if boundaries.is_file():  # the reach map's areas, copied as the council's GIS team would supply them
        shutil.copyfile(boundaries, out / boundaries.name)
        written.append(out / boundaries.name)
    years = [row[0] for row in con.execute(
        f"select distinct year(attended_on - interval 3 month) from {_scan(extract, 'attendances')} order by 1").fetchall()]
    for year in years:
        target = out / f"Attendances {year}-{str(year + 1)[2:]}.csv"
        con.execute(
            f"copy (select {ATTENDANCES} from {_scan(extract, 'attendances')} "
            f"where attended_on >= make_date({year}, 4, 1) and attended_on < make_date({year + 1}, 4, 1)) "
            f"to '{str(target).replace(chr(39), chr(39) * 2)}' (header, delimiter ';')"
        )
        written.append(target)
    con.close()
    return written


def _write_xlsx(con: duckdb.DuckDBPyConnection, query: str, target: Path, sheet: str) -> Path:
    import openpyxl

    result = con.execute(query)
    header = [d[0] for d in result.description]
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append(header)
    for row in result.fetchall():
        ws.append(list(row))
    book.save(target)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sample_data.export", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the export to")
    parser.add_argument("--extract", type=Path, default=Path(__file__).resolve().parent, help="the extract to export")
    parser.add_argument("--excel", action="store_true", help="write the smaller tables as Excel workbooks")
    args = parser.parse_args(argv)
    files = export(args.extract, args.out, excel=args.excel)
    print(f"Wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
