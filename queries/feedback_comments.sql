-- feedback_comments: every consultation comment with the site it is about.
-- Returns response_id, consultation, collected_on, respondent_type, site_type
-- (the comment's own, else its site's), centre_id, centre_name, district,
-- cluster, lead_agency, comment (raw: masked in Python before anything is
-- shown), themes (pre-coded, may be null) and sentiment (may be null).
--
-- Parameters: none. Every comment is coded once per data version and the
-- sidebar filters are applied to the coded comments (scrutiny/topics/feedback/figures.py).
--
-- Used on: Overview (pages/overview.py); Feedback (pages/feedback.py);
--   Evidence pack (pages/evidence.py).
-- Run from: scrutiny/topics/feedback/coding.py.
with comments as (
    select
        f.response_id,
        f.consultation,
        f.collected_on::date as collected_on,
        f.respondent_type,
        f.site_type,
        f.centre_id,
        f.comment,
        f.themes,
        f.sentiment
    from feedback as f
),

sites as (
    select centre_id, centre_name, site_type, district, cluster, lead_agency
    from centres
)

select
    c.response_id,
    c.consultation,
    c.collected_on,
    c.respondent_type,
    -- A comment may name its site type without naming a site (a library user in general).
    coalesce(c.site_type, s.site_type) as site_type,
    c.centre_id,
    s.centre_name,
    s.district,
    s.cluster,
    s.lead_agency,
    c.comment,
    c.themes,
    c.sentiment
from comments as c
left join sites as s using (centre_id)
order by c.collected_on, c.response_id
