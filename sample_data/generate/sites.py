"""2. Sites: children's centres with reach areas, clusters, lead agencies, libraries, outreach,
and the service changes that opened, closed and converted them."""

from __future__ import annotations

import math

import numpy as np

from .calendar import CLOSED_ON, RECOMMISSIONED, day, month_index, month_to_day
from .county import County
from .geography import DISTRICTS, HALF_H, HALF_W, KM_PER_DEG_LAT, KM_PER_DEG_LON, LAT0, LON0
from .write import d_arr, f_arr, i_arr, s_arr, write_table

LEAD_AGENCIES = [
    "Wealdshire Council Early Years", "Action for Children", "Barnardo's", "Family Action", "Spurgeons",
    "The Children's Society", "Ormiston Families", "Home-Start Wealdshire", "Oakfield Learning Trust",
    "St Aldric's Church of England Academy Trust", "Kingsmere & Vale Community Partnership",
    "Hollinford Nursery School Federation",
]
LIBRARY_AGENCY = "Wealdshire Libraries"

PLACE_PREFIXES = ["Ash", "Alder", "Bram", "Brook", "Bur", "Clay", "Cold", "Crow", "Elm", "Fair", "Fern", "Har",
                  "Hazel", "Holm", "Kel", "Lang", "Lark", "Lin", "Mar", "Mill", "Nor", "Oak", "Pen", "Quen", "Red",
                  "Rook", "Sand", "Shep", "Stan", "Sut", "Thorn", "Wat", "Whit", "Wil", "Wood", "Yar", "Bex", "Caster",
                  "Dun", "Eden", "Ford", "Glen", "Hart", "Ivy", "Kings", "Lox", "Mead", "Nether"]
PLACE_SUFFIXES = ["bury", "by", "combe", "den", "field", "ford", "gate", "ham", "hill", "hurst", "leigh", "ley",
                  "mere", "stead", "ton", "well", "wick", "worth", "thorpe", "brook", "cote", "dale"]
PLACE_QUALIFIERS = ["", " Green", " Park", " Vale", " Heath", " Common", " End", " Cross", " Meadows", " Fields"]


def kmeans(xy: np.ndarray, k: int, rng: np.random.Generator, iters: int = 25) -> np.ndarray:
    """Labels 0..k-1 for the points, every label used; farthest-point start then Lloyd."""
    n = len(xy)
    if k >= n:
        return np.arange(n)
    px, py = np.ascontiguousarray(xy[:, 0], dtype=float), np.ascontiguousarray(xy[:, 1], dtype=float)
    first = int(rng.integers(n))
    seeds = [first]
    dist = (px - px[first]) ** 2 + (py - py[first]) ** 2
    for _ in range(1, k):
        j = int(np.argmax(dist))
        seeds.append(j)
        np.minimum(dist, (px - px[j]) ** 2 + (py - py[j]) ** 2, out=dist)
    cx, cy_ = px[seeds].copy(), py[seeds].copy()

    def nearest() -> np.ndarray:
        return ((px[:, None] - cx[None, :]) ** 2 + (py[:, None] - cy_[None, :]) ** 2).argmin(1)

    for _ in range(iters):
        lab = nearest()
        counts = np.bincount(lab, minlength=k)
        has = counts > 0
        cx[has] = np.bincount(lab, weights=px, minlength=k)[has] / counts[has]
        cy_[has] = np.bincount(lab, weights=py, minlength=k)[has] / counts[has]
    lab = nearest()
    # Every label must be used: give an empty label the point nearest its centre from a label with spare points.
    for _ in range(k):
        counts = np.bincount(lab, minlength=k)
        empty = np.flatnonzero(counts == 0)
        if len(empty) == 0:
            break
        j = empty[0]
        d = (px - cx[j]) ** 2 + (py - cy_[j]) ** 2
        d[counts[lab] <= 1] = np.inf
        lab[int(np.argmin(d))] = j
    return lab


