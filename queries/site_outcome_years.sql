-- site_outcome_years: the outcome indicators that have figures for centre reach
-- areas (only those can be set against a site's footfall), with the first and
-- last year of those figures.
-- Returns indicator, first_year, last_year.
--
-- Parameters: none.
--
-- Used on: Footfall and outcomes (pages/footfall.py); Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/footfall/figures.py.
select indicator, min(year) as first_year, max(year) as last_year
from outcomes
where geography_level = 'centre'
group by indicator
order by indicator
