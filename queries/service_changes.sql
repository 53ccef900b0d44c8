-- service_changes: dated changes to services, for annotating trend charts.
-- Returns changed_on, title, detail, centre_id, centre_name (null for authority-wide changes).
--
-- Parameters:
--   $district   only changes that are authority-wide or at a centre in this district; null = all
--
-- Used on: Overview (pages/overview.py); Reach (pages/reach.py); Gap (pages/gap.py);
--   Footfall and outcomes (pages/footfall.py); Feedback (pages/feedback.py);
--   Evidence pack (pages/evidence.py).
-- Run from: pages/footfall.py, scrutiny/evidence.py, scrutiny/findings.py,
--   scrutiny/topics/feedback/figures.py, scrutiny/topics/gap/figures.py,
--   scrutiny/topics/reach/figures.py.
select
    s.changed_on::date as changed_on,
    s.title,
    s.detail,
    s.centre_id,
    c.centre_name
from service_changes as s
left join centres as c using (centre_id)
where $district is null or s.centre_id is null or c.district = $district
order by s.changed_on