def largest_remainder(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    raw = w / w.sum() * total
    out = np.maximum(np.floor(raw).astype(int), minimum)
    while out.sum() < total:
        out[int(np.argmax(raw - out))] += 1
    while out.sum() > total:
        out[int(np.argmax(out - raw))] -= 1
    return out


def place_names(rng: np.random.Generator, reserved: set[str]) -> list[str]:
    combos = [p + s for p in PLACE_PREFIXES for s in PLACE_SUFFIXES
              if p.lower()[-2:] != s[:2] and not (p.lower().endswith(s) or s.startswith(p.lower()))]
    combos = [combos[i] for i in rng.permutation(len(combos))]
    names = []
    for q in PLACE_QUALIFIERS:
        names.extend(c + q for c in combos if c + q not in reserved)
    return names


def build_sites(cy: County) -> None:
    t, rng, scale = cy.t, cy.rng("sites"), cy.site_scale
    x, y, district, z = t["x"], t["y"], t["district"], t["z"]
    nd = len(DISTRICTS)
    cells_d = np.bincount(district, minlength=nd)
    dep = np.array([d.deprivation for d in DISTRICTS])
    n_cc = 60 * scale
    cc_d = largest_remainder(cells_d * (1 + 0.35 * np.clip(-dep, -0.6, 1.0)), n_cc)
    area_centre = np.empty(t["n_areas"], dtype=np.int64)
    centre_district, centre_xy, centre_cluster = [], [], []
    cluster_district, n_clusters = [], 0
    for d in range(nd):
        cells = np.flatnonzero(district == d)
        xy = np.c_[x[cells], y[cells]]
        lab = kmeans(xy, int(cc_d[d]), rng)
        base = len(centre_district)
        # Number centres within a district from north-west to south-east, so codes read sensibly.
        cen = np.array([xy[lab == j].mean(0) for j in range(cc_d[d])])
        order = np.lexsort((cen[:, 0], -np.round(cen[:, 1] / 6)))
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        area_centre[cells] = base + rank[lab]
        for j in order:
            members = cells[lab == j]
            # The centre sits in the most deprived area near the middle of its reach area.
            mid = xy[lab == j].mean(0)
            score = np.hypot(x[members] - mid[0], y[members] - mid[1]) / t["hex"] + 0.8 * z[members]
            home = members[int(np.argmin(score))]
            centre_xy.append((x[home] + rng.uniform(-0.3, 0.3) * t["hex"], y[home] + rng.uniform(-0.3, 0.3) * t["hex"]))
            centre_district.append(d)
        k_cl = max(1, int(round(cc_d[d] / 3)))
        cl = kmeans(np.array(centre_xy[base:]), k_cl, rng)
        centre_cluster.extend(n_clusters + cl)
        cluster_district.extend([d] * k_cl)
        n_clusters += k_cl
    centre_district = np.array(centre_district)
    centre_xy = np.array(centre_xy)
    centre_cluster = np.array(centre_cluster)
    cluster_district = np.array(cluster_district)

    # Cluster names: a compass point within small districts, numbers within large ones.
    cluster_names = []
    for d in range(nd):
        ids = np.flatnonzero(cluster_district == d)
        name = DISTRICTS[d].name
        if len(ids) == 1:
            cluster_names.append(name)
            continue
        mids = np.array([centre_xy[centre_cluster == c].mean(0) for c in ids])
        centre_d = mids.mean(0)
        labels = []
        if len(ids) <= 6:
            central = int(np.argmin(np.hypot(*(mids - centre_d).T))) if len(ids) >= 3 else -1
            for i, m in enumerate(mids):
                if i == central:
                    labels.append("Central")
                    continue
                a = math.degrees(math.atan2(m[1] - centre_d[1], m[0] - centre_d[0])) % 360
                labels.append(["East", "North East", "North", "North West", "West", "South West", "South",
                               "South East"][int(((a + 22.5) % 360) // 45)])
            seen: dict[str, int] = {}
            for i, lab in enumerate(labels):
                seen[lab] = seen.get(lab, 0) + 1
                if seen[lab] > 1:
                    labels[i] = f"{lab} {seen[lab]}"
        else:
            labels = [f"Cluster {i + 1}" for i in range(len(ids))]
        cluster_names.extend(f"{name} {lab}" for lab in labels)

    reserved = {d.name for d in DISTRICTS} | {d.town for d in DISTRICTS}
    places = place_names(rng, reserved)
    n_lib = 30 * scale
    n_out = 2 * scale
    if len(places) < n_cc + n_lib:
        places += [f"{p} {i}" for i, p in enumerate(places[: n_cc + n_lib - len(places)], start=2)]

    # Lead agencies: the council runs a few clusters; the rest are spread over the charities and trusts.
    agency_of_cluster = np.empty(n_clusters, dtype=np.int64)
    perm = rng.permutation(n_clusters)
    for i, c in enumerate(perm):
        agency_of_cluster[c] = i % len(LEAD_AGENCIES)

    # Statuses: closures in the 2021 re-commissioning, two late openings, family hubs from 2023.
    n_closed, n_late, n_hubs = 6 * scale, 2 * scale, 12 * scale
    reach_z = np.bincount(area_centre, weights=z, minlength=n_cc) / np.bincount(area_centre, minlength=n_cc)
    cluster_size = np.bincount(centre_cluster, minlength=n_clusters)
    # Closures fall mostly in better-off areas, at most one per cluster, never a cluster's only centre.
    closed: list[int] = []
    order = np.argsort(-(reach_z + rng.normal(0, 0.6, n_cc)), kind="stable")
    used_clusters: set[int] = set()
    for c in order:
        cl = centre_cluster[c]
        if cluster_size[cl] >= 2 and cl not in used_clusters:
            closed.append(int(c))
            used_clusters.add(cl)
        if len(closed) == n_closed - scale:
            break
    # ...and one in a deprived area, which is what story 5 is partly about.
    for c in np.argsort(reach_z + rng.normal(0, 0.3, n_cc), kind="stable"):
        cl = centre_cluster[c]
        if cluster_size[cl] >= 2 and cl not in used_clusters and len(closed) < n_closed:
            closed.append(int(c))
            used_clusters.add(cl)
    closed_set = set(closed)
    others = [c for c in rng.permutation(n_cc) if c not in closed_set]
    late = [int(c) for c in others[:n_late]]
    late_set = set(late)
    open_ = [c for c in range(n_cc) if c not in closed_set]
    # Story 5: clusters (mostly in poorer areas) whose lead agency changed in the re-commissioning.
    agency_change_clusters: list[int] = []
    cluster_z = np.bincount(centre_cluster, weights=reach_z, minlength=n_clusters) / cluster_size
    for cl in np.argsort(cluster_z + rng.normal(0, 0.5, n_clusters), kind="stable"):
        members = np.flatnonzero(centre_cluster == cl)
        if len(members) >= 3 and not any(m in closed_set or m in late_set for m in members):
            agency_change_clusters.append(int(cl))
        if len(agency_change_clusters) == 2 * scale:
            break
    R = {int(c) for c in range(n_cc) if centre_cluster[c] in set(agency_change_clusters)}
    # Hubs: the most deprived open centres, one per cluster, none in the clusters that changed hands.
    hubs: list[int] = []
    hub_clusters: set[int] = set()
    for c in sorted(open_, key=lambda c: reach_z[c]):
        if c in late_set or c in R or centre_cluster[c] in hub_clusters:
            continue
        hubs.append(c)
        hub_clusters.add(centre_cluster[c])
        if len(hubs) == n_hubs:
            break
    hub_set = set(hubs)

    opened = rng.integers(day("2004-06-01"), day("2011-03-31"), n_cc)
    opened_null = rng.random(n_cc) < 0.1
    late_dates = [day("2019-09-02"), day("2022-05-03")]
    for i, c in enumerate(late):
        opened[c] = late_dates[i % 2]
        opened_null[c] = False
    open_day = np.where(opened_null, -10 ** 6, opened)
    close_day = np.full(n_cc, 10 ** 6)
    close_day[closed] = CLOSED_ON
    hub_day = np.full(n_cc, 10 ** 6)
    # Conversions on the first Monday of a month between October 2023 and June 2024.
    firsts = month_to_day(np.sort(rng.integers(month_index(2023, 10), month_index(2024, 7), n_hubs)))
    hub_dates = firsts + (7 - (firsts + 3) % 7) % 7
    for i, c in enumerate(rng.permutation(np.array(hubs, dtype=np.int64))):
        hub_day[c] = hub_dates[i]

    # A closed or late centre's children go to the nearest continuing centre in the same district.
    continuing = np.array([(c not in closed_set) and (c not in late_set) for c in range(n_cc)])
    fallback = np.arange(n_cc)
    for c in range(n_cc):
        if not continuing[c]:
            cand = np.flatnonzero(continuing & (centre_district == centre_district[c]))
            dd = np.hypot(*(centre_xy[cand] - centre_xy[c]).T)
            fallback[c] = cand[int(np.argmin(dd))]

    # Story sets (disjoint, among continuing centres).
    avail = [c for c in range(n_cc) if continuing[c]]
    avail = [c for c in avail if c not in R]
    minority_c = (np.bincount(area_centre, weights=t["minority"], minlength=n_cc)
                  / np.bincount(area_centre, minlength=n_cc))
    Q = sorted([c for c in avail if c not in hub_set], key=lambda c: reach_z[c])[: scale]
    avail = [c for c in avail if c not in Q]
    H = sorted(avail, key=lambda c: (reach_z[c] - 0.8 * (c in hub_set)))[: 4 * scale]
    avail = [c for c in avail if c not in H]
    L = sorted(avail, key=lambda c: -minority_c[c])[: 6 * scale]
    avail = [c for c in avail if c not in L]
    B = sorted(avail, key=lambda c: -reach_z[c])[: 3 * scale]

    # Libraries: a few per district, biggest towns first; outreach: a family bus and a travellers' service.
    lib_d = largest_remainder(cells_d, n_lib)
    lib_district, lib_xy, lib_names = [], [], []
    name_i = n_cc
    for d in range(nd):
        cells = np.flatnonzero(district == d)
        xy = np.c_[x[cells], y[cells]]
        lab = kmeans(xy, int(lib_d[d]), rng)
        sizes = np.bincount(lab, minlength=lib_d[d])
        # The central library sits nearest the district's town centre.
        town = np.array(DISTRICTS[d].seed) * [HALF_W, HALF_H]
        mids = np.array([xy[lab == j].mean(0) for j in range(lib_d[d])])
        first = int(np.argmin(np.hypot(*(mids - town).T)))
        for j in [first] + [j for j in np.argsort(-sizes, kind="stable") if j != first]:
            members = cells[lab == j]
            mid = mids[j] if j != first else town
            home = members[int(np.argmin(np.hypot(x[members] - mid[0], y[members] - mid[1])))]
            lib_xy.append((x[home] + rng.uniform(-0.3, 0.3) * t["hex"], y[home] + rng.uniform(-0.3, 0.3) * t["hex"]))
            lib_district.append(d)
            if j == first and not any(n.startswith(DISTRICTS[d].town + " Library") for n in lib_names):
                lib_names.append(f"{DISTRICTS[d].town} Library")
            else:
                lib_names.append(f"{places[name_i]} Library")
                name_i += 1
    lib_district = np.array(lib_district)
    lib_xy = np.array(lib_xy)
    out_names = (["Wealdshire Family Bus", "Traveller and Boater Families Outreach"] * scale)[:n_out]
    out_names = [nm if i < 2 else f"{nm} {i // 2 + 1}" for i, nm in enumerate(out_names)]
    out_district = np.array([DISTRICTS.index(next(d for d in DISTRICTS if d.name == nm)) for nm in
                             (["Oakley Downs", "Kingsmere & Vale"] * scale)[:n_out]])

    width = max(3, len(str(max(n_cc, n_lib, n_out))))
    ids = ([f"CC{i + 1:0{width}d}" for i in range(n_cc)] + [f"LIB{i + 1:0{width}d}" for i in range(n_lib)]
           + [f"OUT{i + 1:0{width}d}" for i in range(n_out)])
    cc_names = [places[c] + (" Family Hub" if c in hub_set else " Children's Centre") for c in range(n_cc)]
    n_sites = n_cc + n_lib + n_out
    kind = np.array([0] * n_cc + [1] * n_lib + [2] * n_out, dtype=np.int8)  # 0 centre, 1 library, 2 outreach
    site_district = np.r_[centre_district, lib_district, out_district]
    site_xy = np.r_[centre_xy, lib_xy, np.full((n_out, 2), np.nan)]
    full_open = np.r_[open_day, np.full(n_lib, -10 ** 6), np.full(n_out, day("2016-05-03"))]
    full_close = np.r_[close_day, np.full(n_lib + n_out, 10 ** 6)]
    full_fallback = np.r_[fallback, np.arange(n_cc, n_sites)]
    site_cluster = np.r_[centre_cluster, np.full(n_lib + n_out, -1)]

    # Each area's nearest library (its children's library visits go there).
    area_lib = np.empty(t["n_areas"], dtype=np.int64)
    for d in range(nd):
        cells = np.flatnonzero(district == d)
        libs = np.flatnonzero(lib_district == d)
        dd = np.hypot(x[cells, None] - lib_xy[None, libs, 0], y[cells, None] - lib_xy[None, libs, 1])
        area_lib[cells] = n_cc + libs[dd.argmin(1)]

    t.update(n_cc=n_cc, n_lib=n_lib, n_out=n_out, n_sites=n_sites, site_ids=ids, kind=kind,
             area_centre=area_centre, centre_district=centre_district, centre_cluster=centre_cluster,
             cluster_names=cluster_names, agency_of_cluster=agency_of_cluster, site_district=site_district,
             site_xy=site_xy, open_day=full_open, close_day=full_close, fallback=full_fallback, hub_day=hub_day,
             closed=sorted(closed), late=late, hubs=sorted(hubs), R=sorted(R), Q=Q, H=sorted(H), L=sorted(L),
             B=sorted(B), agency_change_clusters=agency_change_clusters, site_cluster=site_cluster,
             area_lib=area_lib, reach_z=reach_z, site_names=cc_names + lib_names + out_names,
             opened_null=np.r_[opened_null, np.ones(n_lib, bool), np.zeros(n_out, bool)],
             centre_places=[places[c] for c in range(n_cc)])

    # Story flags per centre, used by the models below.
    flags = {}
    for key in ("R", "Q", "H", "L", "B"):
        f = np.zeros(n_sites, dtype=bool)
        f[t[key]] = True
        flags[key] = f
    f = np.zeros(n_sites, dtype=bool)
    f[closed] = True
    flags["closed"] = f
    t["flag"] = flags


def effective_site(cy: County, site: np.ndarray, when: np.ndarray) -> np.ndarray:
    """The site itself when open on the day, else its fallback."""
    t = cy.t
    ok = (when >= t["open_day"][site]) & (when <= t["close_day"][site])
    return np.where(ok, site, t["fallback"][site])


def cluster_mate(cy: County, centre: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A centre drawn (by the uniform numbers u) from the same cluster as each given centre."""
    t = cy.t
    if "cluster_members" not in t:
        cl = t["centre_cluster"]
        order = np.argsort(cl, kind="stable")
        size = np.bincount(cl)
        t["cluster_members"] = (order, np.r_[0, np.cumsum(size)[:-1]], size)
    order, start, size = t["cluster_members"]
    cl = t["centre_cluster"][centre]
    return order[start[cl] + (u * size[cl]).astype(np.int64)]


def write_centres_areas(cy: County) -> None:
    t = cy.t
    n_cc, n_sites = t["n_cc"], t["n_sites"]
    site_type = np.array(["children_centre"] * n_cc + ["library"] * t["n_lib"] + ["outreach"] * t["n_out"], dtype=object)
    site_type[t["hubs"]] = "family_hub"
    cluster = [t["cluster_names"][c] for c in t["centre_cluster"]] + [None] * (n_sites - n_cc)
    agency = ([LEAD_AGENCIES[t["agency_of_cluster"][c]] for c in t["centre_cluster"]] + [LIBRARY_AGENCY] * t["n_lib"]
              + [LEAD_AGENCIES[0]] * t["n_out"])
    lon = LON0 + t["site_xy"][:, 0] / KM_PER_DEG_LON
    lat = LAT0 + t["site_xy"][:, 1] / KM_PER_DEG_LAT
    nan = np.isnan(lon)
    opened_mask = t["opened_null"] | (t["open_day"] < -10 ** 5)
    closed_mask = t["close_day"] > 10 ** 5
    write_table("centres", {
        "centre_id": s_arr(t["site_ids"]), "centre_name": s_arr(t["site_names"]), "site_type": s_arr(site_type.tolist()),
        "cluster": s_arr(cluster), "lead_agency": s_arr(agency),
        "district": s_arr([DISTRICTS[d].name for d in t["site_district"]]),
        "opened_on": d_arr(np.where(opened_mask, 0, t["open_day"]), mask=opened_mask),
        "closed_on": d_arr(np.where(closed_mask, 0, t["close_day"]), mask=closed_mask),
        "latitude": f_arr(np.round(np.where(nan, 0, lat), 5), mask=nan),
        "longitude": f_arr(np.round(np.where(nan, 0, lon), 5), mask=nan),
    }, cy.out, cy.level)
    cy.row_counts["centres"] = n_sites

    # Areas: codes run district by district, reach area by reach area, like LSOA codes within a district.
    n = t["n_areas"]
    order = np.lexsort((t["y"] * -1, t["x"], t["area_centre"], t["district"]))
    code_of = np.empty(n, dtype=np.int64)
    code_of[order] = np.arange(n)
    t["area_codes"] = [f"E01{900001 + code_of[a]:06d}" for a in range(n)]
    names = [None] * n
    counters = np.zeros(len(DISTRICTS), dtype=int)
    for a in order:
        d = t["district"][a]
        i = counters[d]
        counters[d] += 1
        names[a] = f"{DISTRICTS[d].name} {i // 4 + 1:03d}{'ABCD'[i % 4]}"
    rng = cy.rng("area-names")
    for a in np.flatnonzero(rng.random(n) < 0.01):
        names[a] = None
    t["area_names"] = names
    idaci = t["idaci"]
    write_table("areas", {
        "area_code": s_arr([t["area_codes"][a] for a in order]),
        "area_name": s_arr([names[a] for a in order]),
        "centre_id": s_arr([t["site_ids"][t["area_centre"][a]] for a in order]),
        "district": s_arr([DISTRICTS[t["district"][a]].name for a in order]),
        "imd_decile": i_arr(t["imd"][order]),
        "idaci_decile": i_arr(np.where(t["idaci_null"], 0, idaci)[order], mask=t["idaci_null"][order]),
    }, cy.out, cy.level)
    cy.row_counts["areas"] = n
    t["area_order"] = order


def write_service_changes(cy: County) -> None:
    t = cy.t
    ids, names = t["site_ids"], t["site_names"]
    rows: list[tuple[int, str, str | None, str | None]] = []
    places = t["centre_places"]
    for c in t["late"]:
        rows.append((int(t["open_day"][c]), f"{places[c]} Children's Centre opens",
                     f"New centre serving {DISTRICTS[t['centre_district'][c]].name}; families in its reach area "
                     f"were registered at {names[t['fallback'][c]]} before it opened.", ids[c]))
    rows.append((day("2020-03-23"), "Centres close to drop-in sessions (COVID-19)",
                 "Face-to-face groups stopped; family support continued by phone and video.", None))
    rows.append((day("2020-07-06"), "Phased reopening with booked sessions",
                 "Small booked groups only; drop-ins did not return until April 2021.", None))
    for c in t["closed"]:
        rows.append((CLOSED_ON, f"{places[c]} Children's Centre closes",
                     f"Closed in the 2021 re-commissioning. Its reach area is served from {names[t['fallback'][c]]}.",
                     ids[c]))
    n_cl = len(t["cluster_names"])
    rows.append((RECOMMISSIONED, "Children's centre services re-commissioned",
                 f"New five-year contracts for {n_cl} clusters; {len(t['closed'])} centres closed and the "
                 "offer moved towards booked and targeted sessions.", None))
    old_agency = {}
    for cl in t["agency_change_clusters"]:
        new = LEAD_AGENCIES[t["agency_of_cluster"][cl]]
        prev = LEAD_AGENCIES[(t["agency_of_cluster"][cl] + 3) % len(LEAD_AGENCIES)]
        old_agency[cl] = prev
        for c in np.flatnonzero(t["centre_cluster"] == cl):
            rows.append((RECOMMISSIONED, f"New lead agency at {names[c]}",
                         f"{t['cluster_names'][cl]} cluster moved from {prev} to {new}.", ids[c]))
    rows.append((day("2022-10-01"), "Library under-fives offer expanded",
                 "Rhymetime and Bookstart sessions at every library, with Saturday sessions at the larger libraries.",
                 None))
    rows.append((day("2023-09-01"), "Family hubs programme launched",
                 f"{len(t['hubs'])} children's centres to become family hubs by summer 2024.", None))
    for c in sorted(t["hubs"], key=lambda c: t["hub_day"][c]):
        rows.append((int(t["hub_day"][c]), f"{places[c]} becomes a family hub",
                     "Health visiting, infant feeding and perinatal mental health support moved on site.", ids[c]))
    rows.append((day("2024-04-01"), "Start for Life offer published",
                 "One published offer for families from pregnancy to age two.", None))
    rows.sort(key=lambda r: (r[0], r[3] or "", r[1]))
    write_table("service_changes", {
        "changed_on": d_arr([r[0] for r in rows]), "title": s_arr([r[1] for r in rows]),
        "detail": s_arr([r[2] for r in rows]), "centre_id": s_arr([r[3] for r in rows]),
    }, cy.out, cy.level)
    cy.row_counts["service_changes"] = len(rows)
