-- child_year_attendances: one row per child and financial year with any attendance, made
-- once when the extract opens and kept in memory.
--
-- Attendances are by far the largest table (tens of millions of rows for a big county) and
-- every reach figure only needs each child's totals for the year. Counting them here, in a
-- single pass, means the reach queries read about one row per child and year instead of
-- one per visit, whatever order the extract's files are in.
--
-- Returns child_id, year (first year of the financial year, 2023 = April 2023 to March 2024),
-- attendances, the same split by tier (universal, targeted, specialist) and by the type of
-- site attended (at_children_centre, at_family_hub, at_library, at_outreach), and the
-- first and last date attended in the year.
--
-- Attendances at a centre_id that is not in the centres table are left out, as the
-- validation report says. Counts are 2-byte integers, which keeps the table small (about
-- 330 MB for 88 million attendances, under 100 MB once compressed): more than 65,535
-- attendances by one child in one year (possible only through duplicated rows) stops the
-- reach queries with an error naming it. Rows are in order of year, so a query for one year
-- skips the others.
--
-- Read by: financial_years, reach_by_area, reach_by_centre, reach_by_quarter.
with visits as (
    select
        visit.child_id,
        visit.attended_on,
        visit.tier,
        site.site_type,
        -- April starts the financial year: January-March belong to the year before.
        (year(visit.attended_on) - (month(visit.attended_on) < 4)::integer)::smallint as year
    from attendances as visit
    join centres as site using (centre_id)
    where visit.child_id is not null
      and visit.attended_on is not null
)

select
    child_id,
    year,
    count(*)::usmallint as attendances,
    count(*) filter (where tier = 'universal')::usmallint as universal,
    count(*) filter (where tier = 'targeted')::usmallint as targeted,
    count(*) filter (where tier = 'specialist')::usmallint as specialist,
    count(*) filter (where site_type = 'children_centre')::usmallint as at_children_centre,
    count(*) filter (where site_type = 'family_hub')::usmallint as at_family_hub,
    count(*) filter (where site_type = 'library')::usmallint as at_library,
    count(*) filter (where site_type = 'outreach')::usmallint as at_outreach,
    min(attended_on) as first_attended_on,
    max(attended_on) as last_attended_on
from visits
group by child_id, year
order by year
