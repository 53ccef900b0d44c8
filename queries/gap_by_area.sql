-- gap_by_area: one indicator's gap counts in one year for every district and
-- every centre reach area in view.
-- Returns geography_level ('district' or 'centre'), geography_code, geography_name,
-- district, focus_numerator, focus_denominator, reference_numerator, reference_denominator.
--
-- Parameters:
--   $indicator   indicator code
--   $year        first year of the academic or financial year (2023 = 2023-24)
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the centre; null = all
--
-- The sidebar filters narrow the centres only: every district stays in view so
-- that a chosen district can be seen against the others.
--
-- Used on: Gap (pages/gap.py).
-- Run from: scrutiny/topics/gap/figures.py.
with chosen_indicator as (
    select indicator, gap_group_type, gap_focus_group, gap_reference_group
    from indicators
    where indicator = $indicator
),

centres_in_view as (
    select c.centre_id, c.centre_name, c.district
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
),

gap_rows as (
    select o.geography_level, o.geography_code, o."group" = i.gap_focus_group as is_focus, o.numerator, o.denominator
    from outcomes as o
    join chosen_indicator as i
      on o.indicator = i.indicator
     and o.group_type = i.gap_group_type
     and o."group" in (i.gap_focus_group, i.gap_reference_group)
    where o.year = $year
      and o.geography_level in ('district', 'centre')
),

areas_in_view as (
    select 'district' as geography_level, geography_code, geography_code as geography_name, geography_code as district
    from (select distinct geography_code from gap_rows where geography_level = 'district')
    union all
    select 'centre', c.centre_id, c.centre_name, c.district
    from centres_in_view as c
    where c.centre_id in (select geography_code from gap_rows where geography_level = 'centre')
)

select
    a.geography_level,
    a.geography_code,
    a.geography_name,
    a.district,
    max(r.numerator) filter (where r.is_focus) as focus_numerator,
    max(r.denominator) filter (where r.is_focus) as focus_denominator,
    max(r.numerator) filter (where not r.is_focus) as reference_numerator,
    max(r.denominator) filter (where not r.is_focus) as reference_denominator
from areas_in_view as a
join gap_rows as r using (geography_level, geography_code)
group by all
order by a.geography_level desc, a.geography_name
