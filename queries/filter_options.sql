-- filter_options: every value the sidebar filters can take, from the centres table.
-- Returns filter ('district', 'cluster', 'lead_agency', 'site_type') and value.
--
-- Parameters: none.
--
-- Used on: every page (the sidebar, dashboard.py).
-- Run from: scrutiny/filters.py.
select distinct 'district' as filter, district as value from centres where district is not null
union all
select distinct 'cluster', cluster from centres where cluster is not null
union all
select distinct 'lead_agency', lead_agency from centres where lead_agency is not null
union all
select distinct 'site_type', site_type from centres where site_type is not null
order by filter, value
