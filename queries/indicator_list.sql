-- indicator_list: every outcome indicator with the groups its gap compares and
-- the years the outcomes table holds for it.
-- Returns indicator, title, domain, polarity, gap_group_type, gap_focus_group,
-- gap_reference_group, comparability_break_year, source, kind, multiplier, first_year,
-- latest_year (first_year and latest_year are null when the indicator has no outcome rows).
--
-- Parameters: none.
--
-- Used on: Overview (pages/overview.py); Gap (pages/gap.py);
--   Footfall and outcomes (pages/footfall.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/disclosure/outcomes.py, scrutiny/evidence.py, scrutiny/topics/gap/figures.py.
with outcome_years as (
    select indicator, min(year) as first_year, max(year) as latest_year
    from outcomes
    group by indicator
)

select
    i.indicator,
    i.title,
    i.domain,
    i.polarity,
    i.gap_group_type,
    i.gap_focus_group,
    i.gap_reference_group,
    i.comparability_break_year,
    i.source,
    -- An extract that leaves kind out (or null) has proportions; a rate without a multiplier is per 1,000.
    coalesce(i.kind, 'proportion') as kind,
    case when i.kind = 'rate' then coalesce(i.multiplier, 1000) end as multiplier,
    y.first_year,
    y.latest_year
from indicators as i
left join outcome_years as y using (indicator)
-- Attainment first (the gap the topic group asks about), then wellbeing, by title.
order by i.domain, i.title
