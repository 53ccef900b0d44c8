-- target_group_lists: one row per distinct list of target groups on the children table, each
-- with a small whole-number id, made once when the extract opens.
--
-- Children share a few hundred lists between millions of them. The reach queries count
-- children per area (or centre) and list before spreading the counts over the groups, and
-- grouping by a number is cheaper than grouping by a list of text. The lists are the
-- children table's own: a null list and an empty one are two rows, and a custom group code
-- is kept exactly as written.
--
-- Returns group_list_id (1, 2, ... in the lists' sort order, a null list last) and target_groups.
--
-- Read by: reach_by_area, reach_by_centre, reach_by_quarter, reach_children.
select
    (row_number() over (order by target_groups nulls last))::integer as group_list_id,
    target_groups
from (select distinct target_groups from children)
