-- gap_by_year: for one geography, the counts behind each indicator's gap, year by year.
-- Returns indicator, year, focus_numerator, focus_denominator, reference_numerator,
-- reference_denominator, all_numerator, all_denominator (null where the extract
-- has no row for that group).
--
-- Parameters:
--   $geography_level   'authority', 'district' or 'centre'
--   $geography_code    the authority's code, a district name or a centre_id
--   $indicator         one indicator code; null = every indicator
--
-- Each indicator names its own gap: the group type (e.g. fsm_status) and the
-- focus and reference groups within it (e.g. fsm and non_fsm).
--
-- Used on: Overview (pages/overview.py); Gap (pages/gap.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/gap/figures.py.
with chosen_indicators as (
    select indicator, gap_group_type, gap_focus_group, gap_reference_group
    from indicators
    where $indicator is null or indicator = $indicator
),

rows_for_geography as (
    select o.indicator, o.year, o.group_type, o."group", o.numerator, o.denominator
    from outcomes as o
    where o.geography_level = $geography_level
      and o.geography_code = $geography_code
),

gap_counts as (
    select
        r.indicator,
        r.year,
        -- max() of the one matching row: the contract keeps one row per cell.
        max(r.numerator) filter (where r.group_type = i.gap_group_type and r."group" = i.gap_focus_group) as focus_numerator,
        max(r.denominator) filter (where r.group_type = i.gap_group_type and r."group" = i.gap_focus_group) as focus_denominator,
        max(r.numerator) filter (where r.group_type = i.gap_group_type and r."group" = i.gap_reference_group) as reference_numerator,
        max(r.denominator) filter (where r.group_type = i.gap_group_type and r."group" = i.gap_reference_group) as reference_denominator,
        max(r.numerator) filter (where r.group_type = 'all' and r."group" = 'all') as all_numerator,
        max(r.denominator) filter (where r.group_type = 'all' and r."group" = 'all') as all_denominator
    from rows_for_geography as r
    join chosen_indicators as i using (indicator)
    group by r.indicator, r.year
)

select *
from gap_counts
order by indicator, year
