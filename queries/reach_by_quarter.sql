-- reach_by_quarter: reach so far in each quarter of every financial year in the extract,
-- one row per centre reach area, year, quarter and target group.
--
-- "Reach by quarter" is cumulative within the financial year: the children reached by the
-- end of a quarter are those with at least one attendance from 1 April up to the end of
-- that quarter. Q4 therefore equals the year's reach in reach_by_centre and reach_by_area,
-- and the figure falls back at every new April. The denominator is the year's population
-- estimate, and a child counts in a year when it is under five at some point in that year,
-- exactly as in the yearly figures.
--
-- Returns centre_id, year, quarter (1 = April to June ... 4 = January to March),
-- quarter_ends, target_group, population, reached (cumulative to the quarter's end).
-- Quarters that start after the last attendance in the extract are left out, so an
-- extract that stops mid-year does not show a fall that is only missing data.
--
-- Parameters:
--   $target_groups   list of target group codes to return (most_deprived_30 included)
--   $district, $cluster, $lead_agency, $site_type   sidebar filters on the centre; null = all
--
-- Used on: Overview (pages/overview.py); Reach (pages/reach.py);
--   Footfall and outcomes (pages/footfall.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/footfall/figures.py, scrutiny/topics/reach/figures.py.
with centres_in_view as (
    select c.centre_id
    -- The sidebar filters: centres_matching is a table macro made when the extract opens.
    from centres_matching($district, $cluster, $lead_agency, $site_type) as c
),

reach_areas as (
    select
        a.area_code,
        a.centre_id,
        coalesce(a.idaci_decile, a.imd_decile) <= 3 as most_deprived
    from areas as a
    where a.centre_id in (select centre_id from centres_in_view)
),

years as (
    select distinct p.year, make_date(p.year, 4, 1) as starts, make_date(p.year + 1, 3, 31) as ends
    from population as p
),

quarters as (
    select
        y.year,
        q.quarter,
        y.starts + to_months(3 * (q.quarter - 1)) as quarter_starts,
        y.starts + to_months(3 * q.quarter) - interval 1 day as quarter_ends
    from years as y
    cross join (values (1), (2), (3), (4)) as q(quarter)
    where y.starts + to_months(3 * (q.quarter - 1)) <= (select max(last_attended_on) from child_year_attendances)
),

population_by_group as materialized (
    select ra.centre_id, p.year, p.target_group, sum(p.children) as population
    from population as p
    join reach_areas as ra using (area_code)
    where list_contains($target_groups, p.target_group)
    group by all
    union all
    select ra.centre_id, p.year, 'most_deprived_30' as target_group, sum(p.children) as population
    from population as p
    join reach_areas as ra using (area_code)
    where list_contains($target_groups, 'most_deprived_30') and p.target_group = 'all' and ra.most_deprived
    group by all
),

wanted_groups as (
    -- Of each list of target groups (target_group_lists, made when the extract opens), only
    -- the groups asked for, so children group into a handful of rows.
    select group_list_id, list_intersect(target_groups, $target_groups) as target_groups
    from target_group_lists
),

children_in_view as (
    -- reach_children holds every child with a home area; children with a home area outside
    -- the reach areas in view drop out at this join.
    select ch.child_id, ch.birth_month, w.target_groups, ra.centre_id, ra.most_deprived
    from reach_children as ch
    join reach_areas as ra using (area_code)
    join wanted_groups as w using (group_list_id)
),

first_visits as (
    -- Each child's first attendance in each financial year, counted when the extract opened.
    select child_id, year, first_attended_on
    from child_year_attendances
),

first_by_group_list as (
    -- Reached children counted per centre, list of target groups, year and quarter of
    -- their first attendance; only these few rows are spread over the groups below.
    select
        c.centre_id,
        c.target_groups,
        c.most_deprived, f.year,
        -- Quarter of the financial year: April-June = 1 ... January-March = 4.
        ((month(f.first_attended_on) + 8) % 12) // 3 + 1 as quarter,
        count(*) as children
    from first_visits as f
    join children_in_view as c using (child_id)
    -- Years with a population estimate only; a plain list test, not a join on the dates.
    where f.year in (select year from years)
      -- Under five at some point in the year, as in the yearly figures.
      and c.birth_month <= make_date(f.year + 1, 3, 31)
      and c.birth_month > make_date(f.year - 5, 4, 1)
    group by all
),

first_by_quarter as materialized (
    select centre_id, year, quarter, target_group, sum(children) as children
    from (
        select
            centre_id, year, quarter, children,
            -- Every child is in 'all', its own groups and most_deprived_30 where it applies
            -- (target_groups_of is a macro made when the extract opens).
            unnest(target_groups_of(target_groups, most_deprived)) as target_group
        from first_by_group_list
    )
    where list_contains($target_groups, target_group)
    group by all
),

series as (
    -- Every centre, group and year with a population or a reached child, in every quarter.
    select k.centre_id, k.target_group, q.year, q.quarter, q.quarter_ends
    from (
        select centre_id, target_group, year from population_by_group
        union
        select centre_id, target_group, year from first_by_quarter
    ) as k
    join quarters as q using (year)
)

select
    s.centre_id,
    s.year,
    s.quarter,
    s.quarter_ends,
    s.target_group,
    coalesce(any_value(p.population), 0)::bigint as population,
    -- Cumulative: every child whose first attendance of the year came in this quarter or before.
    coalesce(sum(f.children), 0)::bigint as reached
from series as s
left join population_by_group as p using (centre_id, target_group, year)
left join first_by_quarter as f
    on f.centre_id = s.centre_id and f.target_group = s.target_group
   and f.year = s.year and f.quarter <= s.quarter
group by s.centre_id, s.year, s.quarter, s.quarter_ends, s.target_group
order by s.centre_id, s.target_group, s.year, s.quarter
