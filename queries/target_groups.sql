-- target_groups: every target group code the extract uses, with the derived
-- most_deprived_30 group; an extract may add codes of its own.
-- Returns target_group.
--
-- Parameters: none.
--
-- Used on: Reach (pages/reach.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/reach/figures.py.
select distinct target_group from population
union
select distinct unnest(target_groups) from children
union
select 'most_deprived_30'
order by target_group
