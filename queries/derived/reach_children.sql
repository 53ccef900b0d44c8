-- reach_children: one row per child with a home area, holding only what the reach queries
-- read, made once when the extract opens.
--
-- Every reach query reads each child's home area, target groups, birth month and date of
-- registration; read from the extract's files, the list of groups is the costliest part.
-- Here the list is replaced by its number in target_group_lists, and rows are in order of
-- birth month, so a query for one year skips the children too old or too young for it.
-- Children with no home area (outside the authority or unknown) are left out: every reach
-- query drops them anyway.
--
-- Returns child_id, area_code, group_list_id (see target_group_lists), birth_month and
-- registered_on.
--
-- Read by: reach_by_area, reach_by_centre, reach_by_quarter.
select ch.child_id, ch.area_code, l.group_list_id, ch.birth_month, ch.registered_on
from children as ch
join target_group_lists as l on l.target_groups is not distinct from ch.target_groups
where ch.area_code is not null
order by ch.birth_month
