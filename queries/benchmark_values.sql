-- benchmark_values: published comparator values (per cent), e.g. England and
-- statistical neighbours, for every year and group the extract has.
-- Returns indicator, geography, year, group_type, group, value, lower_ci, upper_ci, source.
-- Empty when the extract has no benchmarks table (it is optional).
--
-- Parameters:
--   $indicator   indicator code; null = every indicator
--
-- Used on: Overview (pages/overview.py); Gap (pages/gap.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/gap/figures.py.
select b.indicator, b.geography, b.year, b.group_type, b."group", b.value, b.lower_ci, b.upper_ci, b.source
from benchmarks as b
where $indicator is null or b.indicator = $indicator
-- England first: it is the comparison a committee expects.
order by b.indicator, b.geography <> 'England', b.geography, b.year, b.group_type, b."group"
