"""5. Outcomes, indicators and benchmarks."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import GLD_YEARS, YEARS, month_index, under_five_window
from .county import AUTHORITY, County, logistic, logit
from .geography import DISTRICTS, GAP_NARROWS, GAP_WIDENS
from .people import G
from .write import I32, S, f_arr, i_arr, s_arr, write_table

INDICATORS = [
    # indicator, title, domain, polarity, gap type, focus, reference, break year, source
    ("gld", "Good level of development at the end of reception", "attainment", "higher_is_better",
     "fsm_status", "fsm", "non_fsm", 2021, "DfE Early years foundation stage profile results; sample values are fictional"),
    ("asq_communication", "Children at or above the expected level in communication at 2 to 2\u00bd years",
     "wellbeing", "higher_is_better", "fsm_status", "fsm", "non_fsm", None,
     "OHID Child development outcomes at 2 to 2\u00bd years (ASQ-3); sample values are fictional"),
    ("breastfeeding_6_8wk", "Babies totally or partially breastfed at 6 to 8 weeks", "wellbeing", "higher_is_better",
     "idaci_quintile", "1", "5", None, "OHID Breastfeeding at 6 to 8 weeks after birth; sample values are fictional"),
    ("obesity_reception", "Reception children living with obesity", "wellbeing", "lower_is_better",
     "fsm_status", "fsm", "non_fsm", None, "NHS England National Child Measurement Programme; sample values are fictional"),
    ("tooth_decay_5", "Five-year-olds with visually obvious tooth decay", "wellbeing", "lower_is_better",
     "idaci_quintile", "1", "5", None,
     "OHID National Dental Epidemiology Programme, oral health survey of 5-year-olds; sample values are fictional"),
    ("injury_admissions_0_4", "Hospital admissions for injuries in children aged 0 to 4 (admissions per child)",
     "wellbeing", "lower_is_better", "idaci_quintile", "1", "5", None,
     "NHS England Hospital Episode Statistics, admissions for unintentional and deliberate injuries; sample values are fictional"),
]

# Local GLD base rates (per cent) by academic year: (non-FSM, FSM).
GLD_BASE = {2017: (74.0, 55.0), 2018: (74.5, 55.5), 2021: (69.5, 48.0), 2022: (71.0, 50.0), 2023: (71.5, 50.5),
            2024: (72.0, 51.0)}

ENGLAND_GLD = {  # DfE, EYFSP results: (all, FSM, non-FSM) by first year of the academic year
    2016: (70.7, 56.0, 73.0), 2017: (71.5, 56.6, 73.8), 2018: (71.8, 57.0, 74.0),
    2021: (65.2, 49.1, 69.5), 2022: (67.2, 51.6, 71.5), 2023: (67.7, 51.5, 72.0),
}
ENGLAND_ILLUSTRATIVE = {
    "asq_communication": [85.6, 85.9, 85.4, 84.2, 83.6, 84.0, 84.4, 84.8],
    "breastfeeding_6_8wk": [46.2, 46.9, 47.6, 48.0, 49.2, 49.3, 49.6, 50.1],
    "obesity_reception": [9.5, 9.7, 9.9, 14.4, 10.1, 9.2, 9.6, 9.5],
    "tooth_decay_5": [23.3, 23.4, 23.4, 23.6, 23.7, 23.5, 22.4, 22.2],
    "injury_admissions_0_4": [1.26, 1.22, 1.18, 0.96, 1.05, 1.08, 1.06, 1.04],
}


def _yearly(year: int, lo: int, hi: int) -> float:
    return (year - lo) / (hi - lo)


def write_outcomes(cy: County) -> None:
    t, rng = cy.t, cy.rng("outcomes")
    n_cc = t["n_cc"]
    area, bm, fsm = t["p_area"], t["p_bm"], t["p_fsm"]
    flags = t["p_flags"]
    za = t["z"][area]
    cen = t["area_centre"][area]
    dist = t["district"][area]
    idaci = np.where(t["idaci_null"], t["imd"], t["idaci"])
    quint = ((idaci[area] + 1) // 2).astype(np.int64)  # 1 = most deprived fifth
    # Was the child seen at a centre (registered and attended)? A small boost to development.
    seen = np.zeros(t["n_people"], dtype=bool)
    person = t["c_person"]
    ok = person >= 0
    seen[person[ok][t["ever_seen"][ok]]] = True
    centre_re = rng.normal(0, 0.12, t["n_sites"])
    centre_re[t["flag"]["Q"]] += 0.25
    dn = {d.name: i for i, d in enumerate(DISTRICTS)}
    minority = flags[:, G["minority_ethnic"]]

    def birth_window(first_year: int, first_month: int, months: int = 12):
        lo = month_index(first_year, first_month)
        return (bm >= lo) & (bm < lo + months)

    ind_names = [r[0] for r in INDICATORS]
    levels = ["centre", "district", "authority"]
    group_types = ["all", "fsm_status", "idaci_quintile"]
    group_names = ["all", "fsm", "non_fsm", "1", "2", "3", "4", "5"]
    geo_names = list(t["site_ids"][:n_cc]) + [d.name for d in DISTRICTS] + [AUTHORITY]
    parts: list[np.ndarray] = []  # each: indicator, level, geo, year, group type, group, numerator, denominator

    def add(ind: str, year: int, sel: np.ndarray, num: np.ndarray):
        c, f, q, x = cen[sel], fsm[sel].astype(np.int64), quint[sel], num[sel].astype(np.int64)
        d = t["centre_district"][c]
        specs = [(0, np.zeros(len(c), dtype=np.int64), 0, 1), (1, 1 - f, 1, 2), (2, q - 1, 3, 5)]
        for gt, gi, g_off, ng in specs:
            for li, unit, n_units, geo_off in ((0, c, n_cc, 0), (1, d, len(DISTRICTS), n_cc),
                                               (2, np.zeros(len(c), dtype=np.int64), 1, n_cc + len(DISTRICTS))):
                keyv = unit * ng + gi
                den = np.bincount(keyv, minlength=n_units * ng)
                nm = np.bincount(keyv, weights=x, minlength=n_units * ng).round().astype(np.int64)
                kk = np.flatnonzero(den > 0)
                u_, g_ = np.divmod(kk, ng)
                m = len(kk)
                parts.append(np.c_[np.full(m, ind_names.index(ind)), np.full(m, li), geo_off + u_, np.full(m, year),
                                   np.full(m, gt), g_off + g_, nm[kk], den[kk]])

    n = t["n_people"]
    for year in YEARS:
        # Reception-year cohort of academic year `year`: born September year-5 to August year-4.
        recep = birth_window(year - 5, 9)
        if year in GLD_YEARS:
            non, fs = GLD_BASE[year]
            base = np.where(fsm, logit(fs / 100), logit(non / 100))
            adj = np.zeros(n)
            f_ = _yearly(year, 2017, 2024)
            adj += np.where((dist == dn[GAP_NARROWS]) & fsm, -0.45 + 0.95 * f_, 0)
            adj += np.where((dist == dn[GAP_WIDENS]) & fsm, 0.2 - 0.42 * f_, 0)
            adj += np.where((dist == dn[GAP_WIDENS]) & ~fsm, -0.05 + 0.2 * f_, 0)
            x = base + adj + 0.22 * za + centre_re[cen] + 0.12 * seen - 0.25 * minority * (year < 2021)
            assessed = recep & (rng.random(n) < 0.985)
            add("gld", year, assessed, rng.random(n) < logistic(x))
        # NCMP obesity in reception (a jump in the pandemic year), oral health survey of five-year-olds.
        x = logit(0.092) - 0.2 * za + 0.3 * fsm + 0.45 * (year == 2020) + 0.15 * (year == 2021) + centre_re[cen] * 0.5
        measured = recep & (rng.random(n) < 0.95)
        add("obesity_reception", year, measured, rng.random(n) < logistic(x))
        x = logit(0.21) - 0.38 * za + 0.35 * fsm + 0.3 * minority - 0.03 * (year - 2017)
        sampled = recep & (rng.random(n) < 0.22)
        add("tooth_decay_5", year, sampled, rng.random(n) < logistic(x))
        # ASQ-3 at 2-2.5 years in the financial year: born October year-3 to September year-2.
        x = logit(0.87) + 0.2 * za - 0.55 * fsm - 0.3 * (year in (2020, 2021, 2022)) + 0.15 * seen
        reviewed = birth_window(year - 3, 10) & (rng.random(n) < 0.86)
        add("asq_communication", year, reviewed, rng.random(n) < logistic(x))
        # Breastfeeding at 6-8 weeks: babies born in the financial year with a known status.
        x = logit(0.47) + 0.35 * za - 0.35 * fsm + 0.7 * minority + 0.03 * (year - 2017)
        known = birth_window(year, 4) & (rng.random(n) < 0.93)
        add("breastfeeding_6_8wk", year, known, rng.random(n) < logistic(x))
        # Injury admissions: admissions during the year among under-fives (counted with the dashboard's rule).
        lo, hi = under_five_window(year)
        u5 = (bm >= lo) & (bm <= hi)
        rate = 0.0105 * np.exp(-0.3 * za + 0.3 * fsm) * (0.78 if year == 2020 else 1.0)
        add("injury_admissions_0_4", year, u5, rng.poisson(rate))
    allrows = np.concatenate(parts)
    order = np.lexsort(tuple(allrows[:, i] for i in (5, 4, 3, 2, 1, 0)))
    allrows = allrows[order]
    take = lambda names, col: pc.take(pa.array(names, type=S), pa.array(allrows[:, col]))  # noqa: E731
    write_table("outcomes", {
        "indicator": take(ind_names, 0), "geography_level": take(levels, 1), "geography_code": take(geo_names, 2),
        "year": i_arr(allrows[:, 3]), "group_type": take(group_types, 4), "group": take(group_names, 5),
        "numerator": i_arr(allrows[:, 6]), "denominator": i_arr(allrows[:, 7]),
    }, cy.out, cy.level)
    cy.row_counts["outcomes"] = len(allrows)

    write_table("indicators", {
        "indicator": s_arr([r[0] for r in INDICATORS]), "title": s_arr([r[1] for r in INDICATORS]),
        "domain": s_arr([r[2] for r in INDICATORS]), "polarity": s_arr([r[3] for r in INDICATORS]),
        "gap_group_type": s_arr([r[4] for r in INDICATORS]), "gap_focus_group": s_arr([r[5] for r in INDICATORS]),
        "gap_reference_group": s_arr([r[6] for r in INDICATORS]),
        "comparability_break_year": pa.array([r[7] for r in INDICATORS], type=I32),
        "source": s_arr([r[8] for r in INDICATORS]),
    }, cy.out, cy.level)
    cy.row_counts["indicators"] = len(INDICATORS)

    # Benchmarks.
    b = {k: [] for k in ("indicator", "geography", "year", "gt", "group", "value", "lo", "hi", "source")}

    def bench(ind, geo, year, gt, grp, value, ci, source):
        b["indicator"].append(ind)
        b["geography"].append(geo)
        b["year"].append(year)
        b["gt"].append(gt)
        b["group"].append(grp)
        b["value"].append(round(float(value), 1) if ind != "injury_admissions_0_4" else round(float(value), 2))
        b["lo"].append(None if ci is None else round(max(0.0, value - ci), 2))
        b["hi"].append(None if ci is None else round(min(100.0, value + ci), 2))
        b["source"].append(source)

    dfe = "DfE, Early years foundation stage profile results, England"
    for year, (al, fs, nf) in ENGLAND_GLD.items():
        bench("gld", "England", year, "all", "all", al, None, dfe)
        bench("gld", "England", year, "fsm_status", "fsm", fs, None, dfe)
        bench("gld", "England", year, "fsm_status", "non_fsm", nf, None, dfe)
    illus = "Illustrative England values for the sample extract, not official statistics"
    for ind, values in ENGLAND_ILLUSTRATIVE.items():
        for year, v in zip(YEARS, values):
            bench(ind, "England", year, "all", "all", v, None, illus)
    fict = "Fictional statistical neighbour average for the sample extract"
    srng = cy.rng("benchmarks")
    for year in GLD_YEARS:
        if year in ENGLAND_GLD:
            al, fs, nf = ENGLAND_GLD[year]
        else:
            al, fs, nf = 68.3, 52.0, 72.6  # 2024-25: no published figure in the extract; neighbours only
        shift = srng.normal(0.8, 0.4)
        bench("gld", "Statistical neighbours", year, "all", "all", al + shift, 1.1, fict)
        bench("gld", "Statistical neighbours", year, "fsm_status", "fsm", fs - 1.5 + shift, 2.4, fict)
        bench("gld", "Statistical neighbours", year, "fsm_status", "non_fsm", nf + 0.5 + shift, 1.2, fict)
    neighbour_factor = {ind: srng.normal(1.03 if ind == "breastfeeding_6_8wk" else 0.97, 0.015)
                        for ind in ENGLAND_ILLUSTRATIVE}
    for ind, values in ENGLAND_ILLUSTRATIVE.items():
        for year, v in zip(YEARS, values):
            factor = neighbour_factor[ind] * srng.normal(1.0, 0.006)
            bench(ind, "Statistical neighbours", year, "all", "all", v * factor, 0.1 if ind == "injury_admissions_0_4" else 1.3, fict)
    lo_mask = np.array([v is None for v in b["lo"]])
    write_table("benchmarks", {
        "indicator": s_arr(b["indicator"]), "geography": s_arr(b["geography"]), "year": i_arr(b["year"]),
        "group_type": s_arr(b["gt"]), "group": s_arr(b["group"]), "value": f_arr(b["value"]),
        "lower_ci": f_arr([0.0 if v is None else v for v in b["lo"]], mask=lo_mask),
        "upper_ci": f_arr([0.0 if v is None else v for v in b["hi"]], mask=lo_mask),
        "source": s_arr(b["source"]),
    }, cy.out, cy.level)
    cy.row_counts["benchmarks"] = len(b["indicator"])
