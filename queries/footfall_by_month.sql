-- footfall_by_month: monthly footfall by site type, for every month in the extract.
-- Returns month, site_type, sites (sites sending a return that month), visits,
-- sessions, new_registrations (null when no site of that type records them).
--
-- Parameters:
--   $site    one centre_id, or null for every site in view
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the site; null = all
--
-- Used on: Footfall and outcomes (pages/footfall.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/footfall/figures.py.
with sites_in_view as (
    select c.centre_id, c.site_type
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
    where ($site is null or c.centre_id = $site)
)

select
    -- A month stored as a timestamp or mid-month date still lands on its first day.
    date_trunc('month', f.month::date)::date as month,
    s.site_type,
    count(distinct f.centre_id) as sites,
    sum(f.visits)::bigint as visits,
    sum(f.sessions)::bigint as sessions,
    sum(f.new_registrations)::bigint as new_registrations
from footfall as f
join sites_in_view as s using (centre_id)
group by all
order by month, s.site_type
