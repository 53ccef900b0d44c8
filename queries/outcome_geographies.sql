-- outcome_geographies: every geography the outcomes table has figures for.
-- Returns geography_level ('authority', 'district', 'centre'), geography_code,
-- geography_name (the centre's name for a centre's reach area, else the code)
-- and district (the centre's district; the code itself for a district; null
-- for the authority).
--
-- Parameters: none.
--
-- Used on: Overview (pages/overview.py); Gap (pages/gap.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/gap/figures.py.
with geographies as (
    select distinct geography_level, geography_code
    from outcomes
)

select
    g.geography_level,
    g.geography_code,
    coalesce(c.centre_name, g.geography_code) as geography_name,
    case g.geography_level
        when 'centre' then c.district
        when 'district' then g.geography_code
    end as district
from geographies as g
-- A centre-level row describes the children living in that centre's reach area.
left join centres as c
    on g.geography_level = 'centre' and c.centre_id = g.geography_code
order by
    case g.geography_level when 'authority' then 0 when 'district' then 1 else 2 end,
    geography_name
