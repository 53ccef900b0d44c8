-- financial_years: the financial years the extract covers, newest first.
-- Returns year (first year, 2023 = 2023-24), label ('2023-24') and whether
-- attendances exist in that year (a year with population but no attendances
-- would show every child as missed).
--
-- Parameters: none.
--
-- Used on: every page (the sidebar, dashboard.py); Overview (pages/overview.py);
--   Footfall and outcomes (pages/footfall.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/filters.py, scrutiny/findings.py, scrutiny/topics/footfall/figures.py.
with years as (
    select distinct year from population
),

attended as (
    -- child_year_attendances is counted by financial year when the extract opens.
    select distinct year from child_year_attendances
)

select
    y.year,
    y.year::varchar || '-' || lpad(((y.year + 1) % 100)::varchar, 2, '0') as label,
    y.year in (select year from attended) as has_attendances
from years as y
order by y.year desc
