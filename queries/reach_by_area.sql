-- reach_by_area: one row per small area and target group for one financial year: who lives
-- there, who was registered and reached, how often they came, at which tier and at which
-- type of site, and how young they were registered. The Reach page sums these rows up to
-- centres, clusters, lead agencies, districts, site types and the whole authority; every
-- child lives in exactly one area, so sums never count a child twice.
--
-- Returns, per area_code and target_group:
--   area_name, centre_id (whose reach area holds the area) with that centre's centre_name,
--   site_type, cluster, lead_agency, district, closed_on, latitude and longitude;
--   area_district, imd_decile,
--   idaci_decile, most_deprived (IDACI decile <= 3, IMD where IDACI is missing),
--   population            estimated under-fives in the group (population table)
--   registered            children registered on or before the last day of the year
--   registered_by_3_months, registered_by_1_year   of those, registered before 3 / 12 months of age
--   reached               children with at least one attendance, at any site, in the year
--   sustained             children with at least $sustained_min attendances in the year
--   reached_1, reached_2, reached_3_to_5, reached_6_to_10, reached_11_plus
--                         reached children by their number of attendances in the year
--   attendances           their attendances in the year, and the same split by tier
--                         (attendances_universal, _targeted, _specialist) and by the type of site
--                         attended (attendances_children_centre, _family_hub, _library, _outreach)
--
-- Parameters:
--   $year            first year of the financial year (2023 = April 2023 to March 2024)
--   $sustained_min   attendances in the year that count as sustained engagement (default 3)
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the reach area's centre; null = all
--
-- Definitions match reach_by_centre (same period, same children, same groups): summing this
-- query's rows by centre_id gives that query's figures.
--
-- Used on: Overview (pages/overview.py); Reach (pages/reach.py);
--   Footfall and outcomes (pages/footfall.py); Feedback (pages/feedback.py);
--   Evidence pack (pages/evidence.py).
-- Run from: scrutiny/disclosure/reach.py, scrutiny/topics/reach/figures.py.
with centres_in_view as (
    select c.centre_id, c.centre_name, c.site_type, c.cluster, c.lead_agency, c.district, c.closed_on,
        c.latitude, c.longitude
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
),

reach_areas as materialized (
    select
        a.area_code,
        a.area_name,
        a.centre_id,
        a.district as area_district,
        a.imd_decile,
        a.idaci_decile,
        -- IDACI is the children's measure; IMD stands in where an area has no IDACI decile.
        coalesce(a.idaci_decile, a.imd_decile) <= 3 as most_deprived
    from areas as a
    where a.centre_id in (select centre_id from centres_in_view)
),

population_by_group as materialized (
    select p.area_code, p.target_group, sum(p.children) as population
    from population as p
    where p.year = $year and p.area_code in (select area_code from reach_areas)
    group by all
    union all
    -- most_deprived_30 is derived: every under-five living in the 30% most deprived areas.
    select p.area_code, 'most_deprived_30' as target_group, sum(p.children) as population
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
    select
        ch.child_id, ch.area_code, ch.group_list_id, ch.registered_on, ch.birth_month,
        ra.most_deprived
    from reach_children as ch
    join reach_areas as ra using (area_code)
    where ch.birth_month <= make_date($year::integer + 1, 3, 31)
      and ch.birth_month > make_date($year::integer - 5, 4, 1)
),

visits_by_child as (
    -- One row per child: child_year_attendances holds each child's attendances per year,
    -- counted once when the extract opened. Every site counts, whatever the filters:
    -- reach follows where the child lives.
    select child_id, attendances, universal, targeted, specialist,
        at_children_centre, at_family_hub, at_library, at_outreach
    from child_year_attendances
    where year = $year
),

child_figures as (
    select
        c.area_code,
        c.group_list_id,
        c.most_deprived,
        c.registered_on <= make_date($year::integer + 1, 3, 31) as is_registered,
        -- Age is measured from the first day of the birth month, so a child registered in
        -- its third calendar month of life counts as 3 months or older: the share is, if
        -- anything, understated. Registration before birth counts as before 3 months.
        c.registered_on < c.birth_month + interval 3 month as before_3_months,
        c.registered_on < c.birth_month + interval 1 year as before_1_year,
        coalesce(v.attendances, 0) as attendances,
        coalesce(v.universal, 0) as universal,
        coalesce(v.targeted, 0) as targeted,
        coalesce(v.specialist, 0) as specialist,
        coalesce(v.at_children_centre, 0) as at_children_centre,
        coalesce(v.at_family_hub, 0) as at_family_hub,
        coalesce(v.at_library, 0) as at_library,
        coalesce(v.at_outreach, 0) as at_outreach
    from children_in_period as c
    left join visits_by_child as v using (child_id)
),

