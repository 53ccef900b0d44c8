-- footfall_by_site_month: every site's footfall return for every month in the extract, with the
-- site's place in the sidebar filters: what the Footfall page's disclosure plan is built from
-- (scrutiny/disclosure/footfall.py), since the page's site table, totals, site-type table and
-- monthly chart are all sums of these rows.
-- Returns centre_id, site_type, district, cluster, lead_agency, month (its first day), year (the
-- financial year it falls in: 2023 = April 2023 to March 2024), visits, new_registrations (null
-- when not recorded).
--
-- Parameters: none (the plan covers every combination of the sidebar filters at once).
--
-- Used on: Overview (pages/overview.py); Footfall and outcomes (pages/footfall.py);
--   Feedback (pages/feedback.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/disclosure/footfall.py.
with months as (
    select
        f.centre_id,
        -- A month stored as a timestamp or mid-month date still lands on its first day.
        date_trunc('month', f.month::date)::date as month,
        sum(f.visits) as visits,
        sum(f.new_registrations) as new_registrations
    from footfall as f
    group by all
)

select
    m.centre_id,
    c.site_type,
    c.district,
    c.cluster,
    c.lead_agency,
    m.month,
    (year(m.month) - case when month(m.month) < 4 then 1 else 0 end)::integer as year,
    m.visits::bigint as visits,
    m.new_registrations::bigint as new_registrations
from months as m
join centres as c using (centre_id)
order by m.centre_id, m.month
