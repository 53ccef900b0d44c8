-- reach_by_centre: one row per centre reach area and target group for one financial year:
-- population, registered, reached, sustained and missed children.
--
-- Parameters:
--   $year            first year of the financial year (2023 = April 2023 to March 2024)
--   $sustained_min   attendances in the year that count as sustained engagement (default 3)
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the centre; null = all
--
-- Reach is attributed by where a child lives (the reach-area principle), not by
-- where it attended: a child living in Eastfield's reach area who only went to a
-- library still counts as reached for Eastfield.
--
-- Used on: Overview (pages/overview.py); Footfall and outcomes (pages/footfall.py);
--   Feedback (pages/feedback.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/findings.py, scrutiny/topics/feedback/figures.py,
--   scrutiny/topics/footfall/figures.py.
with period as (
    select
        make_date($year::integer, 4, 1) as starts,
        make_date($year::integer + 1, 3, 31) as ends
),

centres_in_view as (
    select c.*
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
),

reach_areas as (
    select
        a.area_code,
        a.centre_id,
        -- IDACI is the children's measure; IMD stands in where an area has no IDACI decile.
        coalesce(a.idaci_decile, a.imd_decile) <= 3 as most_deprived
    from areas as a
    where a.centre_id in (select centre_id from centres_in_view)
),

population_by_group as (
    select ra.centre_id, p.target_group, sum(p.children) as population
    from population as p
    join reach_areas as ra using (area_code)
    where p.year = $year
    group by all
    union all
    -- most_deprived_30 is derived: every under-five living in the 30% most deprived areas.
    select ra.centre_id, 'most_deprived_30' as target_group, sum(p.children) as population
    from population as p
    join reach_areas as ra using (area_code)
    where p.year = $year and p.target_group = 'all' and ra.most_deprived
    group by all
),

children_in_period as (
    -- Under five at some point in the period, using the first day of the birth month (born
    -- after the day five years before the period starts). reach_children (made when the
    -- extract opens) holds every child with a home area, its list of target groups as a
    -- number (target_group_lists).
    select ch.child_id, ch.group_list_id, ch.registered_on, ra.centre_id, ra.most_deprived
    from reach_children as ch
    join reach_areas as ra using (area_code)
    where ch.birth_month <= make_date($year::integer + 1, 3, 31)
      and ch.birth_month > make_date($year::integer - 5, 4, 1)
),

attendance_counts as (
    -- Every site counts, whatever the filters: reach follows where the child lives.
    -- child_year_attendances holds each child's attendances per year, counted when the extract opened.
    select child_id, attendances
    from child_year_attendances
    where year = $year
),

counts_by_group_list as (
    -- Children are counted per centre and list of target groups first, and only these few
    -- rows are spread over the groups below: far cheaper than unnesting every child.
    select
        c.centre_id,
        c.group_list_id,
        c.most_deprived,
        count(*) filter (where c.registered_on <= (select ends from period)) as registered,
        count(*) filter (where ac.attendances >= 1) as reached,
        count(*) filter (where ac.attendances >= $sustained_min) as sustained,
        coalesce(sum(ac.attendances), 0) as attendances
    from children_in_period as c
    left join attendance_counts as ac using (child_id)
    group by c.centre_id, c.group_list_id, c.most_deprived
),

groups_of_list as (
    -- The groups a child counts in, for each list and each answer to "lives in one of the
    -- most deprived areas": everyone is in 'all', its own groups and most_deprived_30 where it
    -- applies (target_groups_of is a macro made when the extract opens).
    select l.group_list_id, d.most_deprived,
        unnest(target_groups_of(l.target_groups, d.most_deprived)) as target_group
    from target_group_lists as l
    cross join (values (true), (false), (null)) as d(most_deprived)
),

counts as (
    select
        n.centre_id,
        g.target_group,
        sum(n.registered) as registered,
        sum(n.reached) as reached,
        sum(n.sustained) as sustained,
        sum(n.attendances) as attendances
    from counts_by_group_list as n
    join groups_of_list as g
      on g.group_list_id = n.group_list_id and g.most_deprived is not distinct from n.most_deprived
    group by all
),

groups_in_view as (
    select centre_id, target_group from population_by_group
    union
    select centre_id, target_group from counts
)

select
    c.centre_id,
    c.centre_name,
    c.site_type,
    c.cluster,
    c.lead_agency,
    c.district,
    c.opened_on,
    c.closed_on,
    g.target_group,
    coalesce(p.population, 0)::bigint as population,
    coalesce(n.registered, 0)::bigint as registered,
    coalesce(n.reached, 0)::bigint as reached,
    coalesce(n.sustained, 0)::bigint as sustained,
    greatest(coalesce(p.population, 0) - coalesce(n.reached, 0), 0)::bigint as missed,
    coalesce(n.attendances, 0)::bigint as attendances
from groups_in_view as g
join centres_in_view as c using (centre_id)
left join population_by_group as p using (centre_id, target_group)
left join counts as n using (centre_id, target_group)
order by c.centre_name, g.target_group
