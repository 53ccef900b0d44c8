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
with period as (
    select
        make_date($year::integer, 4, 1) as starts,
        make_date($year::integer + 1, 3, 31) as ends
),

sites_in_view as (
    select c.centre_id, c.site_type
    from centres as c
    where ($district is null or c.district = $district)
      and ($cluster is null or c.cluster = $cluster)
      and ($lead_agency is null or c.lead_agency = $lead_agency)
      and ($site_type is null or c.site_type = $site_type)
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
    select v.child_id, v.centre_id, s.site_type, coalesce(f.in_target_group, false) as in_target_group
    from attendances as v
    join sites_in_view as s using (centre_id)
    left join child_flags as f using (child_id)
    cross join period
    where v.attended_on::date between period.starts and period.ends
),

types_per_child as (
    select child_id, count(distinct site_type) as site_types
    from visits
    group by all
)

select
    case when grouping(v.centre_id) = 0 then 'site' else 'site_type' end as level,
    v.centre_id,
    v.site_type,
    count(*)::bigint as attendances,
    count(*) filter (where v.in_target_group)::bigint as target_attendances,
    count(distinct v.child_id)::bigint as children,
    count(distinct v.child_id) filter (where v.in_target_group)::bigint as target_children,
    count(distinct v.child_id) filter (where t.site_types > 1)::bigint as children_other_types
from visits as v
join types_per_child as t using (child_id)
-- Every site belongs to one type, so (site_type, centre_id) is the same grouping as the site.
group by grouping sets ((v.site_type, v.centre_id), (v.site_type))
order by level, v.site_type, v.centre_id
