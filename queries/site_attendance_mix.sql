-- site_attendance_mix: who used each site, and each type of site, in one financial year:
-- how many attendances and children, and how many of them were in a target group.
-- Returns level ('site' or 'site_type'), centre_id (null on site_type rows),
-- site_type, attendances, target_attendances, children, target_children,
-- children_other_types (children who also used another type of site in the year).
--
-- Parameters:
--   $year    first year of the financial year (2023 = April 2023 to March 2024)
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the site attended; null = all
--
-- "In a target group": the child's record lists any target group, or the child
-- lives in one of the 30% most deprived areas (the most_deprived_30 group of
-- reach_by_centre, derived from the same deciles). Every attendance at the site
-- counts, whoever's it is and wherever the child lives: this describes a site's
-- users, not the reach of an area.
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
    select c.centre_id, c.site_type
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
),

visits_by_child as (
    -- One row per child and site first: a few hundred thousand rows rather than millions.
    select v.child_id, v.centre_id, count(*) as attendances
    from attendances as v
    cross join period
    where v.attended_on between period.starts and period.ends
    group by all
),

child_flags as (
    select
        ch.child_id,
        len(coalesce(ch.target_groups, []::varchar[])) > 0
            -- IDACI is the children's measure; IMD stands in where an area has no IDACI decile.
            or coalesce(coalesce(a.idaci_decile, a.imd_decile) <= 3, false) as in_target_group
    from children as ch
    left join areas as a using (area_code)
),

visits as (
    select v.child_id, v.centre_id, s.site_type, v.attendances, coalesce(f.in_target_group, false) as in_target_group
    from visits_by_child as v
    join sites_in_view as s using (centre_id)
    left join child_flags as f using (child_id)
),

types_used as (
    -- One row per child and type of site.
    select child_id, site_type, bool_or(in_target_group) as in_target_group, sum(attendances) as attendances
    from visits
    group by child_id, site_type
),

types_per_child as (
    select child_id, count(*) as site_types
    from types_used
    group by child_id
),

child_types as (
    select u.*, t.site_types
    from types_used as u
    join types_per_child as t using (child_id)
),

visits_with_types as (
    select v.*, t.site_types
    from visits as v
    join types_per_child as t using (child_id)
)

-- A child has one row per site in visits and one per type in child_types, so
-- plain counts are counts of children.
select
    'site' as level,
    centre_id,
    site_type,
    sum(attendances)::bigint as attendances,
    coalesce(sum(attendances) filter (where in_target_group), 0)::bigint as target_attendances,
    count(*)::bigint as children,
    count(*) filter (where in_target_group)::bigint as target_children,
    count(*) filter (where site_types > 1)::bigint as children_other_types
from visits_with_types
group by centre_id, site_type
union all
select
    'site_type' as level,
    null as centre_id,
    site_type,
    sum(attendances)::bigint,
    coalesce(sum(attendances) filter (where in_target_group), 0)::bigint,
    count(*)::bigint,
    count(*) filter (where in_target_group)::bigint,
    count(*) filter (where site_types > 1)::bigint
from child_types
group by site_type
order by level, site_type, centre_id
