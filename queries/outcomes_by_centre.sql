-- outcomes_by_centre: one indicator's outcomes for the children living in each
-- centre's reach area, every year: all children, the indicator's focus group
-- (e.g. free school meals) and its reference group.
-- Returns centre_id, year, all_numerator, all_denominator, focus_numerator,
-- focus_denominator, reference_numerator, reference_denominator (null where the
-- extract has no such row).
--
-- Parameters:
--   $indicator   an indicator code from the indicators table
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the centre; null = all
--
-- Used on: Overview (pages/overview.py); Footfall and outcomes (pages/footfall.py);
--   Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/footfall/figures.py.
with indicator as (
    select indicator, gap_group_type, gap_focus_group, gap_reference_group
    from indicators
    where indicator = $indicator
),

centres_in_view as (
    select c.centre_id
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
),

centre_rows as (
    select
        o.geography_code as centre_id,
        o.year,
        case
            when o.group_type = 'all' and o."group" = 'all' then 'all'
            when o.group_type = i.gap_group_type and o."group" = i.gap_focus_group then 'focus'
            when o.group_type = i.gap_group_type and o."group" = i.gap_reference_group then 'reference'
        end as role,
        o.numerator,
        o.denominator
    from outcomes as o
    join indicator as i using (indicator)
    where o.geography_level = 'centre'
      and o.geography_code in (select centre_id from centres_in_view)
),

by_year as (
    select
        centre_id,
        year,
        sum(numerator) filter (where role = 'all') as all_numerator,
        sum(denominator) filter (where role = 'all') as all_denominator,
        sum(numerator) filter (where role = 'focus') as focus_numerator,
        sum(denominator) filter (where role = 'focus') as focus_denominator,
        sum(numerator) filter (where role = 'reference') as reference_numerator,
        sum(denominator) filter (where role = 'reference') as reference_denominator
    from centre_rows
    where role is not null
    group by all
)

select
    centre_id,
    year,
    -- Where a centre has no all-children row, its focus and reference groups
    -- together stand in for it (they split the children between them, e.g. fsm
    -- and non_fsm); only when both are there.
    coalesce(all_numerator, focus_numerator + reference_numerator)::bigint as all_numerator,
    coalesce(all_denominator, focus_denominator + reference_denominator)::bigint as all_denominator,
    focus_numerator::bigint as focus_numerator,
    focus_denominator::bigint as focus_denominator,
    reference_numerator::bigint as reference_numerator,
    reference_denominator::bigint as reference_denominator
from by_year
order by centre_id, year