counts_by_group_list as (
    -- Children are counted per area and list of target groups first, and only these few
    -- rows are spread over the groups below: far cheaper than unnesting every child.
    select
        area_code,
        group_list_id,
        -- Whether an area is among the most deprived depends on the area alone.
        any_value(most_deprived) as most_deprived,
        count(*) filter (where is_registered) as registered,
        count(*) filter (where is_registered and before_3_months) as registered_by_3_months,
        count(*) filter (where is_registered and before_1_year) as registered_by_1_year,
        count(*) filter (where attendances >= 1) as reached,
        count(*) filter (where attendances >= $sustained_min) as sustained,
        count(*) filter (where attendances = 1) as reached_1,
        count(*) filter (where attendances = 2) as reached_2,
        count(*) filter (where attendances between 3 and 5) as reached_3_to_5,
        count(*) filter (where attendances between 6 and 10) as reached_6_to_10,
        count(*) filter (where attendances >= 11) as reached_11_plus,
        sum(attendances) as attendances,
        sum(universal) as attendances_universal,
        sum(targeted) as attendances_targeted,
        sum(specialist) as attendances_specialist,
        sum(at_children_centre) as attendances_children_centre,
        sum(at_family_hub) as attendances_family_hub,
        sum(at_library) as attendances_library,
        sum(at_outreach) as attendances_outreach
    from child_figures
    group by area_code, group_list_id
),

groups_of_list as (
    -- The groups a child counts in, for each list and each answer to "lives in one of the
    -- most deprived areas": everyone is in 'all', its own groups and most_deprived_30 where it
    -- applies (target_groups_of is a macro made when the extract opens). A join to these few
    -- rows spreads the counts faster than unnesting a list on every row.
    select l.group_list_id, d.most_deprived,
        unnest(target_groups_of(l.target_groups, d.most_deprived)) as target_group
    from target_group_lists as l
    cross join (values (true), (false), (null)) as d(most_deprived)
),

counts_spread as (
    select
        n.* exclude (group_list_id, most_deprived),
        g.target_group
    from counts_by_group_list as n
    join groups_of_list as g
      on g.group_list_id = n.group_list_id and g.most_deprived is not distinct from n.most_deprived
),

counts as materialized (
    select
        area_code,
        target_group,
        sum(registered) as registered,
        sum(registered_by_3_months) as registered_by_3_months,
        sum(registered_by_1_year) as registered_by_1_year,
        sum(reached) as reached,
        sum(sustained) as sustained,
        sum(reached_1) as reached_1,
        sum(reached_2) as reached_2,
        sum(reached_3_to_5) as reached_3_to_5,
        sum(reached_6_to_10) as reached_6_to_10,
        sum(reached_11_plus) as reached_11_plus,
        sum(attendances) as attendances,
        sum(attendances_universal) as attendances_universal,
        sum(attendances_targeted) as attendances_targeted,
        sum(attendances_specialist) as attendances_specialist,
        sum(attendances_children_centre) as attendances_children_centre,
        sum(attendances_family_hub) as attendances_family_hub,
        sum(attendances_library) as attendances_library,
        sum(attendances_outreach) as attendances_outreach
    from counts_spread
    group by all
),

figures as (
    -- Every area and group with a population estimate or a counted child.
    select *
    from population_by_group as p
    full join counts as n using (area_code, target_group)
)

select
    g.area_code,
    ra.area_name,
    ra.centre_id,
    c.centre_name,
    c.site_type,
    c.cluster,
    c.lead_agency,
    c.district,
    c.closed_on,
    c.latitude,
    c.longitude,
    ra.area_district,
    ra.imd_decile,
    ra.idaci_decile,
    ra.most_deprived,
    g.target_group,
    coalesce(g.population, 0)::bigint as population,
    coalesce(g.registered, 0)::bigint as registered,
    coalesce(g.registered_by_3_months, 0)::bigint as registered_by_3_months,
    coalesce(g.registered_by_1_year, 0)::bigint as registered_by_1_year,
    coalesce(g.reached, 0)::bigint as reached,
    coalesce(g.sustained, 0)::bigint as sustained,
    coalesce(g.reached_1, 0)::bigint as reached_1,
    coalesce(g.reached_2, 0)::bigint as reached_2,
    coalesce(g.reached_3_to_5, 0)::bigint as reached_3_to_5,
    coalesce(g.reached_6_to_10, 0)::bigint as reached_6_to_10,
    coalesce(g.reached_11_plus, 0)::bigint as reached_11_plus,
    coalesce(g.attendances, 0)::bigint as attendances,
    coalesce(g.attendances_universal, 0)::bigint as attendances_universal,
    coalesce(g.attendances_targeted, 0)::bigint as attendances_targeted,
    coalesce(g.attendances_specialist, 0)::bigint as attendances_specialist,
    coalesce(g.attendances_children_centre, 0)::bigint as attendances_children_centre,
    coalesce(g.attendances_family_hub, 0)::bigint as attendances_family_hub,
    coalesce(g.attendances_library, 0)::bigint as attendances_library,
    coalesce(g.attendances_outreach, 0)::bigint as attendances_outreach
from figures as g
join reach_areas as ra using (area_code)
join centres_in_view as c on c.centre_id = ra.centre_id
order by g.area_code, g.target_group
