-- feedback_site_footfall: each site's footfall in one financial year, to set
-- beside what people said about it.
-- Returns centre_id, centre_name, site_type, visits, sessions, new_registrations
-- (null when the site reported none) and months (months with a footfall row).
--
-- Parameters:
--   $year   first year of the financial year (2023 = April 2023 to March 2024)
--
-- Used on: Feedback (pages/feedback.py).
-- Run from: scrutiny/topics/feedback/figures.py.
with period as (
    select
        make_date($year::integer, 4, 1) as starts,
        make_date($year::integer + 1, 3, 31) as ends
),

footfall_in_year as (
    select
        f.centre_id,
        sum(f.visits) as visits,
        sum(f.sessions) as sessions,
        sum(f.new_registrations) as new_registrations,
        count(*) as months
    from footfall as f
    cross join period
    where f.month::date between period.starts and period.ends
    group by all
)

select
    c.centre_id,
    c.centre_name,
    c.site_type,
    fy.visits::bigint as visits,
    fy.sessions::bigint as sessions,
    fy.new_registrations::bigint as new_registrations,
    coalesce(fy.months, 0)::bigint as months
from centres as c
left join footfall_in_year as fy using (centre_id)
order by c.centre_name
