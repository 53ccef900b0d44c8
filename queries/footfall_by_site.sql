-- footfall_by_site: one row per site for one financial year: its monthly
-- footfall returns added up, and how many small areas make up its reach area.
-- Returns centre_id, centre_name, site_type, district, cluster, lead_agency,
-- opened_on, closed_on, reach_areas (0 for a site with no reach area, such as a
-- library), months_reported, visits, sessions, new_registrations.
--
-- Parameters:
--   $year    first year of the financial year (2023 = April 2023 to March 2024)
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the site; null = all
--
-- A site shows when it was open at some point in the year or sent footfall for
-- it; a centre closed before the year (with no returns) is left out rather than
-- shown as a quiet site.
--
-- Used on: Overview (pages/overview.py); Footfall and outcomes (pages/footfall.py);
--   Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/footfall/figures.py.
with period as (
    select
        make_date($year::integer, 4, 1) as starts,
        make_date($year::integer + 1, 3, 31) as ends
),

sites_in_view as (
    select c.*
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
),

returns_in_period as (
    select
        f.centre_id,
        count(*) as months_reported,
        sum(f.visits) as visits,
        -- sum() of only nulls is null: "not recorded", which is not the same as 0.
        sum(f.sessions) as sessions,
        sum(f.new_registrations) as new_registrations
    from footfall as f
    cross join period
    where f.month::date between period.starts and period.ends
    group by all
),

reach_area_sizes as (
    select centre_id, count(*) as reach_areas
    from areas
    group by all
)

select
    s.centre_id,
    s.centre_name,
    s.site_type,
    s.district,
    s.cluster,
    s.lead_agency,
    s.opened_on,
    s.closed_on,
    coalesce(a.reach_areas, 0)::bigint as reach_areas,
    coalesce(r.months_reported, 0)::bigint as months_reported,
    coalesce(r.visits, 0)::bigint as visits,
    r.sessions::bigint as sessions,
    r.new_registrations::bigint as new_registrations
from sites_in_view as s
cross join period
left join returns_in_period as r using (centre_id)
left join reach_area_sizes as a using (centre_id)
where r.centre_id is not null
   or ((s.opened_on is null or s.opened_on <= period.ends)
       and (s.closed_on is null or s.closed_on >= period.starts))
order by s.centre_name
