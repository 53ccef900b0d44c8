"""The data contract: the tables an extract holds, their columns and rules.

This module is the single source of truth: validation checks an extract against
it, the test fixtures are built from it and docs/data-contract.md describes it.
Column types are DuckDB types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SITE_TYPES = ("children_centre", "family_hub", "library", "outreach")
TIERS = ("universal", "targeted", "specialist")
GEOGRAPHY_LEVELS = ("centre", "district", "authority")
DOMAINS = ("attainment", "wellbeing")
POLARITIES = ("higher_is_better", "lower_is_better")
# An indicator is a proportion (numerator of denominator, 0-100%) unless it says it is a rate:
# events per `multiplier` children, where the events can outnumber the children (A&E attendances).
PROPORTION, RATE = "proportion", "rate"
INDICATOR_KINDS = (PROPORTION, RATE)
DEFAULT_RATE_MULTIPLIER = 1000
RESPONDENT_TYPES = ("parent_carer", "staff", "volunteer", "partner", "other")
SENTIMENTS = ("positive", "negative", "mixed", "neutral")

STANDARD_TARGET_GROUPS = (
    "all",
    "lone_parent",
    "teenage_parent",
    "workless_household",
    "minority_ethnic",
    "disabled_child",
    "child_protection_plan",
    "child_in_need",
    "troubled_family",
    "eligible_two_year_old",
)
# Derived by the app from the areas' deprivation deciles, never read from an extract.
MOST_DEPRIVED_GROUP = "most_deprived_30"
MOST_DEPRIVED_MAX_DECILE = 3

DEFAULT_SUPPRESSION_THRESHOLD = 5
EARLIEST_DATE = "2000-01-01"
LATEST_DATE = "2100-12-31"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    # (table, column) this column refers to; nulls are not checked.
    references: tuple[str, str] | None = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    description: str
    key: tuple[str, ...] = ()
    optional: bool = False
    # Rows that must be distinct beyond a single-column key, e.g. one figure per cell.
    unique_together: tuple[str, ...] = ()
    date_columns: tuple[str, ...] = field(default=())
    # Columns an extract may leave out of the file altogether: read as null when absent.
    optional_columns: tuple[Column, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "centres",
            description="Every site: children's centres, family hubs, library sites and outreach bases, open or closed.",
            key=("centre_id",),
            columns=(
                Column("centre_id", "VARCHAR", description="Unique code for the site."),
                Column("centre_name", "VARCHAR", description="Name shown in the dashboard."),
                Column("site_type", "VARCHAR", allowed=SITE_TYPES),
                Column("cluster", "VARCHAR", nullable=True, description="Group of centres commissioned together."),
                Column("lead_agency", "VARCHAR", nullable=True, description="Organisation contracted to run it."),
                Column("district", "VARCHAR"),
                Column("opened_on", "DATE", nullable=True),
                Column("closed_on", "DATE", nullable=True, description="Null while open. A closed centre keeps its history."),
                Column("latitude", "DOUBLE", nullable=True, minimum=-90, maximum=90),
                Column("longitude", "DOUBLE", nullable=True, minimum=-180, maximum=180),
            ),
        ),
        Table(
            "areas",
            description="Small areas (LSOAs) that make up the centres' reach areas.",
            key=("area_code",),
            columns=(
                Column("area_code", "VARCHAR"),
                Column("area_name", "VARCHAR", nullable=True),
                Column("centre_id", "VARCHAR", references=("centres", "centre_id"), description="The centre whose reach area holds this area."),
                Column("district", "VARCHAR"),
                Column("imd_decile", "INTEGER", minimum=1, maximum=10, description="Index of Multiple Deprivation decile, 1 = most deprived."),
                Column("idaci_decile", "INTEGER", nullable=True, minimum=1, maximum=10, description="Income Deprivation Affecting Children Index decile."),
            ),
        ),
        Table(
            "population",
            description="Estimated under-fives by area, financial year and target group. Group `all` is all under-fives.",
            unique_together=("area_code", "year", "target_group"),
            columns=(
                Column("area_code", "VARCHAR", references=("areas", "area_code")),
                Column("year", "INTEGER", minimum=2000, maximum=2100, description="First year of the financial year: 2023 = 2023-24."),
                Column("target_group", "VARCHAR"),
                Column("children", "INTEGER", minimum=0),
            ),
        ),
        Table(
            "children",
            description="Registered children, pseudonymised.",
            key=("child_id",),
            date_columns=("registered_on", "birth_month"),
            columns=(
                Column("child_id", "VARCHAR"),
                Column("family_id", "VARCHAR", nullable=True),
                Column("area_code", "VARCHAR", nullable=True, references=("areas", "area_code"), description="Home area; null = outside the authority or unknown."),
                Column("registered_centre_id", "VARCHAR", references=("centres", "centre_id")),
                Column("registered_on", "DATE"),
                Column("birth_month", "DATE", description="First day of the month of birth."),
                Column("target_groups", "VARCHAR[]", description="Target group codes; may be empty."),
            ),
        ),
        Table(
            "attendances",
            description="One row per child per attended session.",
            date_columns=("attended_on",),
            columns=(
                Column("child_id", "VARCHAR", references=("children", "child_id")),
                Column("centre_id", "VARCHAR", references=("centres", "centre_id"), description="The site attended, a library included."),
                Column("attended_on", "DATE"),
                Column("activity", "VARCHAR"),
                Column("tier", "VARCHAR", allowed=TIERS),
            ),
        ),
        Table(
            "footfall",
            description="Monthly visits, registrations and sessions by site.",
            unique_together=("centre_id", "month"),
            date_columns=("month",),
            columns=(
                Column("centre_id", "VARCHAR", references=("centres", "centre_id")),
                Column("month", "DATE", description="First day of the month."),
                Column("visits", "INTEGER", minimum=0),
                Column("new_registrations", "INTEGER", nullable=True, minimum=0),
                Column("sessions", "INTEGER", nullable=True, minimum=0),
            ),
        ),
        Table(
            "outcomes",
            description="Outcome counts by indicator, geography, year and group. A centre-level row describes children living in that centre's reach area.",
            unique_together=("indicator", "geography_level", "geography_code", "year", "group_type", "group"),
            columns=(
                Column("indicator", "VARCHAR", references=("indicators", "indicator")),
                Column("geography_level", "VARCHAR", allowed=GEOGRAPHY_LEVELS),
                Column("geography_code", "VARCHAR", description="centre_id, district name or authority name."),
                Column("year", "INTEGER", minimum=2000, maximum=2100, description="First year of the academic or financial year."),
                Column("group_type", "VARCHAR", description="e.g. all, fsm_status, idaci_quintile, sex."),
                Column("group", "VARCHAR", description="e.g. all, fsm, non_fsm, 1..5."),
                Column("numerator", "INTEGER", minimum=0),
                Column("denominator", "INTEGER", minimum=1),
            ),
        ),
        Table(
            "indicators",
            description="One row per outcome indicator: its title, direction and the gap it is judged on.",
            key=("indicator",),
            columns=(
                Column("indicator", "VARCHAR"),
                Column("title", "VARCHAR"),
                Column("domain", "VARCHAR", allowed=DOMAINS),
                Column("polarity", "VARCHAR", allowed=POLARITIES),
                Column("gap_group_type", "VARCHAR"),
                Column("gap_focus_group", "VARCHAR"),
                Column("gap_reference_group", "VARCHAR"),
                Column("comparability_break_year", "INTEGER", nullable=True, minimum=2000, maximum=2100, description="First year not comparable with earlier ones."),
                Column("source", "VARCHAR"),
            ),
            optional_columns=(
                Column("kind", "VARCHAR", nullable=True, allowed=INDICATOR_KINDS,
                       description="proportion (numerator of denominator; the default when left out or null) or rate "
                                   "(events per multiplier children; the numerator may exceed the denominator)."),
                Column("multiplier", "INTEGER", nullable=True, minimum=1,
                       description=f"For a rate: per how many children it is shown (default {DEFAULT_RATE_MULTIPLIER:,}). "
                                   "Ignored for a proportion."),
            ),
        ),
        Table(
            "benchmarks",
            description="Published comparator values, e.g. England: per cent, or for a rate indicator per its multiplier (per 1,000 by default).",
            optional=True,
            unique_together=("indicator", "geography", "year", "group_type", "group"),
            columns=(
                Column("indicator", "VARCHAR", references=("indicators", "indicator")),
                Column("geography", "VARCHAR", description="England, a region or \"Statistical neighbours\"."),
                Column("year", "INTEGER", minimum=2000, maximum=2100),
                Column("group_type", "VARCHAR"),
                Column("group", "VARCHAR"),
                Column("value", "DOUBLE", minimum=0, description="At most 100 for a proportion."),
                Column("lower_ci", "DOUBLE", nullable=True, minimum=0, description="At most 100 for a proportion."),
                Column("upper_ci", "DOUBLE", nullable=True, minimum=0, description="At most 100 for a proportion."),
                Column("source", "VARCHAR"),
            ),
        ),
        Table(
            "feedback",
            description="Consultation responses: one comment each.",
            key=("response_id",),
            date_columns=("collected_on",),
            columns=(
                Column("response_id", "VARCHAR"),
                Column("consultation", "VARCHAR"),
                Column("collected_on", "DATE"),
                Column("respondent_type", "VARCHAR", allowed=RESPONDENT_TYPES),
                Column("site_type", "VARCHAR", nullable=True, allowed=SITE_TYPES),
                Column("centre_id", "VARCHAR", nullable=True, references=("centres", "centre_id")),
                Column("comment", "VARCHAR"),
                Column("themes", "VARCHAR[]", nullable=True, description="Pre-coded theme codes, if the source coded them."),
                Column("sentiment", "VARCHAR", nullable=True, allowed=SENTIMENTS),
            ),
        ),
        Table(
            "service_changes",
            description="Dated changes to services, drawn as annotations on every trend chart.",
            optional=True,
            date_columns=("changed_on",),
            columns=(
                Column("changed_on", "DATE"),
                Column("title", "VARCHAR"),
                Column("detail", "VARCHAR", nullable=True),
                Column("centre_id", "VARCHAR", nullable=True, references=("centres", "centre_id"), description="Null = authority-wide."),
            ),
        ),
    )
}

# Which tables each page needs: a page whose tables are valid keeps working
# when another table is broken.
PAGE_TABLES: dict[str, tuple[str, ...]] = {
    "overview": ("centres", "areas", "population", "children", "attendances", "outcomes", "indicators"),
    "reach": ("centres", "areas", "population", "children", "attendances"),
    "gap": ("centres", "outcomes", "indicators"),
    "footfall": ("centres", "areas", "population", "children", "attendances", "footfall", "outcomes", "indicators"),
    "feedback": ("centres", "feedback"),
    "data": (),
}
