-- outcome_cells: every count of one indicator the dashboard can publish, every year: one row
-- per geography (the authority, a district, a centre's reach area) and group, with the
-- centre's place in the sidebar filters. The disclosure plan for outcomes links these cells
-- (reach areas add up to their district and districts to the authority; groups such as free
-- school meals and the rest add up to all children) and chooses which to hide.
-- Returns year, geography_level, geography_code, group_type, group, numerator, denominator,
-- and for a centre's row the centre's district, cluster, lead_agency and site_type (null for
-- the authority and districts, and for a centre the centres table does not list).
--
-- Parameters:
--   $indicator   an indicator code from the indicators table
--
-- Used on: Overview (pages/overview.py); Gap (pages/gap.py);
--   Footfall and outcomes (pages/footfall.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/disclosure/outcomes.py.
select
    o.year,
    o.geography_level,
    o.geography_code,
    o.group_type,
    o."group",
    o.numerator,
    o.denominator,
    c.district,
    c.cluster,
    c.lead_agency,
    c.site_type
from outcomes as o
left join centres as c
    on o.geography_level = 'centre' and c.centre_id = o.geography_code
where o.indicator = $indicator
order by o.year, o.geography_level, o.geography_code, o.group_type, o."group"
