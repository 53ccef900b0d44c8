"""Plain-English names for the codes an extract uses.

An extract may carry codes this module does not know (custom target groups,
new site types): they are shown tidied up rather than hidden.
"""

from __future__ import annotations

TARGET_GROUPS = {
    "all": "All under-fives",
    "lone_parent": "Lone parents",
    "teenage_parent": "Teenage parents",
    "workless_household": "Workless households",
    "minority_ethnic": "Minority ethnic families",
    "disabled_child": "Disabled children",
    "child_protection_plan": "Children on a protection plan",
    "child_in_need": "Children in need",
    "troubled_family": "Troubled families",
    "eligible_two_year_old": "Eligible two-year-olds",
    "most_deprived_30": "30% most deprived areas",
}

SITE_TYPES = {
    "children_centre": "Children's centre",
    "family_hub": "Family hub",
    "library": "Library",
    "outreach": "Outreach",
}

RESPONDENT_TYPES = {
    "parent_carer": "Parents and carers",
    "staff": "Staff",
    "volunteer": "Volunteers",
    "partner": "Partners",
    "other": "Others",
}

TIERS = {"universal": "Universal", "targeted": "Targeted", "specialist": "Specialist"}

ROLLUPS = {
    "centre": "Centre",
    "cluster": "Cluster",
    "lead_agency": "Lead agency",
    "district": "District",
    "site_type": "Site type",
    "authority": "Whole authority",
}


def tidy(code: str) -> str:
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(mapping: dict[str, str], code) -> str:
    if code is None:
        return ""
    return mapping.get(code) or tidy(code)


def target_group(code) -> str:
    return label(TARGET_GROUPS, code)


def site_type(code) -> str:
    return label(SITE_TYPES, code)


def respondent_type(code) -> str:
    return label(RESPONDENT_TYPES, code)


def financial_year(year: int) -> str:
    """2023 -> '2023-24'."""
    return f"{int(year)}-{(int(year) + 1) % 100:02d}"


def year_from_label(text: str) -> int | None:
    try:
        first, second = text.split("-")
        year = int(first)
        return year if len(first) == 4 and int(second) == (year + 1) % 100 else None
    except (ValueError, AttributeError):
        return None
