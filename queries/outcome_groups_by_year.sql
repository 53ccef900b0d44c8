-- outcome_groups_by_year: one indicator's counts for every group of one group type
-- (e.g. idaci_quintile 1 to 5) in one geography, year by year.
-- Returns year, group, numerator, denominator.
--
-- Parameters:
--   $indicator         indicator code
--   $geography_level   'authority', 'district' or 'centre'
--   $geography_code    the authority's code, a district name or a centre_id
--   $group_type        e.g. 'idaci_quintile' or 'fsm_status'
--
-- Used on: Gap (pages/gap.py).
-- Run from: scrutiny/topics/gap/figures.py.
select o.year, o."group", o.numerator, o.denominator
from outcomes as o
where o.indicator = $indicator
  and o.geography_level = $geography_level
  and o.geography_code = $geography_code
  and o.group_type = $group_type
order by o.year, o."group"
