"""4. Attendances, in parts, and the monthly footfall worked out from them."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import FIRST_MONTH, FIVE_YEARS, LAST_DAY, N_MONTHS, YEARS, day, day_to_month, fy_bounds, month_to_day
from .county import County, logistic
from .geography import DISTRICTS, RURAL
from .people import G, VULNERABLE
from .sites import cluster_mate, effective_site
from .write import S, d_arr, i_arr, write_table

# (name, tier, youngest month, oldest month, site kinds: c = centre, l = library, o = outreach, weight)
ACTIVITIES = [
    ("Stay and play", "universal", 0, 60, "co", 10.0),
    ("Rhymetime", "universal", 0, 48, "cl", 6.0),
    ("Bookstart", "universal", 0, 60, "l", 3.0),
    ("Story time", "universal", 18, 60, "l", 4.0),
    ("Baby massage", "universal", 0, 8, "c", 6.0),
    ("Health visitor clinic", "universal", 0, 30, "c", 6.0),
    ("Messy play", "universal", 12, 60, "co", 4.0),
    ("Breastfeeding support", "targeted", 0, 8, "c", 6.0),
    ("Parenting programme", "targeted", 0, 60, "co", 4.0),
    ("Speech and language group", "targeted", 18, 60, "cl", 5.0),
    ("Young parents group", "targeted", 0, 60, "c", 2.0),
    ("Early learning for two-year-olds", "targeted", 24, 41, "c", 4.0),
    ("One-to-one family support", "specialist", 0, 60, "co", 6.0),
    ("Perinatal mental health support", "specialist", 0, 11, "c", 3.0),
    ("Speech and language therapy", "specialist", 18, 60, "c", 3.0),
]
TIERS = ["universal", "targeted", "specialist"]
AGE_BANDS = np.array([0, 9, 12, 18, 24, 42, 48], dtype=np.int64)  # lower bounds in months


def _activity_tables():
    """For each (site kind, tier, age band): eligible activity indices and probabilities."""
    kinds = "clo"
    table = {}
    for k, kc in enumerate(kinds):
        for ti, tier in enumerate(TIERS):
            for b, lo in enumerate(AGE_BANDS):
                idx = [i for i, a in enumerate(ACTIVITIES)
                       if a[1] == tier and kc in a[4] and a[2] <= lo and a[3] > lo]
                if idx:
                    w = np.array([ACTIVITIES[i][5] for i in idx])
                    table[(k, ti, b)] = (np.array(idx), w / w.sum())
    return table


def write_attendances(cy: County) -> None:
    t = cy.t
    n = len(t["c_area"])
    flag = t["flag"]
    n_sites, n_cc = t["n_sites"], t["n_cc"]
    folder = cy.out / "attendances"
    folder.mkdir(parents=True, exist_ok=True)
    chunk = 100_000 if cy.scale <= 4 else 40_000  # about 2.8 or 1.1 million attendances a part
    n_chunks = max(1, math.ceil(n / chunk))
    # Parts left from a larger run would be read as part of this one.
    for old in folder.glob("part-*.parquet"):
        if old.stem.split("-")[-1].isdigit() and int(old.stem.split("-")[-1]) >= n_chunks:
            old.unlink()
    if cy.progress.bar is not None:
        cy.progress.bar.total = 12 + n_chunks
        cy.progress.bar.refresh()
    site_month = np.zeros(n_sites * N_MONTHS, dtype=np.int64)
    ever_seen = np.zeros(n, dtype=bool)
    act_tables = _activity_tables()
    act_names = pa.array([a[0] for a in ACTIVITIES], type=S)
    tier_of_act = pa.array([a[1] for a in ACTIVITIES], type=S)
    site_ids = pa.array(t["site_ids"], type=S)
    rural = np.isin(t["site_district"], [i for i, d in enumerate(DISTRICTS) if d.name in RURAL])
    out_sites = np.arange(n_cc + t["n_lib"], n_sites)
    total = 0
    vul_all = t["c_flags"][:, VULNERABLE].any(1)
    vul2_all = t["c_flags"][:, G["child_protection_plan"]] | t["c_flags"][:, G["child_in_need"]]
    # The fixed per-centre effects come from their own stream so chunking never changes them.
    crng = cy.rng("attendance-centres")
    seen_base = crng.normal(0.15, 0.3, n_sites)
    intensity = crng.lognormal(0, 0.15, n_sites)
    intensity[flag["B"]] *= 1.35
    intensity[flag["Q"]] *= 0.65
    for ci in range(n_chunks):
        rng = np.random.default_rng([cy.seed, 7, cy.scale, ci])
        lo_c, hi_c = ci * chunk, min(n, (ci + 1) * chunk)
        idx = np.arange(lo_c, hi_c)
        birth, reg_day, centre = t["c_birth"][idx], t["c_reg"][idx], t["c_centre"][idx]
        area = t["c_area"][idx]
        home = np.where(area >= 0, t["area_centre"][np.maximum(area, 0)], centre)
        vul, vul2 = vul_all[idx], vul2_all[idx]
        minority = t["c_flags"][idx, G["minority_ethnic"]]
        # Child-years.
        cy_child, cy_year, cy_start, cy_end = [], [], [], []
        for year in YEARS:
            s, e = fy_bounds(year)
            a = np.maximum(s, np.maximum(reg_day, birth))
            b = np.minimum(e, birth + FIVE_YEARS - 1)
            ok = b >= a
            cy_child.append(np.flatnonzero(ok))
            cy_year.append(np.full(ok.sum(), year))
            cy_start.append(a[ok])
            cy_end.append(b[ok])
        k = np.concatenate(cy_child)
        yr = np.concatenate(cy_year)
        a = np.concatenate(cy_start)
        b = np.concatenate(cy_end)
        expo = (b - a + 1) / 365.0
        age_mid = ((a + b) / 2 - birth[k]) / 365.25
        post = yr >= 2021
        hk = home[k]
        v, v2 = vul[k], vul2[k]
        xs = (0.55 + seen_base[hk] + 0.5 * v + 0.9 * v2 - 0.5 * (age_mid > 3.2) + 0.6 * np.log(np.clip(expo, 0.05, 1))
              + np.where(flag["H"][hk] & v, 2.6, 0) + np.where(flag["Q"][hk] & v, 3.0, 0)
              + np.where(flag["B"][hk] & v, -0.9, 0) + np.where(flag["L"][hk] & minority[k], -0.8, 0)
              + np.where(flag["R"][hk] & v & post, -1.4, 0) + np.where(flag["closed"][hk] & post, -0.7, 0)
              + np.where(b >= t["hub_day"][np.minimum(hk, n_cc - 1)], 0.3, 0))
        seen = rng.random(len(k)) < logistic(xs)
        lam = (10.0 + 5.0 * v + 8.0 * v2) * expo * intensity[hk] * np.where(age_mid < 1, 1.5, 1.0)
        cnt = np.where(seen, 1 + rng.poisson(lam), 0)
        rows = int(cnt.sum())
        rk = np.repeat(k, cnt)
        day_ = np.repeat(a, cnt) + (rng.random(rows) * np.repeat(b - a + 1, cnt)).astype(np.int64)
        # Lockdown: almost nothing face to face from April to June 2020, thin until March 2021.
        covid = ((day_ >= day("2020-03-23")) & (day_ < day("2020-07-01")) & (rng.random(rows) < 0.85)) | \
                ((day_ >= day("2020-07-01")) & (day_ < day("2021-04-01")) & (rng.random(rows) < 0.4))
        keep = ~covid
        rk, day_ = rk[keep], day_[keep]
        rows = len(rk)
        # Site: the registered centre (or its fallback), sometimes the local library, another centre or the bus.
        r = rng.random(rows)
        libp = np.where(vul2[rk], 0.04, np.where(vul[rk], 0.08, 0.16)) * np.where(day_ >= day("2022-10-01"), 1.4, 1.0)
        child_area = area[rk]
        lib_site = np.where(child_area >= 0, t["area_lib"][np.maximum(child_area, 0)], -1)
        lib_site = np.where(lib_site >= 0, lib_site, n_cc + (centre[rk] % t["n_lib"]))
        site = effective_site(cy, centre[rk], day_)
        to_lib = r < libp
        to_other = (r >= libp) & (r < libp + 0.05)
        if to_other.any():
            # Another centre in the same cluster.
            sel = np.flatnonzero(to_other)
            site[sel] = effective_site(cy, cluster_mate(cy, centre[rk][sel], rng.random(len(sel))), day_[sel])
        site = np.where(to_lib, lib_site, site)
        # The family bus visits rural villages; the travellers' outreach sees a few minority ethnic families.
        bus_sites, trav_sites = out_sites[0::2], out_sites[1::2]
        bus = (r >= 0.985) & rural[centre[rk]]
        site = np.where(bus, bus_sites[centre[rk] % len(bus_sites)], site)
        if len(trav_sites):
            trav = (r >= 0.99) & ~rural[centre[rk]] & minority[rk]
            site = np.where(trav, trav_sites[centre[rk] % len(trav_sites)], site)
        kind = t["kind"][site]
        # Weekdays at centres; libraries also run Saturday sessions.
        dow = (day_ + 3) % 7
        lo_b = np.maximum(t["c_reg"][idx][rk], t["c_birth"][idx][rk])
        shift = np.where(dow == 6, 1, np.where((dow == 5) & (kind != 1), 2, 0))
        moved = day_ + shift
        too_late = (moved > LAST_DAY) | (moved >= birth[rk] + FIVE_YEARS)
        back = day_ - np.where(dow == 6, 2, 1)
        day_ = np.where(shift == 0, day_, np.where(~too_late, moved, np.where(back >= lo_b, back, day_)))
        # Tier by need, then an activity that suits the site and the child's age.
        tier_p = np.where(vul2[rk][:, None], [0.42, 0.30, 0.28],
                          np.where(vul[rk][:, None], [0.62, 0.30, 0.08], [0.86, 0.125, 0.015]))
        tier_p = np.where(minority[rk][:, None] & ~vul[rk][:, None], [0.78, 0.2, 0.02], tier_p)
        ru = rng.random(rows)
        tier = (ru > tier_p[:, 0]).astype(np.int64) + (ru > tier_p[:, 0] + tier_p[:, 1])
        tier = np.where(kind == 1, np.where(tier >= 1, (rng.random(rows) < 0.3).astype(np.int64), 0), tier)
        age_m = (day_ - birth[rk]) // 30
        band = np.searchsorted(AGE_BANDS, age_m, side="right") - 1
        act = np.full(rows, -1, dtype=np.int64)
        key = (kind.astype(np.int64) * 3 + tier) * len(AGE_BANDS) + band
        for kv in np.unique(key):
            sel = np.flatnonzero(key == kv)
            kk, rem = divmod(int(kv), len(AGE_BANDS))
            kind_i, tier_i = divmod(kk, 3)
            entry = act_tables.get((kind_i, tier_i, rem)) or act_tables.get((kind_i, 0, rem))
            act[sel] = entry[0][rng.choice(len(entry[0]), size=len(sel), p=entry[1])]
        # Young parents group: only for teenage parents; others get the parenting programme instead.
        teen = t["c_flags"][idx, G["teenage_parent"]][rk]
        yp = [i for i, a_ in enumerate(ACTIVITIES) if a_[0] == "Young parents group"][0]
        pp = [i for i, a_ in enumerate(ACTIVITIES) if a_[0] == "Parenting programme"][0]
        act = np.where((act == yp) & ~teen, pp, act)
        order = np.lexsort((act, day_, rk))
        rk, site, day_, act = rk[order], site[order], day_[order], act[order]
        ever_seen[lo_c + np.unique(rk)] = True
        site_month += np.bincount(site * N_MONTHS + (day_to_month(day_) - FIRST_MONTH), minlength=n_sites * N_MONTHS)
        write_table("attendances", {
            "child_id": pc.take(t["c_ids"], pa.array(lo_c + rk)),
            "centre_id": pc.take(site_ids, pa.array(site)),
            "attended_on": d_arr(day_),
            "activity": pc.take(act_names, pa.array(act)),
            "tier": pc.take(tier_of_act, pa.array(act)),
        }, cy.out, cy.level, path=folder / f"part-{ci}.parquet")
        total += rows
        cy.progress.step("attendances")
    cy.row_counts["attendances"] = total
    t.update(site_month=site_month.reshape(n_sites, N_MONTHS), ever_seen=ever_seen)


def write_footfall(cy: County) -> None:
    t, rng = cy.t, cy.rng("footfall")
    n_sites, n_cc = t["n_sites"], t["n_cc"]
    flag, kind = t["flag"], t["kind"]
    att = t["site_month"]
    months = FIRST_MONTH + np.arange(N_MONTHS)
    month_day = month_to_day(months)
    cal = months % 12  # 0 = January
    season = np.array([1.0, 1.05, 1.05, 1.0, 1.0, 0.95, 0.8, 0.7, 1.0, 1.05, 1.05, 0.8])[cal]
    covid = np.where((month_day >= day("2020-04-01")) & (month_day < day("2020-07-01")), 0.08,
                     np.where((month_day >= day("2020-07-01")) & (month_day < day("2021-04-01")), 0.55, 1.0))
    # New registrations by the centre registered with.
    reg_m = day_to_month(t["c_reg"]) - FIRST_MONTH
    ok = (reg_m >= 0) & (reg_m < N_MONTHS)
    new_reg = np.bincount(t["c_centre"][ok] * N_MONTHS + reg_m[ok], minlength=n_sites * N_MONTHS).reshape(n_sites, N_MONTHS)
    mult = rng.uniform(1.4, 1.9, n_sites)
    mult[flag["B"]] = rng.uniform(3.6, 4.2, int(flag["B"].sum()))
    mult[flag["Q"]] = 1.05
    dropin = rng.uniform(20, 60, n_sites)
    dropin[flag["B"]] = rng.uniform(260, 340, int(flag["B"].sum()))
    dropin[flag["Q"]] = 8
    lib_base = rng.uniform(700, 2600, n_sites)
    group_size = rng.uniform(7, 10, n_sites)
    rows = []
    for s in range(n_sites):
        first_ok = month_day >= month_to_day(day_to_month(t["open_day"][s]))
        last_ok = month_day <= t["close_day"][s]
        ms = np.flatnonzero(first_ok & last_ok)
        if len(ms) == 0:
            continue
        a = att[s, ms]
        hub_boost = np.where(month_day[ms] >= t["hub_day"][min(s, n_cc - 1)], 1.25, 1.0) if s < n_cc else 1.0
        noise = rng.lognormal(0, 0.08, len(ms))
        if kind[s] == 1:
            lib_boost = np.where(month_day[ms] >= day("2022-10-01"), 1.2, 1.0)
            visits = a * 2.2 + rng.poisson(lib_base[s] * season[ms] * covid[ms] * lib_boost)
            nr = np.full(len(ms), -1)
            sess = rng.poisson(np.maximum(a / 12 + 6 * season[ms] * covid[ms] * lib_boost, 0.1))
        else:
            visits = np.round(a * mult[s] * noise * hub_boost) + rng.poisson(dropin[s] * season[ms] * covid[ms])
            nr = new_reg[s, ms] if kind[s] == 0 else np.full(len(ms), -1)
            sess = np.round(a / group_size[s] * rng.lognormal(0, 0.1, len(ms))).astype(np.int64)
        sess_null = (rng.random(len(ms)) < 0.01) | (kind[s] == 2) & (rng.random(len(ms)) < 0.2)
        rows.append((np.full(len(ms), s), months[ms], visits.astype(np.int64), nr, np.where(sess_null, -1, sess)))
    s_, m_, v_, nr_, se_ = (np.concatenate(c) for c in zip(*rows))
    write_table("footfall", {
        "centre_id": pc.take(pa.array(t["site_ids"], type=S), pa.array(s_)),
        "month": d_arr(month_to_day(m_)),
        "visits": i_arr(v_),
        "new_registrations": i_arr(np.maximum(nr_, 0), mask=nr_ < 0),
        "sessions": i_arr(np.maximum(se_, 0), mask=se_ < 0),
    }, cy.out, cy.level)
    cy.row_counts["footfall"] = len(s_)
