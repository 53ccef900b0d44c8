"""3. People: families, every under-five in the county, who registers and when."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import (BIRTHS_FROM, BIRTHS_TO, FIVE_YEARS, LAST_DAY, RECOMMISSIONED, YEARS, month_index, month_to_day,
                       under_five_window)
from .county import County, logistic
from .sites import cluster_mate, effective_site
from .write import S, d_arr, i_arr, list_arr, write_table

GROUPS = ["lone_parent", "teenage_parent", "workless_household", "minority_ethnic", "disabled_child",
          "child_protection_plan", "child_in_need", "troubled_family", "eligible_two_year_old"]
G = {g: i for i, g in enumerate(GROUPS)}
POPULATION_GROUPS = ["all"] + GROUPS
VULNERABLE = [G[g] for g in GROUPS if g != "minority_ethnic"]


def pseudonym(prefix: str, n: int, mult: int, add: int) -> pa.Array:
    """n distinct, random-looking codes (a letter and 8 hex digits): an affine bijection of 0..n-1 modulo 2**32."""
    v = (np.arange(n, dtype=np.uint64) * np.uint64(mult) + np.uint64(add)) % np.uint64(1 << 32)
    hex_digits = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
    shifts = np.arange(28, -1, -4, dtype=np.uint64)
    buf = np.empty((n, 9), dtype=np.uint8)
    buf[:, 0] = ord(prefix)
    buf[:, 1:] = hex_digits[((v[:, None] >> shifts) & np.uint64(15)).astype(np.intp)]
    return pa.array(buf.view("S9").ravel(), type=pa.binary()).cast(S)


def build_people(cy: County) -> None:
    t, rng = cy.t, cy.rng("people")
    n_areas, z = t["n_areas"], t["z"]
    # About 45,000 children are under five at some point in a year (71 birth months); births fall ~1.5% a year.
    births_per_month = 640.0 * cy.scale
    weight = np.exp(-0.18 * z) * rng.lognormal(0, 0.2, n_areas)
    fam_births = births_per_month * weight / weight.sum()  # per area per month, at the 2015 level
    span_from, span_to = month_index(2003, 1), BIRTHS_TO
    months = span_to - span_from + 1
    kids_p = np.array([0.45, 0.37, 0.13, 0.05])
    mean_kids = float((np.arange(1, 5) * kids_p).sum())
    n_fam = rng.poisson(fam_births * months / mean_kids * 1.06)
    fam_area = np.repeat(np.arange(n_areas), n_fam)
    F = len(fam_area)
    first = span_from + rng.integers(0, months, F)
    trend = 1 - 0.015 * ((first - month_index(2015, 1)) / 12)
    keep_f = rng.random(F) < np.clip(trend, 0.5, 1.06) / 1.06
    fam_area, first = fam_area[keep_f], first[keep_f]
    F = len(fam_area)
    kids = rng.choice(np.arange(1, 5), size=F, p=kids_p)
    gaps = np.c_[np.zeros(F, dtype=np.int64), np.round(14 + rng.gamma(2.2, 9.0, (F, 3))).astype(np.int64)].cumsum(1)
    child_fam = np.repeat(np.arange(F), kids)
    order_in_fam = np.arange(len(child_fam)) - np.repeat(np.cumsum(kids) - kids, kids)
    bm = first[child_fam] + gaps[child_fam, order_in_fam]
    keep = (bm >= BIRTHS_FROM) & (bm <= BIRTHS_TO)
    child_fam, order_in_fam, bm = child_fam[keep], order_in_fam[keep], bm[keep]
    del gaps, keep
    n = len(bm)
    area = fam_area[child_fam]

    # Family circumstances.
    u = z[fam_area] + rng.normal(0, 0.9, F)
    fam = {
        "fsm": rng.random(F) < logistic(-2.25 - 1.1 * u),
        "workless": rng.random(F) < logistic(-2.95 - 1.1 * u),
        "lone": rng.random(F) < logistic(-1.85 - 0.75 * u),
        "teen": rng.random(F) < logistic(-3.6 - 0.8 * u),
        "minority": rng.random(F) < 0.65 * t["minority"][fam_area],
        "troubled": rng.random(F) < logistic(-3.85 - 1.0 * u),
        "elig2": rng.random(F) < logistic(-2.75 - 1.1 * u),
        "re": rng.normal(0, 0.85, F),
        "u": u,
    }
    fam["fsm"] |= fam["workless"] & (rng.random(F) < 0.7)
    fam["elig2"] |= fam["workless"] & (rng.random(F) < 0.8)
    flags = np.zeros((n, len(GROUPS)), dtype=bool)
    cf = child_fam
    flags[:, G["lone_parent"]] = fam["lone"][cf]
    flags[:, G["teenage_parent"]] = fam["teen"][cf] & ((bm - first[cf]) < 24)
    flags[:, G["workless_household"]] = fam["workless"][cf]
    flags[:, G["minority_ethnic"]] = fam["minority"][cf]
    flags[:, G["disabled_child"]] = rng.random(n) < logistic(-3.25 - 0.2 * fam["u"][cf])
    flags[:, G["troubled_family"]] = fam["troubled"][cf]
    flags[:, G["eligible_two_year_old"]] = fam["elig2"][cf]
    fam_risk = rng.normal(0, 1.0, F)
    cin = rng.random(n) < logistic(-4.4 - 0.9 * fam["u"][cf] + 1.6 * fam["troubled"][cf] + 0.8 * fam_risk[cf])
    cpp = cin & (rng.random(n) < logistic(-2.2 + 0.7 * fam_risk[cf] + 0.8 * fam["troubled"][cf]))
    flags[:, G["child_in_need"]] = cin
    flags[:, G["child_protection_plan"]] = cpp
    fsm = fam["fsm"][cf]
    birth_day = month_to_day(bm) + rng.integers(0, 28, n)

    # Registration: a candidate date after the birth, taken up with a probability that depends on the centre,
    # the family and its circumstances, the stories, and whether the date falls after the re-commissioning.
    flag = t["flag"]
    home = t["area_centre"][area]
    u1 = rng.random(n)
    delay = np.where(u1 < 0.62, rng.integers(10, 110, n), np.where(u1 < 0.9, rng.integers(110, 700, n),
                                                                       rng.integers(700, 1650, n)))
    vul = flags[:, VULNERABLE].any(1)
    vul2 = flags[:, G["child_protection_plan"]] | flags[:, G["child_in_need"]]
    # Vulnerable families are usually found early (midwife and health visitor referrals).
    delay = np.where(vul2 | (vul & (rng.random(n) < 0.5)), (delay * 0.45).astype(np.int64), delay)
    cand = birth_day + delay
    centre_base = rng.normal(1.05, 0.3, t["n_sites"])
    centre_base[flag["B"]] += 0.45
    beta = np.zeros(len(GROUPS))
    for g, b in {"lone_parent": 0.15, "teenage_parent": 0.25, "workless_household": 0.2, "minority_ethnic": -0.35,
                 "disabled_child": 0.45, "child_protection_plan": 1.6, "child_in_need": 1.0, "troubled_family": 0.5,
                 "eligible_two_year_old": 0.35}.items():
        beta[G[g]] = b
    x = centre_base[home] + fam["re"][cf] + flags @ beta
    post = cand >= RECOMMISSIONED
    x += np.where(flag["H"][home] & vul, 2.2, 0) + np.where(flag["Q"][home] & vul, 2.6, 0)
    x += np.where(flag["L"][home] & flags[:, G["minority_ethnic"]], -1.3, 0)
    x += np.where(flag["L"][home] & flags[:, G["teenage_parent"]], -1.5, 0)
    x += np.where(flag["B"][home] & vul, -1.1, 0)
    x += np.where(flag["R"][home] & vul & post, -1.6, 0) + np.where(flag["R"][home] & post, -0.2, 0)
    x += np.where(flag["closed"][home] & post, -0.9, 0) + np.where(flag["closed"][home] & vul & post, -0.6, 0)
    x += np.where(cand >= t["hub_day"][np.minimum(home, t["n_cc"] - 1)], 0.3, 0)
    registered = (rng.random(n) < logistic(x)) & (cand <= LAST_DAY) & (cand < birth_day + FIVE_YEARS)
    # Weekend registrations move to the Monday.
    dow = (cand + 3) % 7
    cand = np.where(dow >= 5, cand + (7 - dow), cand)
    registered &= cand <= LAST_DAY
    # Most register at their reach-area centre (or its fallback when closed or not yet open), some elsewhere.
    elsewhere = rng.random(n) < 0.07
    choice = np.where(elsewhere, cluster_mate(cy, home, rng.random(n)), home)
    reg_centre = effective_site(cy, choice, cand)

    i32 = lambda a: a.astype(np.int32)  # noqa: E731  (halves what large scales keep in memory)
    t.update(n_people=n, p_area=i32(area), p_fam=i32(child_fam), p_bm=i32(bm), p_birth=i32(birth_day), p_flags=flags,
             p_fsm=fsm, p_reg=registered, p_reg_day=i32(cand), p_reg_centre=i32(reg_centre), n_fam=F)


def write_children(cy: County) -> None:
    """Registered children, plus a handful living outside the county who use a border centre."""
    t, rng = cy.t, cy.rng("children")
    reg = np.flatnonzero(t["p_reg"])
    # Outsiders: about 0.25% extra, registered at centres in the districts on the county edge.
    n_out = int(round(len(reg) * 0.0025))
    n_cc = t["n_cc"]
    edge = np.flatnonzero(np.isin(t["centre_district"], [1, 2, 3, 4]) & ~t["flag"]["closed"][:n_cc])
    o_bm = rng.integers(month_index(2013, 1), month_index(2024, 10), n_out)
    o_birth = month_to_day(o_bm) + rng.integers(0, 28, n_out)
    o_reg = np.minimum(o_birth + rng.integers(20, 500, n_out), LAST_DAY)
    o_centre = effective_site(cy, edge[rng.integers(0, len(edge), n_out)], o_reg)
    o_flags = np.zeros((n_out, len(GROUPS)), dtype=bool)
    o_flags[:, G["minority_ethnic"]] = rng.random(n_out) < 0.15
    o_flags[:, G["lone_parent"]] = rng.random(n_out) < 0.15

    area = np.r_[t["p_area"][reg], np.full(n_out, -1)]
    centre = np.r_[t["p_reg_centre"][reg], o_centre]
    bm = np.r_[t["p_bm"][reg], o_bm]
    birth = np.r_[t["p_birth"][reg], o_birth]
    reg_day = np.r_[t["p_reg_day"][reg], o_reg]
    flags = np.r_[t["p_flags"][reg], o_flags]
    fam = np.r_[t["p_fam"][reg], t["n_fam"] + np.arange(n_out)]
    person = np.r_[reg, np.full(n_out, -1)]
    n = len(area)
    # Sort for compression and for the attendance chunks: centre, area, birth month.
    area_rank = np.full(n, -1, dtype=np.int64)
    inside = area >= 0
    code_of = np.empty(t["n_areas"], dtype=np.int64)
    code_of[t["area_order"]] = np.arange(t["n_areas"])
    area_rank[inside] = code_of[area[inside]]
    order = np.lexsort((reg_day, bm, area_rank, centre))
    area, centre, bm, birth, reg_day, flags, fam, person = (a[order] for a in (area, centre, bm, birth, reg_day, flags, fam, person))
    child_ids = pseudonym("C", n, 2654435761, 0x5EED2026 + cy.seed)
    # Family codes: one per family, shared by siblings; ~4% unrecorded.
    ufam, fam_inv = np.unique(fam, return_inverse=True)
    fam_null = rng.random(n) < 0.04
    fam_codes = pc.take(pseudonym("F", len(ufam), 2246822519, 0x0FA31 + cy.seed), pa.array(fam_inv, mask=fam_null))
    _, cols = np.nonzero(flags)
    offsets = np.r_[0, np.cumsum(flags.sum(1))]
    groups = pc.take(pa.array(GROUPS, type=S), pa.array(cols))
    write_table("children", {
        "child_id": child_ids,
        "family_id": fam_codes,
        "area_code": pc.take(pa.array(t["area_codes"], type=S), pa.array(np.maximum(area, 0), mask=area < 0)),
        "registered_centre_id": pc.take(pa.array(t["site_ids"], type=S), pa.array(centre)),
        "registered_on": d_arr(reg_day),
        "birth_month": d_arr(month_to_day(bm)),
        "target_groups": list_arr(offsets, groups),
    }, cy.out, cy.level)
    cy.row_counts["children"] = n
    t.update(c_area=area.astype(np.int32), c_centre=centre.astype(np.int32), c_bm=bm.astype(np.int32),
             c_birth=birth.astype(np.int32), c_reg=reg_day.astype(np.int32), c_flags=flags,
             c_person=person.astype(np.int32), c_ids=child_ids)


def write_population(cy: County) -> None:
    """Under-fives by area, year and group, counted with the dashboard's rule (under five at some point)."""
    t = cy.t
    n_areas = t["n_areas"]
    area, bm, flags = t["p_area"], t["p_bm"], t["p_flags"]
    order = t["area_order"]
    codes, years, groups, counts = [], [], [], []
    for year in YEARS:
        lo, hi = under_five_window(year)
        m = (bm >= lo) & (bm <= hi)
        for gi in range(len(POPULATION_GROUPS)):
            sel = m if gi == 0 else m & flags[:, gi - 1]
            cnt = np.bincount(area[sel], minlength=n_areas)
            codes.append(order)
            years.append(np.full(n_areas, year))
            groups.append(np.full(n_areas, gi))
            counts.append(cnt[order])
    code_i, year, group, cnt = (np.concatenate(v) for v in (codes, years, groups, counts))
    s = np.lexsort((group, year, _rank(order)[code_i]))
    write_table("population", {
        "area_code": pc.take(pa.array(t["area_codes"], type=S), pa.array(code_i[s])),
        "year": i_arr(year[s]),
        "target_group": pc.take(pa.array(POPULATION_GROUPS, type=S), pa.array(group[s])),
        "children": i_arr(cnt[s]),
    }, cy.out, cy.level)
    cy.row_counts["population"] = len(s)


def _rank(order: np.ndarray) -> np.ndarray:
    r = np.empty_like(order)
    r[order] = np.arange(len(order))
    return r
