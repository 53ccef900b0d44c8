"""Disclosure control: which published figures are hidden, decided in one place.

Two rules, as the GSS and ONS guidance on disclosure control for tables describe them:

- **Primary**: a count of people from 1 to threshold - 1 is hidden (shown as ``c``). Zero is
  not disclosive and stays 0. The threshold is read once, here, from the extract's
  ``extract.json`` (``suppression_threshold``, 5 by default).
- **Secondary (complementary)**: figures are linked. Areas add up to their centre, centres to a
  district and to the authority, the how-often bands to the children reached, and the
  population is the children reached plus those missed. A hidden cell that is the only hidden
  cell of such a sum can be worked out as the total less the other cells, so a second cell of
  that sum is hidden too: the smallest cell that is not zero, so as little as possible is lost.
  Cells are added until every sum holding a hidden cell either has its total hidden or has
  hidden cells that together make up at least threshold - 1 children, so that each hidden
  cell could be anything from 0 to at least threshold - 1 for all the sum tells.

``plan_suppression`` makes that choice for any set of cells and sums; ``ReachPlan`` is the
Reach page's plan (one per extract version, year and sustained-engagement setting, kept between
reruns), and every view of reach figures asks it which cells to hide: the table, the sentences,
the how-often bars, the district bars, the map, the heat map, the CSV downloads, the evidence
pack and the lines of enquiry. The same cell is hidden in every view that shows it. Both kinds
of hidden cell are shown as ``c`` (as Explore Education Statistics does), so a reader cannot
tell a small number from a cell hidden to protect one.

A percentage, an interval or a rating resting on a hidden count is hidden with it.
"""

from scrutiny.disclosure.core import (DEFAULT_THRESHOLD, SAFE_MINIMUM, SUPPRESSED, Sums,  # noqa: F401
                                      plan_suppression, primary, threshold, unsafe_threshold_warning)
from scrutiny.disclosure.reach import (BAND_STARTS, BANDS, DIMENSIONS, MEASURES, TABLE_MEASURES,  # noqa: F401
                                       ReachPlan, ReachView, build_reach_plan, reach_plan)
from scrutiny.disclosure.outcomes import (OutcomesPlan, build_outcomes_plan, centre_outcomes_hidden,  # noqa: F401
                                          hidden_counts, outcomes_plan, pooled_outcomes_hidden)
from scrutiny.disclosure.feedback import (FeedbackPlan, build_feedback_plan,  # noqa: F401
                                          feedback_plan)
from scrutiny.disclosure.footfall import FootfallPlan, build_footfall_plan, footfall_plan  # noqa: F401
