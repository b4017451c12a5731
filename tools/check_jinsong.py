#!/usr/bin/env python3
"""Check maps/jinsong.geojson against the requirements of the embedded Jinsong schematic.

Python 3 standard library only.  Exits 0 when every check passes, 1 otherwise (listing each failure).

    python3 tools/check_jinsong.py [path/to/jinsong.geojson]

Also regenerates the map with tools/make_jinsong.py into a temporary file and requires the committed
file to be byte-identical (so the generator stays the source of truth and is deterministic).
"""
import datetime
import itertools
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT = os.path.join(ROOT, "maps", "jinsong.geojson")

BBOX = (116.4540, 39.8850, 116.4600, 39.8896)  # lon_min, lat_min, lon_max, lat_max (research/jinsong-location.md)
TARGET_HA = 26.0

FAILURES = []


def check(cond, msg):
    if not cond:
        FAILURES.append(msg)
    return cond


# --------------------------------------------------------------------------------------------------
# Areas on the sphere and on the WGS84 ellipsoid
# --------------------------------------------------------------------------------------------------
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)
R_MEAN = 6371008.8


def spherical_excess_ring(ring, radius, latmap=None):
    """|area| in m² of a lon/lat ring with great-circle edges: exact spherical excess (edge-pole triangles)."""
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    total = 0.0
    for i in range(len(pts)):
        lon1, lat1 = pts[i]
        lon2, lat2 = pts[(i + 1) % len(pts)]
        p1, p2 = math.radians(lat1), math.radians(lat2)
        if latmap:
            p1, p2 = latmap(p1), latmap(p2)
        t1, t2 = math.tan(p1 / 2), math.tan(p2 / 2)
        total += 2 * math.atan2(math.tan(math.radians(lon2 - lon1) / 2) * (t1 + t2), 1 + t1 * t2)
    return abs(total) * radius * radius


_E = math.sqrt(WGS84_E2)


def _q(phi):
    s = math.sin(phi)
    return (1 - WGS84_E2) * (s / (1 - WGS84_E2 * s * s) - (1 / (2 * _E)) * math.log((1 - _E * s) / (1 + _E * s)))


_QP = _q(math.pi / 2)
R_AUTHALIC = WGS84_A * math.sqrt(_QP / 2)


def authalic_lat(phi):
    return math.asin(_q(phi) / _QP)


def area_sphere(rings):
    return spherical_excess_ring(rings[0], R_MEAN) - sum(spherical_excess_ring(h, R_MEAN) for h in rings[1:])


def area_ellipsoid(rings):
    """WGS84 ellipsoidal area via the authalic sphere (equal-area); matches Karney/geo's geodesic_area."""
    f = lambda r: spherical_excess_ring(r, R_AUTHALIC, authalic_lat)  # noqa: E731
    return f(rings[0]) - sum(f(h) for h in rings[1:])


# --------------------------------------------------------------------------------------------------
# Local metric frame and planar geometry
# --------------------------------------------------------------------------------------------------
_PHI = math.radians((BBOX[1] + BBOX[3]) / 2)
_W = math.sqrt(1 - WGS84_E2 * math.sin(_PHI) ** 2)
MX = math.radians(1) * WGS84_A / _W * math.cos(_PHI)
MY = math.radians(1) * WGS84_A * (1 - WGS84_E2) / _W ** 3


def xy(c):
    return ((c[0] - BBOX[0]) * MX, (c[1] - BBOX[1]) * MY)


def rings_xy(geom):
    return [[xy(c) for c in ring[:-1]] for ring in geom["coordinates"]]


def shoelace(pts):
    return sum(pts[i][0] * pts[(i + 1) % len(pts)][1] - pts[(i + 1) % len(pts)][0] * pts[i][1] for i in range(len(pts))) / 2


def cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def on_segment(p, a, b, eps=1e-9):
    return (min(a[0], b[0]) - eps <= p[0] <= max(a[0], b[0]) + eps and
            min(a[1], b[1]) - eps <= p[1] <= max(a[1], b[1]) + eps)


def segments_intersect(a, b, c, d, eps=1e-9):
    d1, d2, d3, d4 = cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
    if ((d1 > eps and d2 < -eps) or (d1 < -eps and d2 > eps)) and ((d3 > eps and d4 < -eps) or (d3 < -eps and d4 > eps)):
        return True
    if abs(d1) <= eps and on_segment(a, c, d):
        return True
    if abs(d2) <= eps and on_segment(b, c, d):
        return True
    if abs(d3) <= eps and on_segment(c, a, b):
        return True
    if abs(d4) <= eps and on_segment(d, a, b):
        return True
    return False


def point_seg_dist(p, a, b):
    dx, dy = b[0] - a[0], b[1] - a[1]
    L2 = dx * dx + dy * dy
    t = 0.0 if L2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / L2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def seg_seg_dist(a, b, c, d):
    if segments_intersect(a, b, c, d):
        return 0.0
    return min(point_seg_dist(a, c, d), point_seg_dist(b, c, d), point_seg_dist(c, a, b), point_seg_dist(d, a, b))


def in_ring(p, ring):
    inside = False
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % n]
        if (y1 > p[1]) != (y2 > p[1]):
            x = x1 + (p[1] - y1) * (x2 - x1) / (y2 - y1)
            if x > p[0]:
                inside = not inside
    return inside


def in_polygon(p, rings):
    return in_ring(p, rings[0]) and not any(in_ring(p, h) for h in rings[1:])


def edges(rings):
    for ring in rings:
        for i in range(len(ring)):
            yield ring[i], ring[(i + 1) % len(ring)]


def polygons_overlap(pa, pb):
    """True if two polygons (lists of rings, metres) share any point: edge contact or containment."""
    for a, b in edges(pa):
        for c, d in edges(pb):
            if segments_intersect(a, b, c, d):
                return True
    return in_polygon(pa[0][0], pb) or in_polygon(pb[0][0], pa)


def poly_poly_dist(pa, pb):
    if polygons_overlap(pa, pb):
        return 0.0
    return min(seg_seg_dist(a, b, c, d) for a, b in edges(pa) for c, d in edges(pb))


def line_poly_dist(line, rings):
    if any(in_polygon(p, rings) for p in line):
        return 0.0
    return min(seg_seg_dist(line[i], line[i + 1], c, d) for i in range(len(line) - 1) for c, d in edges(rings))


def convex_hull(pts):
    pts = sorted(set(pts))
    if len(pts) <= 2:
        return pts
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def min_rotated_rect(pts):
    """(long side, short side, angle of the long side in degrees from east, folded to (-90, 90])."""
    hull = convex_hull(pts)
    best = None
    for i in range(len(hull)):
        (x1, y1), (x2, y2) = hull[i], hull[(i + 1) % len(hull)]
        t = math.atan2(y2 - y1, x2 - x1)
        c, s = math.cos(t), math.sin(t)
        us = [x * c + y * s for x, y in hull]
        vs = [-x * s + y * c for x, y in hull]
        w, h = max(us) - min(us), max(vs) - min(vs)
        if best is None or w * h < best[0] - 1e-9:
            best = (w * h, w, h, math.degrees(t))
    _, w, h, ang = best
    if h > w:
        w, h, ang = h, w, ang + 90
    ang = (ang + 90) % 180 - 90
    if ang <= -90:
        ang += 180
    return w, h, ang


def bounds(rings):
    xs = [p[0] for p in rings[0]]
    ys = [p[1] for p in rings[0]]
    return min(xs), min(ys), max(xs), max(ys)


def simple_ring(ring):
    n = len(ring)
    for i in range(n):
        for j in range(i + 1, n):
            if j == i or (j + 1) % n == i or (i + 1) % n == j:
                continue
            if segments_intersect(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n]):
                return False
    return True


# --------------------------------------------------------------------------------------------------
def interiors_overlap(pa, pb, nudge=0.005):
    """True if the interiors of two polygons (lists of rings, metres) share an area; touching along an
    edge or at a point does not count.  Boundaries crossing properly overlap; otherwise every piece of
    each boundary (split where the other boundary meets it) is probed just inside its own polygon."""
    for a, b in edges(pa):
        for c, d in edges(pb):
            d1, d2, d3, d4 = cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
            if ((d1 > 1e-9 and d2 < -1e-9) or (d1 < -1e-9 and d2 > 1e-9)) and \
                    ((d3 > 1e-9 and d4 < -1e-9) or (d3 < -1e-9 and d4 > 1e-9)):
                return True

    def probe(p, q):
        for a, b in edges(p):
            dx, dy = b[0] - a[0], b[1] - a[1]
            L = math.hypot(dx, dy)
            if L == 0:
                continue
            ts = {0.0, 1.0}
            for c, d in edges(q):
                for v in (c, d):
                    if point_seg_dist(v, a, b) < 1e-6:
                        ts.add(max(0.0, min(1.0, ((v[0] - a[0]) * dx + (v[1] - a[1]) * dy) / (L * L))))
                den = dx * (d[1] - c[1]) - dy * (d[0] - c[0])
                if abs(den) > 1e-12:
                    t = ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) / den
                    u = ((c[0] - a[0]) * dy - (c[1] - a[1]) * dx) / den
                    if 0 <= t <= 1 and 0 <= u <= 1:
                        ts.add(t)
            ts = sorted(ts)
            for t0, t1 in zip(ts, ts[1:]):
                if (t1 - t0) * L < 1e-6:
                    continue
                tm = (t0 + t1) / 2
                # left of the edge is inside (CCW exterior, CW holes)
                m = (a[0] + tm * dx - dy / L * nudge, a[1] + tm * dy + dx / L * nudge)
                if in_polygon(m, q):
                    return True
        return False

    return probe(pa, pb) or probe(pb, pa)


def check_geometry(g, where):
    """RFC 7946 geometry in the box: 7-decimal positions, closed simple rings, CCW exterior, CW holes."""
    check(g.get("type") in ("Point", "LineString", "Polygon"), f"{where}: geometry type {g.get('type')}")
    for c in iter_positions(g):
        check(len(c) == 2 and all(isinstance(v, (int, float)) for v in c), f"{where}: bad position {c}")
        check(all(abs(v * 1e7 - round(v * 1e7)) < 1e-4 for v in c), f"{where}: coordinate {c} not rounded to 7 decimals")
        check(BBOX[0] <= c[0] <= BBOX[2] and BBOX[1] <= c[1] <= BBOX[3], f"{where}: {c} outside the bbox")
    if g.get("type") == "Polygon":
        for k, ring in enumerate(g["coordinates"]):
            check(len(ring) >= 4 and ring[0] == ring[-1], f"{where}: ring {k} not closed")
            a = shoelace([tuple(c) for c in ring[:-1]])
            if k == 0:
                check(a > 0, f"{where}: exterior ring not counter-clockwise")
            else:
                check(a < 0, f"{where}: hole {k} not clockwise")
            check(simple_ring([xy(c) for c in ring[:-1]]), f"{where}: ring {k} self-intersects")


# --------------------------------------------------------------------------------------------------
def iter_positions(geom):
    t = geom["type"]
    c = geom["coordinates"]
    if t == "Point":
        yield c
    elif t == "LineString":
        yield from c
    elif t == "Polygon":
        for ring in c:
            yield from ring
    else:
        raise ValueError(t)


# --------------------------------------------------------------------------------------------------
# The renewal catalogue (assets/catalogue.json) and the plan's renewal items
# --------------------------------------------------------------------------------------------------
CATALOGUE = os.path.join(ROOT, "assets", "catalogue.json")
KINDS = ("boundary", "building", "street", "garden", "core", "node")
CATEGORIES = ("public_space", "smart", "service", "culture")
CLASSES = ("basic", "improvement", "upgrading")
STATUSES = ("proposed", "designed", "publicised", "under_construction", "completed", "operating")
FUNDING_KEYS = ("government", "social_capital", "residents", "property_unit")
PARTIES = ("district", "street", "community", "residents", "enterprise")
ENTRY_KEYS = {"id", "name_zh", "name_en", "category", "class", "applies_to", "unit", "unit_cost_yuan", "note_en", "note_zh"}
ITEM_KEYS = {"id", "catalogue", "name_zh", "name_en", "features", "status", "history", "planned_start", "planned_end",
             "estimated_cost_yuan", "actual_cost_yuan", "funding", "party", "operator", "operating_term_years",
             "before_note_zh", "before_note_en", "after_note_zh", "after_note_en"}
# Optional: an item counted in units (加装电梯 × 2 部) carries all three, and the estimate is their product.
QUANTITY_KEYS = {"quantity", "unit", "unit_cost_yuan"}
SOCIAL_CAPITAL = 30_000_000


def is_int(v):
    return type(v) is int


def has_cjk(s):
    return isinstance(s, str) and re.search(r"[\u4e00-\u9fff]", s) is not None


def parse_date(s):
    try:
        return datetime.date.fromisoformat(s) if isinstance(s, str) and len(s) == 10 else None
    except ValueError:
        return None


def check_entry(e, where):
    """One catalogue entry (assets/catalogue.json or the plan's catalogue_additions)."""
    if not check(isinstance(e, dict), f"{where}: not an object"):
        return None
    eid = e.get("id")
    w = f"{where} {eid!r}"
    check(isinstance(eid, str) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", eid or "") is not None, f"{w}: id not snake_case")
    check(not set(e) - ENTRY_KEYS, f"{w}: unknown keys {sorted(set(e) - ENTRY_KEYS)}")
    check(has_cjk(e.get("name_zh")), f"{w}: name_zh not Chinese")
    check(isinstance(e.get("name_en"), str) and e["name_en"].strip(), f"{w}: name_en")
    check(e.get("category") in CATEGORIES, f"{w}: category {e.get('category')!r}")
    check(e.get("class") in CLASSES, f"{w}: class {e.get('class')!r}")
    ap = e.get("applies_to")
    check(isinstance(ap, list) and ap and len(set(ap)) == len(ap) and all(k in KINDS for k in ap), f"{w}: applies_to {ap!r}")
    if "unit" in e:
        check(isinstance(e["unit"], str) and e["unit"].strip(), f"{w}: unit")
    if "unit_cost_yuan" in e:
        check(is_int(e["unit_cost_yuan"]) and e["unit_cost_yuan"] > 0, f"{w}: unit_cost_yuan {e['unit_cost_yuan']!r}")
    for k in ("note_en", "note_zh"):
        if k in e:
            check(isinstance(e[k], str) and e[k].strip(), f"{w}: {k}")
    return eid


def check_catalogue():
    """assets/catalogue.json: >= 41 entries, unique ids, valid enums; returns {id: entry}."""
    if not check(os.path.exists(CATALOGUE), f"{CATALOGUE} missing"):
        return {}
    raw = open(CATALOGUE, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        check(False, "catalogue.json is not UTF-8")
        return {}
    check(not text.startswith("\ufeff"), "catalogue.json starts with a BOM")
    check(re.search(r"\\u[4-9][0-9a-fA-F]{3}", text) is None, "catalogue.json escapes CJK as \\uXXXX")
    check("\t" not in text and all((len(l) - len(l.lstrip(" "))) % 2 == 0 for l in text.splitlines()),
          "catalogue.json is not indented with 2 spaces")
    try:
        doc = json.loads(text)
    except ValueError as err:
        check(False, f"catalogue.json does not parse: {err}")
        return {}
    check(isinstance(doc, dict) and doc.get("version") == 1 and is_int(doc.get("version")), "catalogue version must be 1")
    entries = doc.get("items") if isinstance(doc, dict) else None
    if not check(isinstance(entries, list), "catalogue has no items array"):
        return {}
    check(len(entries) >= 41, f"catalogue has {len(entries)} entries, want >= 41")
    ids = [check_entry(e, "catalogue") for e in entries]
    check(len(set(ids)) == len(ids), "catalogue ids are not unique")
    cats = {e.get("category") for e in entries if isinstance(e, dict)}
    check(set(CATEGORIES) <= cats, f"catalogue categories {sorted(cats, key=str)}")
    return {e["id"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}


def check_items(doc, feats):
    n_failures = len(FAILURES)
    catalogue = check_catalogue()
    plan = doc.get("renewal_plan")
    if check(isinstance(plan, dict), "top-level renewal_plan missing"):
        check(plan.get("format") == "renewal-planner" and plan.get("version") == 1 and is_int(plan.get("version")),
              "renewal_plan format/version")
        adds = plan.get("catalogue_additions")
        if check(isinstance(adds, list), "renewal_plan.catalogue_additions is not an array"):
            for e in adds:
                eid = check_entry(e, "catalogue_additions")
                if isinstance(eid, str):
                    check(eid not in catalogue, f"catalogue_additions {eid!r} clashes with the built-in catalogue")
                    catalogue[eid] = e
    fkind = {f["id"]: f["properties"]["kind"] for f in feats}
    # an "other" object (overhead line, illegal structure) is not a kind an entry applies to: it is what
    # the items that remove or add it act on, so those items may be attached to it
    changed_by = {f["id"]: set(ch.get("by_items") or []) for f in feats
                  for ch in [f["properties"].get("renewal_change")] if isinstance(ch, dict) and isinstance(ch.get("by_items"), list)}

    copies = {}  # item id -> list of (feature id, item)
    for f in feats:
        its = f["properties"].get("renewal_items")
        if its is None:
            continue
        if not check(isinstance(its, list) and its, f"{f['id']}: renewal_items is not a non-empty array"):
            continue
        seen = [it.get("id") for it in its if isinstance(it, dict)]
        check(len(seen) == len(its) and len(set(seen)) == len(seen), f"{f['id']}: renewal_items repeated or not objects")
        for it in its:
            if isinstance(it, dict):
                copies.setdefault(it.get("id"), []).append((f["id"], it))

    items = {}
    for iid, cs in copies.items():
        it = cs[0][1]
        check(all(c == it for _, c in cs), f"item {iid}: not identical on every feature")
        items[iid] = it
        w = f"item {iid}"
        check(isinstance(iid, str) and re.fullmatch(r"it-[a-z0-9]+(-[a-z0-9]+)*", iid or "") is not None, f"{w}: id")
        check(not set(it) - ITEM_KEYS - QUANTITY_KEYS, f"{w}: unknown keys {sorted(set(it) - ITEM_KEYS - QUANTITY_KEYS)}")
        if QUANTITY_KEYS & set(it):
            if check(QUANTITY_KEYS <= set(it), f"{w}: quantity, unit and unit_cost_yuan go together"):
                q, u, uc = it["quantity"], it["unit"], it["unit_cost_yuan"]
                check(isinstance(q, (int, float)) and q > 0 and isinstance(u, str) and u and isinstance(uc, int) and uc > 0,
                      f"{w}: quantity {q!r} {u!r} at {uc!r} yuan")
                check(q * uc == it.get("estimated_cost_yuan"), f"{w}: quantity x unit cost is not the estimate")
        missing = ITEM_KEYS - {"name_zh", "name_en"} - set(it)
        check(not missing, f"{w}: missing {sorted(missing)}")
        if missing:
            continue
        cat = catalogue.get(it["catalogue"])
        check(cat is not None, f"{w}: catalogue id {it['catalogue']!r} unknown")
        check(("name_zh" in it) == ("name_en" in it), f"{w}: name_zh and name_en go together")
        if "name_zh" in it:
            check(has_cjk(it["name_zh"]) and isinstance(it["name_en"], str) and it["name_en"].strip(), f"{w}: names")
        fl = it["features"]
        if check(isinstance(fl, list) and fl and len(set(fl)) == len(fl), f"{w}: features must be a non-empty list of unique ids"):
            check(all(fid in fkind for fid in fl), f"{w}: lists unknown features {[x for x in fl if x not in fkind]}")
            check(sorted(fl) == sorted(fid for fid, _ in cs), f"{w}: listed on {sorted(fl)} but carried by {sorted(fid for fid, _ in cs)}")
            if cat:
                wrong = [fid for fid in fl if fkind.get(fid) not in cat.get("applies_to", [])
                         and not (fkind.get(fid) == "other" and iid in changed_by.get(fid, ()))]
                check(not wrong, f"{w}: {wrong} are not kinds that {it['catalogue']} applies to")
        st = it["status"]
        check(st in STATUSES, f"{w}: status {st!r}")
        hist = it["history"]
        if check(isinstance(hist, list) and hist and all(isinstance(h, dict) and set(h) == {"status", "date"} for h in hist),
                 f"{w}: history must be a list of {{status, date}}"):
            steps = [h["status"] for h in hist]
            check(st in STATUSES and steps == list(STATUSES[:STATUSES.index(st) + 1]),
                  f"{w}: history {steps} is not every step up to {st}")
            dates = [parse_date(h["date"]) for h in hist]
            if check(all(dates), f"{w}: history dates not YYYY-MM-DD"):
                check(dates == sorted(dates), f"{w}: history dates not ascending")
                check(datetime.date(2018, 1, 1) <= dates[0] and dates[-1] <= datetime.date(2022, 12, 31),
                      f"{w}: history outside 2018-2022")
        ps, pe = parse_date(it["planned_start"]), parse_date(it["planned_end"])
        check(ps is not None and pe is not None and ps <= pe, f"{w}: planned_start/planned_end")
        est, act = it["estimated_cost_yuan"], it["actual_cost_yuan"]
        check(is_int(est) and est > 0, f"{w}: estimated_cost_yuan {est!r}")
        check(act is None or (is_int(act) and act > 0), f"{w}: actual_cost_yuan {act!r}")
        check((act is not None) == (st in ("completed", "operating")), f"{w}: actual cost {act!r} with status {st}")
        fund = it["funding"]
        if check(isinstance(fund, dict) and set(fund) == set(FUNDING_KEYS) and all(is_int(v) and v >= 0 for v in fund.values()),
                 f"{w}: funding must have the four integer sources"):
            basis = act if act is not None else est
            check(sum(fund.values()) == basis, f"{w}: funding {sum(fund.values())} != cost basis {basis}")
        check(it["party"] in PARTIES, f"{w}: party {it['party']!r}")
        opr, term = it["operator"], it["operating_term_years"]
        check(opr is None or (isinstance(opr, str) and opr.strip()), f"{w}: operator")
        check(term is None or (is_int(term) and 0 < term <= 70), f"{w}: operating_term_years {term!r}")
        check(term is None or opr is not None, f"{w}: an operating term without an operator")
        for k in ("before_note_zh", "before_note_en", "after_note_zh", "after_note_en"):
            check(isinstance(it[k], str) and it[k].strip(), f"{w}: {k}")
            if k.endswith("_zh"):
                check(has_cjk(it[k]), f"{w}: {k} not Chinese")
    if len(FAILURES) > n_failures:
        return None

    # ---- the plan as a whole -----------------------------------------------------------------------
    check(len(items) >= 32, f"{len(items)} renewal items, want >= 32")
    by_cat, by_status, money = {}, {}, dict.fromkeys(FUNDING_KEYS, 0)
    for it in items.values():
        c = catalogue[it["catalogue"]]["category"]
        by_cat[c] = by_cat.get(c, 0) + 1
        by_status[it["status"]] = by_status.get(it["status"], 0) + 1
        for k, v in it["funding"].items():
            money[k] += v  # each item once, however many features carry it
    check(set(by_cat) == set(CATEGORIES), f"categories {sorted(by_cat)}: want all four")
    check({"completed", "operating"} <= set(by_status), f"statuses {sorted(by_status)}: want completed and operating")
    check(len(set(by_status) & set(STATUSES[:4])) >= 2, f"statuses {sorted(by_status)}: want >= 2 earlier than completed")
    total = sum(money.values())
    share = money["social_capital"] / total if total else 0
    check(money["social_capital"] == SOCIAL_CAPITAL, f"social capital {money['social_capital']} yuan, want {SOCIAL_CAPITAL}")
    check(0.445 <= share <= 0.455, f"social capital share {share:.4f}, want 44.5-45.5 %")

    # ---- what the report says is in the plan -------------------------------------------------------
    def on(fid):
        return [it for it in items.values() if fid in it["features"]]

    def cats_on(fid):
        return {it["catalogue"] for it in on(fid)}

    elev = {fid for it in items.values() if it["catalogue"] == "elevator_retrofit" for fid in it["features"]}
    check(len(elev) >= 4 and all(fkind[f] == "building" for f in elev), f"elevators on {sorted(elev)}: want >= 4 buildings")
    bf = [it for it in items.values() if it["catalogue"] == "barrier_free"]
    check(sum(fkind[f] == "building" for it in bf for f in it["features"]) >= 3 and
          any("street-jinsongxi" in it["features"] for it in bf), "barrier-free access at several buildings and on 劲松西街")
    for fid, want in {"street-jinsongxi": {"overhead_lines_underground", "street_renewal", "road_resurfacing", "lighting"},
                      "node-southgate": {"entrance_wayfinding"},
                      "garden-jinsongyuan": {"greening_pocket_garden"}, "garden-209": {"greening_pocket_garden"},
                      "core-committee": {"community_service_station"}, "core-property": {"property_service_centre"},
                      "boundary": {"property_management", "community_culture_activities"},
                      "node-canteen": {"community_canteen"}, "node-health": {"health_station"},
                      "node-livingroom": {"community_living_room"}, "node-workshop": {"craft_workshop"},
                      "node-eldercare": {"elderly_care"}, "node-lockers": {"smart_lockers"},
                      "node-bikeshed": {"idle_space_revitalisation"}}.items():
        check(want <= cats_on(fid), f"{fid}: lacks {sorted(want - cats_on(fid))}")
    check(any(fkind[f] == "street" and f != "street-jinsongxi" for it in items.values()
              if it["catalogue"] == "overhead_lines_underground" for f in it["features"]), "overhead lines buried along the lanes too")
    for fid in fkind:
        if fkind[fid] in ("garden", "core", "node"):
            check(on(fid), f"{fid}: carries no renewal item")
    for it in on("node-bikeshed"):
        if it["catalogue"] == "idle_space_revitalisation":
            check(it["operator"] and it["operating_term_years"] and it["party"] == "enterprise",
                  f"{it['id']}: the revitalised bicycle shed needs the enterprise as operator with an operating term")
    pm = [it for it in on("boundary") if it["catalogue"] == "property_management"]
    check(any("先尝后买" in it["after_note_zh"] and "双过半" in it["after_note_zh"] for it in pm),
          "property management: 先尝后买 after the 双过半 vote")

    print(f"renewal items {len(items)} on {sum(1 for f in feats if 'renewal_items' in f['properties'])} features")
    print("  by status:", {s: by_status[s] for s in STATUSES if s in by_status})
    print("  by category:", {c: by_cat[c] for c in CATEGORIES if c in by_cat})
    print("  funding (yuan):", money, f"total {total}, social capital {share:.2%}")
    print(f"catalogue: {len(catalogue)} entries")
    return items


# --------------------------------------------------------------------------------------------------
# Before and after: the renewal_change property
# --------------------------------------------------------------------------------------------------
CHANGE_KINDS = ("modified", "added", "removed")
CHANGE_KEYS = {"change", "by_items", "after_properties", "after_geometry"}
NOT_AFTER = {"kind", "renewal_items", "renewal_change"}
TIMELINE = ("2018-01-01", "2020-12-31")


def change_kind(f):
    ch = f["properties"].get("renewal_change")
    return ch.get("change") if isinstance(ch, dict) else None


def geometry_in(f, state):
    """The feature's geometry in the "before" or "after" state, None where it does not exist."""
    k = change_kind(f)
    if (state == "before" and k == "added") or (state == "after" and k == "removed"):
        return None
    if state == "after" and k == "modified":
        ag = f["properties"]["renewal_change"].get("after_geometry")
        if isinstance(ag, dict):
            return ag
    return f["geometry"]


def done_date(it):
    """Completion date of an item: the date of "completed", else of "operating"; None if not done."""
    dates = {h["status"]: h["date"] for h in it["history"]}
    return dates.get("completed") or dates.get("operating")


def line_length(line):
    return sum(math.dist(a, b) for a, b in zip(line, line[1:]))


def sample_line(line, step=5.0):
    pts = []
    for a, b in zip(line, line[1:]):
        n = max(1, int(math.dist(a, b) // step))
        pts += [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n)]
    return pts + [line[-1]]


def dist_to_line(q, line):
    return min(point_seg_dist(q, a, b) for a, b in zip(line, line[1:]))


def check_changes(feats, items, B, inside_boundary, poly_inside_boundary):
    """Every renewal_change well formed and tied to items; the report's kinds of change all shown."""
    fby = {f["id"]: f for f in feats}
    streets = {f["id"]: f for f in feats if f["properties"]["kind"] == "street"}
    street_lines = {sid: [xy(c) for c in f["geometry"]["coordinates"]] for sid, f in streets.items()}
    cat_of = {iid: it["catalogue"] for iid, it in items.items()}
    changes, in_force, pending = {}, {}, []

    for f in feats:
        p, fid = f["properties"], f["id"]
        if p["kind"] == "other":
            check(fid.startswith("other-"), f"{fid}: id of an 'other' feature should start with other-")
            check(change_kind(f) in ("added", "removed"), f"{fid}: an 'other' object must be added or removed")
            check(f["geometry"]["type"] in ("LineString", "Polygon"), f"{fid}: 'other' objects are lines or polygons")
            check(isinstance(p.get("note_zh"), str) and p["note_zh"] and isinstance(p.get("note_en"), str) and p["note_en"],
                  f"{fid}: note_zh/note_en")
        if "renewal_change" not in p:
            continue
        ch = p["renewal_change"]
        w = f"{fid}: renewal_change"
        if not check(isinstance(ch, dict), f"{w} is not an object"):
            continue
        check(not set(ch) - CHANGE_KEYS, f"{w}: unknown keys {sorted(set(ch) - CHANGE_KEYS)}")
        kind = ch.get("change")
        ok = check(kind in CHANGE_KINDS, f"{w}: change {kind!r} not one of {CHANGE_KINDS}")
        by = ch.get("by_items")
        if check(isinstance(by, list) and by and all(isinstance(i, str) for i in by) and len(set(by)) == len(by),
                 f"{w}: by_items must be a non-empty list of unique item ids"):
            carried = {it.get("id") for it in p.get("renewal_items") or [] if isinstance(it, dict)}
            for iid in by:
                if check(iid in items, f"{w}: by_items names unknown item {iid!r}"):
                    check(fid in items[iid]["features"], f"{w}: item {iid} does not list {fid} in its features")
                    check(iid in carried, f"{w}: item {iid} is not in {fid}'s renewal_items")
                else:
                    ok = False
        else:
            ok = False
        if kind != "modified":
            check("after_properties" not in ch and "after_geometry" not in ch, f"{w}: after_* only on a modified feature")
        else:
            check("after_properties" in ch or "after_geometry" in ch, f"{w}: modified but nothing differs after")
        if "after_properties" in ch:
            ap = ch["after_properties"]
            if check(isinstance(ap, dict) and ap, f"{w}: after_properties must be a non-empty object"):
                bad = sorted(set(ap) & NOT_AFTER)
                check(not bad, f"{w}: after_properties may not set {bad}")
                same = sorted(k for k, v in ap.items() if p.get(k) == v)
                check(not same, f"{w}: after_properties {same} equal the before value")
                after = {**p, **ap}
                for key in ("name_zh", "name_en"):
                    check(isinstance(after.get(key), str) and after[key].strip(), f"{w}: {key} after")
                check(has_cjk(after.get("name_zh")), f"{w}: name_zh after not Chinese")
                for k, v in ap.items():
                    if k.endswith("_zh"):
                        check(has_cjk(v), f"{w}: after {k} not Chinese")
        if "after_geometry" in ch:  # its RFC 7946 validity is checked with the feature's own geometry
            ag = ch["after_geometry"]
            check(ag != f["geometry"], f"{w}: after_geometry equals the geometry before")
            if isinstance(ag, dict) and ag.get("type") == "Polygon":
                r = rings_xy(ag)
                check(poly_inside_boundary(r), f"{w}: after_geometry not inside the boundary")
                for sid, line in street_lines.items():
                    d = line_poly_dist(line, r)
                    wd = streets[sid]["properties"]["width_m"]
                    check(d >= wd / 2 + 1, f"{w}: after_geometry touches the corridor of {sid} ({d:.1f} m)")
            elif isinstance(ag, dict) and ag.get("type") in ("Point", "LineString"):
                for c in iter_positions(ag):
                    check(inside_boundary(xy(c), tol=1.5), f"{w}: after_geometry {c} outside the boundary")
        if not ok:
            continue
        changes[fid] = ch
        dates = [done_date(items[i]) for i in ch["by_items"]]
        if any(d is None for d in dates):
            pending.append(fid)
        else:
            in_force[fid] = max(dates)
            check(TIMELINE[0] <= in_force[fid] <= TIMELINE[1], f"{w}: in force on {in_force[fid]}, outside the 2018-2020 renewal")

    kinds = {k: sorted(fid for fid, ch in changes.items() if ch["change"] == k) for k in CHANGE_KINDS}
    for k in CHANGE_KINDS:
        check(kinds[k], f"no feature is {k}")
    check(len(pending) <= 1, f"changes tied to items not yet completed: {pending}; at most one may be still to come")

    def by_cat(ch, cat):
        return [i for i in ch["by_items"] if cat_of[i] == cat]

    def done_in(iid, years):
        d = done_date(items[iid])
        return d is not None and d[:4] in years

    # 1. overhead lines removed: beside 劲松西街 and beside lanes, by overhead-line burial items
    ohl = {"main": [], "lane": []}
    for fid in kinds["removed"]:
        f, ch = fby[fid], changes[fid]
        if f["properties"].get("infrastructure") != "overhead_line":
            continue
        w = f"overhead line {fid}"
        if not check(f["geometry"]["type"] == "LineString", f"{w}: LineString"):
            continue
        line = [xy(c) for c in f["geometry"]["coordinates"]]
        for q in line:
            check(inside_boundary(q, tol=1.5), f"{w}: vertex {q} outside the boundary")
        for ofid, of in fby.items():
            g = geometry_in(of, "before")
            if g is not None and g["type"] == "Polygon" and of["properties"]["kind"] != "boundary":
                d = line_poly_dist(line, rings_xy(g))
                check(d >= 1, f"{w}: {d:.1f} m from {ofid}")
        sid = f["properties"].get("beside")
        ohl_items = by_cat(ch, "overhead_lines_underground")
        if not check(sid in streets and ohl_items, f"{w}: must name the street it is 'beside' and be removed by an overhead-line item"):
            continue
        check(any(sid in items[i]["features"] for i in ohl_items), f"{w}: its overhead-line item is not on {sid}")
        wd = streets[sid]["properties"]["width_m"]
        far = max(dist_to_line(q, street_lines[sid]) for q in sample_line(line))
        check(far <= wd / 2 + 4 and line_length(line) >= 100, f"{w}: not along {sid} ({far:.1f} m off, {line_length(line):.0f} m long)")
        ohl["main" if sid == "street-jinsongxi" else "lane"].append(fid)
    check(len(ohl["main"]) >= 1, "no overhead line removed beside 劲松西街")
    check(2 <= len(ohl["lane"]) <= 4, f"overhead lines removed beside lanes: {ohl['lane']}, want 2-3")

    # 2. the bicycle shed's change of use
    ch = changes.get("node-bikeshed")
    if check(ch and ch["change"] == "modified", "node-bikeshed should be modified (change of use)"):
        ap = ch.get("after_properties") or {}
        check(ap.get("use_zh") == "便民商铺与物业用房" and ap.get("use_en") == "Shops and property office",
              "node-bikeshed: use after should be 便民商铺与物业用房 / Shops and property office")
        check(by_cat(ch, "idle_space_revitalisation"), "node-bikeshed: change not by the idle-space item (it-bikeshed)")

    # 3. barrier-free ramps added at building entrances and on 劲松西街
    ramps_b, ramps_s = [], []
    for fid in kinds["added"]:
        f, ch = fby[fid], changes[fid]
        p = f["properties"]
        if "无障碍坡道" not in p["name_zh"]:
            continue
        w = f"ramp {fid}"
        bf = by_cat(ch, "barrier_free")
        check(p["kind"] == "node" and bf, f"{w}: a node added by a barrier-free item")
        if f["geometry"]["type"] == "Polygon":
            r = rings_xy(f["geometry"])
            host = p.get("host_building")
            if not check(host in B, f"{w}: host_building {host!r}"):
                continue
            check(any(f"b{host}" in items[i]["features"] for i in bf), f"{w}: its item is not on building {host}")
            check(abs(shoelace(r[0])) <= 30, f"{w}: {abs(shoelace(r[0])):.0f} m², too big for a ramp")
            check(poly_poly_dist(r, B[host]) <= 0.05 and not interiors_overlap(r, B[host]), f"{w}: does not touch building {host}")
            check(bounds(r)[3] <= bounds(B[host])[1] + 0.05, f"{w}: not on the south side of building {host}")
            ramps_b.append(fid)
        else:
            q = xy(f["geometry"]["coordinates"])
            line = street_lines.get("street-jinsongxi")
            if line and dist_to_line(q, line) <= streets["street-jinsongxi"]["properties"]["width_m"] / 2 + 3:
                check(any("street-jinsongxi" in items[i]["features"] for i in bf), f"{w}: its item is not on 劲松西街")
                ramps_s.append(fid)
            else:
                check(host_ok := any(p.get("host_building") and f"b{p['host_building']}" in items[i]["features"] for i in bf),
                      f"{w}: a point ramp must be on 劲松西街 or at a building of its item")
                if host_ok:
                    ramps_b.append(fid)
    check(5 <= len(ramps_b) <= 8, f"{len(ramps_b)} ramps added at building entrances, want 5-8")
    check(1 <= len(ramps_s) <= 2, f"{len(ramps_s)} ramps added on 劲松西街, want 1-2")

    # 4. new bicycle sheds added, by a bicycle-shed item completed in 2019
    sheds = []
    for fid in kinds["added"]:
        f, ch = fby[fid], changes[fid]
        if "非机动车棚" not in f["properties"]["name_zh"]:
            continue
        w = f"new bicycle shed {fid}"
        sheds.append(fid)
        bs = by_cat(ch, "bicycle_shed")
        check(f["properties"]["kind"] == "node" and bs and all(done_in(i, ("2019",)) for i in bs),
              f"{w}: a node added by a bicycle-shed item completed in 2019")
        if check(f["geometry"]["type"] == "Polygon", f"{w}: Polygon"):
            r = rings_xy(f["geometry"])
            L, D, _ = min_rotated_rect(r[0])
            check(15 <= L <= 25 and 4 <= D <= 8, f"{w}: {L:.1f}x{D:.1f} m, want ~20x6")
            check(poly_inside_boundary(r), f"{w}: not inside the boundary")
            for ofid, of in fby.items():
                g = geometry_in(of, "after")
                if ofid != fid and g is not None and g["type"] == "Polygon" and of["properties"]["kind"] != "boundary":
                    d = poly_poly_dist(r, rings_xy(g))
                    check(d >= 2, f"{w}: only {d:.1f} m from {ofid}: not in open ground")
    check(2 <= len(sheds) <= 3, f"{len(sheds)} new bicycle sheds, want 2-3")

    # 5. illegal structures removed, by a demolition item completed 2018-2019
    illegal = []
    for fid in kinds["removed"]:
        f, ch = fby[fid], changes[fid]
        p = f["properties"]
        if not ("违法建设" in p["name_zh"] or "违章搭建" in p["name_zh"]):
            continue
        w = f"illegal structure {fid}"
        illegal.append(fid)
        ds = by_cat(ch, "illegal_structure_removal")
        check(p["kind"] == "other" and ds and all(done_in(i, ("2018", "2019")) for i in ds),
              f"{w}: an 'other' object removed by a demolition item completed 2018-2019")
        if check(f["geometry"]["type"] == "Polygon", f"{w}: Polygon"):
            r = rings_xy(f["geometry"])
            L, D, _ = min_rotated_rect(r[0])
            check(5 <= L <= 12 and 3 <= D <= 6, f"{w}: {L:.1f}x{D:.1f} m, want ~8x4")
            check(poly_inside_boundary(r), f"{w}: not inside the boundary")
            host = p.get("host_building")
            if host is not None:
                check(host in B and poly_poly_dist(r, B[host]) <= 0.05, f"{w}: does not touch its building {host}")
    check(3 <= len(illegal) <= 4, f"{len(illegal)} illegal structures removed, want 3-4")

    # 6. the gardens: 209 reshaped into the freed ground, 劲松园 with new facilities
    ch = changes.get("garden-209")
    if check(ch and ch["change"] == "modified" and isinstance(ch.get("after_geometry"), dict)
             and ch["after_geometry"].get("type") == "Polygon", "garden-209 should be modified with an after_geometry"):
        check(any("garden-209" in items[i]["features"] for i in by_cat(ch, "greening_pocket_garden")),
              "garden-209: reshaped by its garden item (it-garden-209)")
        before = area_ellipsoid(fby["garden-209"]["geometry"]["coordinates"])
        after = area_ellipsoid(ch["after_geometry"]["coordinates"])
        check(abs(after - before) >= 50, f"garden-209: after_geometry changes the area by {after - before:.0f} m², not visibly")
        check(0.15 <= after / 1e4 <= 0.3, f"garden-209: area after {after / 1e4:.3f} ha not 0.15-0.3")
        ra = rings_xy(ch["after_geometry"])
        check(poly_poly_dist(ra, B["209"]) <= 20, "garden-209: after, more than 20 m from building 209")
        check(any(interiors_overlap(ra, rings_xy(fby[i]["geometry"])) for i in illegal),
              "garden-209: after_geometry does not take in the ground of a removed illegal structure")
        ap = ch.get("after_properties") or {}
        if "area_m2" in fby["garden-209"]["properties"]:
            check(isinstance(ap.get("area_m2"), int) and abs(ap["area_m2"] - after) <= 1,
                  f"garden-209: area_m2 after should be {after:.0f}")
    ch = changes.get("garden-jinsongyuan")
    if check(ch and ch["change"] == "modified" and ch.get("after_properties"), "garden-jinsongyuan should be modified with after_properties"):
        check(by_cat(ch, "greening_pocket_garden"), "garden-jinsongyuan: change not by its garden item (it-garden-jinsongyuan)")

    # 7. the street renewed
    ch = changes.get("street-jinsongxi")
    if check(ch and ch["change"] == "modified", "street-jinsongxi should be modified"):
        ap = ch.get("after_properties") or {}
        check(ap.get("surface_zh") == "透水铺装、彩色步道" and ap.get("surface_en") == "Permeable paving and coloured walkway",
              "street-jinsongxi: surface after should be 透水铺装、彩色步道 / Permeable paving and coloured walkway")
        check(by_cat(ch, "street_renewal"), "street-jinsongxi: change not by the street renewal item (it-jinsongxi-renewal)")

    # 8. service nodes with a renewed use
    served = [fid for fid in kinds["modified"] if fby[fid]["properties"]["kind"] == "node"
              and fid != "node-bikeshed" and changes[fid].get("after_properties")]
    check(len(served) >= 2, f"service nodes modified: {served}, want a few")

    total = sum(len(v) for v in kinds.values())
    print(f"renewal changes {total}: " + ", ".join(f"{len(kinds[k])} {k}" for k in CHANGE_KINDS) +
          (f"; in force {min(in_force.values())} to {max(in_force.values())}" if in_force else "") +
          (f"; still to come: {', '.join(pending)}" if pending else ""))



# --------------------------------------------------------------------------------------------------
# The story (renewal_plan.stories): the renewal told slide by slide for a residents' meeting
# --------------------------------------------------------------------------------------------------
STORY_KEYS = {"id", "name_zh", "name_en", "slides"}
SLIDE_KEYS = {"title_zh", "title_en", "caption_zh", "caption_en", "center", "ground_mpp", "phase", "compare", "swipe",
              "layers", "theme", "highlight", "photo_item"}
LAYERS = KINDS + ("other",)
COMPARES = ("single", "swipe", "side_by_side")
THEMES = ("kind", "status", "category", "funding", "consent")
STORY_DATES = (datetime.date(2018, 7, 20), datetime.date(2020, 9, 15))
VIEW_PX = (1280, 800)
MPP_RANGE = (0.12, 0.8)


def is_num(v):
    return type(v) in (int, float) and math.isfinite(v)


def sentences_zh(s):
    return len(re.findall(r"[。！？]", s.rstrip("。！？"))) + 1


def sentences_en(s):
    return len(re.findall(r"[.!?]['\")]?\s+[A-Z'\"]", s)) + 1


def check_stories(doc, feats, items):
    """renewal_plan.stories: one story of 8-11 slides, every slide a valid view of the district."""
    plan = doc.get("renewal_plan") or {}
    stories = plan.get("stories")
    if not check(isinstance(stories, list) and len(stories) == 1, "renewal_plan.stories must be a list of exactly one story"):
        return
    st = stories[0]
    if not check(isinstance(st, dict), "story is not an object"):
        return
    check(set(st) == STORY_KEYS, f"story keys {sorted(st)}, want {sorted(STORY_KEYS)}")
    check(st.get("id") == "jinsong-story", f"story id {st.get('id')!r}")
    check(st.get("name_zh") == "劲松模式：老旧小区有机更新", f"story name_zh {st.get('name_zh')!r}")
    check(st.get("name_en") == "The Jinsong model: organic renewal of an old community", f"story name_en {st.get('name_en')!r}")
    slides = st.get("slides")
    if not check(isinstance(slides, list) and 8 <= len(slides) <= 11, "story must have 8-11 slides"):
        return
    fby = {f["id"]: f for f in feats}
    item_ids = set(items) if items is not None else {it.get("id") for f in feats
                                                       for it in f["properties"].get("renewal_items") or [] if isinstance(it, dict)}
    brings = rings_xy(fby["boundary"]["geometry"])
    n_failures = len(FAILURES)
    themes, compares = [], []
    for n, s in enumerate(slides, 1):
        w = f"slide {n}"
        if not check(isinstance(s, dict), f"{w}: not an object"):
            continue
        w = f"slide {n} ({s.get('title_en')!r})"
        # A consent-coloured slide also names its matter.
        keys = SLIDE_KEYS | ({"consent_matter"} if s.get("theme") == "consent" else set())
        if not check(set(s) == keys, f"{w}: keys missing {sorted(keys - set(s))}, unknown {sorted(set(s) - keys)}"):
            continue
        for k in ("title_zh", "caption_zh"):
            check(has_cjk(s[k]) and s[k].strip() == s[k], f"{w}: {k} not Chinese text")
        for k in ("title_en", "caption_en"):
            check(isinstance(s[k], str) and s[k].strip() and s[k].strip() == s[k] and not has_cjk(s[k]), f"{w}: {k} not English text")
        if has_cjk(s["title_zh"]) and isinstance(s["title_en"], str):
            check(len(s["title_zh"]) <= 16 and len(s["title_en"]) <= 50, f"{w}: slide titles should be short")
        if has_cjk(s["caption_zh"]) and isinstance(s["caption_en"], str):
            check(sentences_zh(s["caption_zh"]) <= 2 and sentences_en(s["caption_en"]) <= 2, f"{w}: captions should be 1-2 sentences")
        c = s["center"]
        if check(isinstance(c, list) and len(c) == 2 and all(is_num(v) for v in c), f"{w}: center {c!r} not [lon, lat]"):
            check(all(abs(v * 1e7 - round(v * 1e7)) < 1e-4 for v in c), f"{w}: center {c} not rounded to 7 decimals")
            check(BBOX[0] <= c[0] <= BBOX[2] and BBOX[1] <= c[1] <= BBOX[3], f"{w}: center {c} outside the district bbox")
        mpp = s["ground_mpp"]
        check(is_num(mpp) and MPP_RANGE[0] <= mpp <= MPP_RANGE[1], f"{w}: ground_mpp {mpp!r} not {MPP_RANGE[0]}-{MPP_RANGE[1]}")
        ph = s["phase"]
        if ph not in ("before", "after"):
            d = parse_date(ph)
            check(d is not None and STORY_DATES[0] <= d <= STORY_DATES[1],
                  f"{w}: phase {ph!r} is not before, after or a date {STORY_DATES[0]}..{STORY_DATES[1]}")
        check(s["compare"] in COMPARES, f"{w}: compare {s['compare']!r}")
        check(is_num(s["swipe"]) and 0 <= s["swipe"] <= 1, f"{w}: swipe {s['swipe']!r} not 0..1")
        lay = s["layers"]
        check(isinstance(lay, list) and lay and len(set(lay)) == len(lay) and all(k in LAYERS for k in lay),
              f"{w}: layers {lay!r} not a non-empty list of {LAYERS}")
        check(s["theme"] in THEMES, f"{w}: theme {s['theme']!r}")
        hl = s["highlight"]
        if check(isinstance(hl, list) and len(set(hl)) == len(hl) and all(isinstance(i, str) for i in hl),
                 f"{w}: highlight must be a list of unique feature ids"):
            unknown = [i for i in hl if i not in fby]
            check(not unknown, f"{w}: highlights unknown features {unknown}")
            hidden = [i for i in hl if i in fby and isinstance(lay, list) and fby[i]["properties"]["kind"] not in lay]
            check(not hidden, f"{w}: highlights {hidden} on a layer the slide hides")
            # every highlighted feature is in the view (side by side: each pane is half the width)
            if not unknown and is_num(mpp) and mpp > 0 and isinstance(c, list) and len(c) == 2:
                cx, cy = xy(c)
                hw = VIEW_PX[0] / (4 if s["compare"] == "side_by_side" else 2) * mpp
                hh = VIEW_PX[1] / 2 * mpp
                for i in hl:
                    f = fby[i]
                    g = [f["geometry"]] + [f["properties"].get("renewal_change", {}).get("after_geometry")] * \
                        ("after_geometry" in (f["properties"].get("renewal_change") or {}))
                    pts = [xy(p) for gg in g for p in iter_positions(gg)]
                    x0, y0 = min(p[0] for p in pts), min(p[1] for p in pts)
                    x1, y1 = max(p[0] for p in pts), max(p[1] for p in pts)
                    check(x0 <= cx + hw and x1 >= cx - hw and y0 <= cy + hh and y1 >= cy - hh, f"{w}: {i} is out of view")
        pi = s["photo_item"]
        check(pi is None or (isinstance(pi, str) and pi in item_ids), f"{w}: photo_item {pi!r} is neither null nor an item id")
        # a view of the whole district (nothing highlighted) shows all of it
        if hl == [] and is_num(mpp) and isinstance(c, list) and len(c) == 2:
            cx, cy = xy(c)
            x0, y0, x1, y1 = bounds(brings)
            pane_w = VIEW_PX[0] / (2 if s["compare"] == "side_by_side" else 1)
            check(x1 - x0 <= pane_w * mpp and y1 - y0 <= VIEW_PX[1] * mpp and
                  abs(cx - (x0 + x1) / 2) <= 5 and abs(cy - (y0 + y1) / 2) <= 5, f"{w}: does not show the whole district")
        themes.append(s["theme"])
        compares.append(s["compare"])

    # ---- the story as the report tells it -------------------------------------------------------------
    if len(FAILURES) > n_failures:
        return  # the slides are malformed: the checks below assume well-formed values
    first, last = slides[0], slides[-1]
    check(first["phase"] == "before" and first["highlight"] == [], "slide 1 should show the whole district before")
    check(last["phase"] == "after" and last["highlight"] == [] and last["theme"] == "kind",
          "the last slide should show the whole district after, by kind")
    check("43" in first["caption_zh"] and "26" in first["caption_zh"] and "43" in first["caption_en"] and "26" in first["caption_en"],
          "slide 1 should give the 43 buildings and 26 ha")
    check(set(slides[1]["highlight"]) >= {"street-jinsongxi", "garden-jinsongyuan", "garden-209", "core-committee", "core-property"},
          "slide 2 should highlight the street, both gardens and both cores")
    check(any(s["compare"] == "swipe" and s["highlight"] == ["street-jinsongxi"] and s["ground_mpp"] <= 0.3
              for s in slides), "a swipe slide zoomed to 劲松西街")
    check(any(s["compare"] == "side_by_side" and any(fby.get(i, {}).get("properties", {}).get("infrastructure") == "overhead_line"
                                                     for i in s["highlight"]) for s in slides),
          "a side-by-side slide of the overhead lines")
    check(any(s["compare"] == "swipe" and "node-bikeshed" in s["highlight"] and s["ground_mpp"] <= 0.3 for s in slides),
          "a swipe slide zoomed on the bicycle shed")
    check(any(s["compare"] == "swipe" and "garden-209" in s["highlight"] for s in slides), "a swipe slide of the gardens")
    check(any(s["theme"] == "status" and parse_date(s["phase"]) for s in slides), "a progress slide (status theme, as of a date)")
    money = [s for s in slides if s["theme"] == "funding"]
    check(money and all("3000万" in s["caption_zh"] and "45%" in s["caption_zh"] and "微利可持续" in s["caption_zh"]
                        and "30 million" in s["caption_en"] and "45%" in s["caption_en"] for s in money),
          "the funding slide should say 30 million yuan = 45 %, micro-profit and sustainable")
    gov = [s for s in slides if s["theme"] == "category"]
    check(gov and all({"core-committee", "core-property"} <= set(s["highlight"]) and "先尝后买" in s["caption_zh"]
                      and "双过半" in s["caption_zh"] and "五方联动" in s["caption_zh"] for s in gov),
          "the governance slide should highlight the cores: five-party linkage, try first then buy, double half")
    check_consent_slides(doc, slides)
    print(f"story {st['id']}: {len(slides)} slides; themes {themes}; compare {compares}")


def check_consent_slides(doc, slides):
    """A slide shows the consent map of the property service, and its words are the register's numbers."""
    consent = (doc.get("renewal_plan") or {}).get("consent") or {}
    matters = {m["id"]: m for m in consent.get("matters", [])}
    shown = [s for s in slides if s["theme"] == "consent"]
    if not check(shown, "a slide should show the consent map"):
        return
    for s in shown:
        mid = s.get("consent_matter")
        if not check(mid in matters, f"consent slide: matter {mid!r} is not one of the plan's"):
            continue
        m = matters[mid]
        votes = consent.get("votes", {}).get(mid, {})
        if m["scope"]["type"] != "district":
            continue
        hs = consent["households"]
        n, voted = len(hs), sum(1 for h in hs if h["id"] in votes)
        agree = sum(1 for h in hs if votes.get(h["id"], {}).get("vote") == "agree")
        for k in ("caption_zh", "caption_en"):
            check(all(str(x) in s[k] for x in (n, voted, agree)),
                  f"consent slide: {k} should give {n} households, {voted} voting and {agree} agreeing")
        check("双过半" in s["caption_zh"] and "通过" in s["caption_zh"] and "passed" in s["caption_en"],
              "consent slide: should say the double majority and that it passed")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    check(not text.startswith("\ufeff"), "file starts with a BOM")
    check("劲松" in text, "Chinese is not written as real characters (ensure_ascii=False)")
    check(re.search(r"\\u[4-9][0-9a-fA-F]{3}", text) is None, "CJK characters escaped as \\uXXXX")
    check(text.count("\n") >= 60, "not one feature per line (too few lines to diff)")
    doc = json.loads(text)

    # ---- top level ---------------------------------------------------------------------------------
    check(doc.get("type") == "FeatureCollection", "not a FeatureCollection")
    check(doc.get("name") == "劲松一区、二区 Jinsong District 1 & 2 (劲松北社区)", "top-level name")
    note = doc.get("note", "")
    for word in ("示意", "非测绘", "SCHEMATIC", "NOT SURVEYED", "116.4540", "116.4600", "39.8850", "39.8896",
                 "150", "250", "research/jinsong-location.md", "劲松桥"):
        check(word in note, f"note lacks {word!r}")
    src = doc.get("source", "")
    check("Best Practice" in src and "15" in src and "最佳实践" in src, "source must cite Best Practice report No. 15")
    check("crs" not in doc, "RFC 7946 has no crs member")

    feats = doc.get("features", [])
    ids = [f.get("id") for f in feats]
    check(all(isinstance(i, str) and i for i in ids), "every feature needs a string id")
    check(len(set(ids)) == len(ids), "feature ids are not unique")

    by_kind = {}
    for f in feats:
        check(f.get("type") == "Feature", f"{f.get('id')}: not a Feature")
        p = f.get("properties") or {}
        for key in ("kind", "name_zh", "name_en"):
            check(isinstance(p.get(key), str) and p[key].strip(), f"{f.get('id')}: property {key} missing")
        check(re.search(r"[\u4e00-\u9fff]", p.get("name_zh", "")) is not None, f"{f.get('id')}: name_zh not Chinese")
        by_kind.setdefault(p.get("kind"), []).append(f)
        g = f.get("geometry") or {}
        check_geometry(g, f.get("id"))
        ch = p.get("renewal_change")
        if isinstance(ch, dict) and "after_geometry" in ch:
            ag, t = ch["after_geometry"], g.get("type")
            if check(isinstance(ag, dict) and ag.get("type") == t and isinstance(ag.get("coordinates"), list),
                     f"{f.get('id')}: after_geometry must be a {t} like its geometry"):
                check_geometry(ag, f"{f.get('id')} after_geometry")
    # "other" holds objects that only exist before or after the renewal (overhead lines, illegal structures)
    check(set(KINDS) <= set(by_kind) <= set(KINDS) | {"other"}, f"kinds: {sorted(by_kind, key=str)}")
    if FAILURES:
        return report()

    # ---- boundary ----------------------------------------------------------------------------------
    check(len(by_kind["boundary"]) == 1, "exactly one boundary")
    bf = by_kind["boundary"][0]
    check(bf["id"] == "boundary", "boundary id")
    check(bf["geometry"]["type"] == "Polygon", "boundary is a Polygon")
    bp = bf["properties"]
    check(bp.get("district_zh") == "劲松一区、二区", "boundary district_zh")
    check(isinstance(bp.get("area_note"), str) and bp["area_note"], "boundary area_note")
    brings_ll = bf["geometry"]["coordinates"]
    a_sph = area_sphere(brings_ll) / 1e4
    a_ell = area_ellipsoid(brings_ll) / 1e4
    check(abs(a_sph - TARGET_HA) <= 0.01 * TARGET_HA, f"boundary spherical area {a_sph:.3f} ha not 26 ha ±1%")
    check(abs(a_ell - TARGET_HA) <= 0.01 * TARGET_HA, f"boundary ellipsoidal area {a_ell:.3f} ha not 26 ha ±1%")
    check(abs(a_ell - TARGET_HA) <= 0.003 * TARGET_HA, f"boundary ellipsoidal area {a_ell:.3f} ha not within 0.3% of 26 ha")
    check(abs(a_sph - a_ell) <= 0.003 * a_ell, "spherical and ellipsoidal areas disagree by > 0.3%")
    brings = rings_xy(bf["geometry"])
    bw, bh, _ = min_rotated_rect(brings[0])
    check(len(brings[0]) >= 8 and bw * bh - abs(shoelace(brings[0])) > 200, "boundary must not be a plain rectangle")

    def inside_boundary(p, tol=0.0):
        if in_polygon(p, brings):
            return True
        return tol > 0 and min(point_seg_dist(p, a, b) for a, b in edges(brings)) <= tol

    def poly_inside_boundary(rings):
        return all(inside_boundary(p) for p in rings[0]) and not any(
            segments_intersect(a, b, c, d) for a, b in edges([rings[0]]) for c, d in edges(brings))

    # ---- buildings ---------------------------------------------------------------------------------
    blds = by_kind["building"]
    check(len(blds) == 43, f"{len(blds)} buildings, want exactly 43")
    nums = sorted(f["properties"].get("number", "") for f in blds)
    want = [str(n) for n in range(101, 123)] + [str(n) for n in range(201, 222)]
    check(nums == want, "building numbers must be 101-122 and 201-221")
    B = {}
    n_l = n_st = n_rot = n_range = 0
    for f in blds:
        p, fid = f["properties"], f["id"]
        num = p.get("number", "")
        check(fid == f"b{num}", f"{fid}: id should be b{num}")
        sub = "劲松一区" if num.startswith("1") else "劲松二区"
        check(p.get("subdistrict_zh") == sub, f"{fid}: subdistrict_zh")
        check(p.get("name_zh") == f"{sub}{num}楼", f"{fid}: name_zh {p.get('name_zh')}")
        check(p.get("name_en") == f"Building {num}, Jinsong District {num[0]}", f"{fid}: name_en {p.get('name_en')}")
        check(f["geometry"]["type"] == "Polygon" and len(f["geometry"]["coordinates"]) == 1, f"{fid}: one-ring Polygon")
        floors = p.get("floors")
        check(type(floors) is int and floors in (5, 6), f"{fid}: floors {floors}")
        check(p.get("year_built") in (1977, 1978) and type(p.get("year_built")) is int, f"{fid}: year_built")
        check(p.get("structure") == "砖混 brick-concrete", f"{fid}: structure")
        rings = rings_xy(f["geometry"])
        foot = area_ellipsoid(f["geometry"]["coordinates"])
        fa, hh = p.get("floor_area_m2"), p.get("households")
        check(type(fa) is int and abs(fa - foot * (floors or 0)) <= 0.01 * fa + 2, f"{fid}: floor_area_m2 {fa} vs {foot * (floors or 0):.0f}")
        check(type(hh) is int and hh > 0 and 54.5 <= fa / hh <= 60.5, f"{fid}: households {hh} unrealistic for {fa} m²")
        L, D, ang = min_rotated_rect(rings[0])
        shape = p.get("shape")
        plen, pdep = p.get("length_m"), p.get("depth_m")
        check(10 <= (pdep or 0) <= 13, f"{fid}: depth_m {pdep} not 10-13 m")
        check(abs(ang) <= 11, f"{fid}: long axis {ang:.1f}° from east-west")
        if 50 <= L <= 90.5:
            n_range += 1
        check(45 <= L <= 95, f"{fid}: length {L:.1f} m")
        nv = len(rings[0])
        if shape == "slab":
            check(nv == 4, f"{fid}: slab with {nv} vertices")
            check(10 - 0.05 <= D <= 13 + 0.05, f"{fid}: depth {D:.2f} m not 10-13")
            check(abs(L - plen) < 0.5 and abs(D - pdep) < 0.3, f"{fid}: MRR {L:.1f}x{D:.1f} vs properties {plen}x{pdep}")
            check(abs(abs(ang) - abs(p.get("rotation_deg", 0))) < 0.5, f"{fid}: rotation_deg vs geometry {ang:.1f}")
            if 4 <= abs(ang) <= 11:
                n_rot += 1
        elif shape == "L":
            n_l += 1
            extra = abs(shoelace(rings[0])) - plen * pdep
            check(nv == 6, f"{fid}: L-shape with {nv} vertices")
            check(abs(L - plen) < 0.5 and 60 <= extra <= 300 and D <= 35, f"{fid}: L-shape wing/size MRR {L:.1f}x{D:.1f}")
        elif shape == "staggered":
            n_st += 1
            check(nv == 8, f"{fid}: staggered slab with {nv} vertices")
            check(abs(L - plen) < 0.5 and pdep + 1 <= D <= pdep + 5, f"{fid}: staggered MRR {L:.1f}x{D:.1f}")
            check(abs(abs(shoelace(rings[0])) - plen * pdep) < 2, f"{fid}: staggered area vs two offset rectangles")
        else:
            check(False, f"{fid}: unknown shape {shape}")
        check(poly_inside_boundary(rings), f"{fid}: not inside the boundary")
        B[num] = rings
    check(n_l >= 5, f"{n_l} L-shaped buildings, want >= 5")
    check(n_st >= 4, f"{n_st} staggered buildings, want >= 4")
    check(2 <= n_rot <= 10, f"{n_rot} slightly rotated buildings, want a few")
    check(n_range >= 0.8 * len(blds), f"only {n_range} buildings 50-90 m long")

    # ---- other polygons ----------------------------------------------------------------------------
    gardens = {f["properties"]["name_zh"]: f for f in by_kind["garden"]}
    check(len(by_kind["garden"]) == 2 and set(gardens) == {"劲松园", "209小花园"}, f"gardens: {sorted(gardens)}")
    gid = {"劲松园": "garden-jinsongyuan", "209小花园": "garden-209"}
    for zh, f in gardens.items():
        check(f["id"] == gid.get(zh), f"garden id {f['id']}")
        check(f["geometry"]["type"] == "Polygon", f"{f['id']}: Polygon")
        check(poly_inside_boundary(rings_xy(f["geometry"])), f"{f['id']}: not inside the boundary")
    if "劲松园" in gardens:
        g = gardens["劲松园"]
        a = area_ellipsoid(g["geometry"]["coordinates"]) / 1e4
        check(0.6 <= a <= 1.0, f"劲松园 area {a:.3f} ha not 0.6-1.0")
        check(g["properties"]["name_en"] == "Jinsong Garden", "劲松园 name_en")
        check(len(g["geometry"]["coordinates"]) >= 2, "劲松园 should have a hole (pavilion/pond)")
        for h in rings_xy(g["geometry"])[1:]:
            check(all(in_ring(p, rings_xy(g["geometry"])[0]) for p in h), "劲松园 hole outside its exterior")
    if "209小花园" in gardens:
        g = gardens["209小花园"]
        a = area_ellipsoid(g["geometry"]["coordinates"]) / 1e4
        check(0.15 <= a <= 0.3, f"209小花园 area {a:.3f} ha not 0.15-0.3")
        check(g["properties"]["name_en"] == "209 Small Garden", "209小花园 name_en")
        if "209" in B:
            d = poly_poly_dist(rings_xy(g["geometry"]), B["209"])
            check(d <= 20, f"209小花园 is {d:.1f} m from building 209")

    cores = {f["properties"]["name_zh"]: f for f in by_kind["core"]}
    check(len(by_kind["core"]) == 2 and set(cores) == {"社区居委会", "物业中心"}, f"cores: {sorted(cores)}")
    cen = {"社区居委会": ("Neighbourhood Committee", "core-committee"), "物业中心": ("Property Service Centre", "core-property")}
    for zh, f in cores.items():
        check((f["properties"]["name_en"], f["id"]) == cen.get(zh), f"{f['id']}: name_en/id")
        check(f["geometry"]["type"] == "Polygon", f"{f['id']}: Polygon")
        if f["geometry"]["type"] == "Polygon":
            r = rings_xy(f["geometry"])
            L, D, _ = min_rotated_rect(r[0])
            check(20 <= L <= 30 and 12 <= D <= 18, f"{f['id']}: {L:.1f}x{D:.1f} m, want ~25x15")
            check(poly_inside_boundary(r), f"{f['id']}: not inside the boundary")

    # ---- nodes -------------------------------------------------------------------------------------
    nodes = by_kind["node"]
    check(len(nodes) >= 10, f"{len(nodes)} nodes, want >= 10")
    required = {"食堂": "canteen", "卫生服务站": "health", "美好会客厅": "living room", "自行车棚": "bicycle shed",
                "匠心工坊": "workshop", "理发": "barber", "便民菜站": "food station", "副食店": "grocery",
                "养老驿站": "elderly care", "快递柜": "parcel lockers", "西街南门": "south gate"}
    for key, what in required.items():
        check(sum(key in f["properties"]["name_zh"] for f in nodes) == 1, f"node {what} ({key}) missing or repeated")
    for f in nodes:
        p = f["properties"]
        check(isinstance(p.get("note_zh"), str) and p["note_zh"] and isinstance(p.get("note_en"), str) and p["note_en"],
              f"{f['id']}: note_zh/note_en")
        check(f["id"].startswith("node-"), f"{f['id']}: node id")
        want_type = "Polygon" if "自行车棚" in p["name_zh"] else "Point"
        if change_kind(f) == "added":
            check(f["geometry"]["type"] in ("Point", "Polygon"), f"{f['id']}: geometry should be a Point or Polygon")
        else:
            check(f["geometry"]["type"] == want_type, f"{f['id']}: geometry should be {want_type}")
        if "自行车棚" in p["name_zh"] and f["geometry"]["type"] == "Polygon":
            L, D, _ = min_rotated_rect(rings_xy(f["geometry"])[0])
            check(35 <= L <= 45 and 8 <= D <= 12, f"bicycle shed {L:.1f}x{D:.1f} m, want ~40x10")
            check(poly_inside_boundary(rings_xy(f["geometry"])), "bicycle shed not inside the boundary")

    # ---- no overlaps between polygons --------------------------------------------------------------
    polys = [(f["id"], rings_xy(f["geometry"])) for f in feats
             if f["geometry"]["type"] == "Polygon" and f["properties"]["kind"] != "boundary"]
    # Each state of the plan is a valid map: before (all but the added) and after (all but the removed,
    # modified ones in their after geometry).  Features that exist in both states may not even touch;
    # an added or removed object may touch a building (a ramp, a lean-to) but nothing else.
    transient = {f["id"] for f in feats if change_kind(f) in ("added", "removed")}
    fk = {f["id"]: f["properties"]["kind"] for f in feats}
    for state in ("before", "after"):
        sp = [(f["id"], rings_xy(g), f["id"] in transient or g is not f["geometry"]) for f in feats
              for g in [geometry_in(f, state)] if g is not None and g.get("type") == "Polygon" and fk[f["id"]] != "boundary"]
        for (ia, ra, ca), (ib, rb, cb) in itertools.combinations(sp, 2):
            if state == "after" and not (ca or cb):
                continue  # unchanged in both states: checked once, before
            ax0, ay0, ax1, ay1 = bounds(ra)
            bx0, by0, bx1, by1 = bounds(rb)
            if ax0 > bx1 + 1 or bx0 > ax1 + 1 or ay0 > by1 + 1 or by0 > ay1 + 1:
                continue
            tag = "" if state == "before" else " (after)"
            if ia in transient or ib in transient:
                if interiors_overlap(ra, rb):
                    check(False, f"{ia} overlaps {ib}{tag}")
                elif polygons_overlap(ra, rb):
                    check("building" in (fk[ia], fk[ib]), f"{ia} touches {ib}{tag}: an added or removed object may touch only a building")
            else:
                check(not polygons_overlap(ra, rb), f"{ia} overlaps {ib}{tag}")
    bl = list(B.items())
    for (na, ra), (nb, rb) in itertools.combinations(bl, 2):
        ax0, ay0, ax1, ay1 = bounds(ra)
        bx0, by0, bx1, by1 = bounds(rb)
        if ax0 > bx1 + 12 or bx0 > ax1 + 12 or ay0 > by1 + 12 or by0 > ay1 + 12:
            continue
        d = poly_poly_dist(ra, rb)
        check(d >= 12, f"buildings {na} and {nb} only {d:.1f} m apart")

    # ---- rows: clear north-south gap between a slab and the next one north of it ------------------
    open_polys = [r for fid, r in polys if not fid.startswith("b") and fid not in transient]
    gaps = []
    for na, ra in bl:
        ax0, ay0, ax1, ay1 = bounds(ra)
        north = []
        for nb, rb in bl:
            bx0, by0, bx1, by1 = bounds(rb)
            overlap = min(ax1, bx1) - max(ax0, bx0)
            if nb != na and overlap >= 15 and by0 > (ay0 + ay1) / 2 + 3:
                north.append((by0, nb, rb, max(ax0, bx0), min(ax1, bx1)))
        if not north:
            continue
        _, nb, rb, ox0, ox1 = min(north)
        gap = poly_poly_dist(ra, rb)
        top, bottom = bounds(ra)[3], bounds(rb)[1]
        between = any(bounds(o)[0] < ox1 and bounds(o)[2] > ox0 and bounds(o)[1] >= top - 1 and bounds(o)[3] <= bottom + 1
                      for o in open_polys)
        if between:
            check(gap >= 25, f"rows {na}->{nb}: {gap:.1f} m around an open space")
        else:
            gaps.append(gap)
            check(25 <= gap <= 35, f"rows {na}->{nb}: clear N-S gap {gap:.1f} m not 25-35 m")
    check(len(gaps) >= 25, f"only {len(gaps)} row-to-row gaps measured")

    # ---- streets -----------------------------------------------------------------------------------
    streets = by_kind["street"]
    main = [f for f in streets if f["properties"]["name_zh"] == "劲松西街"]
    lanes = [f for f in streets if f["properties"]["name_zh"] != "劲松西街"]
    check(len(main) == 1, "exactly one 劲松西街")
    check(5 <= len(lanes) <= 8, f"{len(lanes)} internal lanes, want 5-8")
    for f in streets:
        p, g = f["properties"], f["geometry"]
        check(g["type"] == "LineString" and len(g["coordinates"]) >= 2, f"{f['id']}: LineString")
        check(f["id"].startswith("street-"), f"{f['id']}: street id")
        w = p.get("width_m")
        check(isinstance(w, (int, float)) and 2 <= w <= 30, f"{f['id']}: width_m {w}")
        line = [xy(c) for c in g["coordinates"]]
        for q in line:
            check(inside_boundary(q, tol=1.5), f"{f['id']}: vertex {q} outside the boundary")
        for num, r in B.items():
            d = line_poly_dist(line, r)
            check(d >= w / 2 + 8, f"{f['id']}: {d:.1f} m from building {num} (need width/2 + 8 = {w / 2 + 8})")
        for fid, r in polys:
            if not fid.startswith("b"):
                d = line_poly_dist(line, r)
                check(d >= w / 2 + 1, f"{f['id']}: corridor touches {fid} ({d:.1f} m)")
    if main:
        m = main[0]
        check(m["id"] == "street-jinsongxi" and m["properties"]["name_en"] == "Jinsongxi Street", "劲松西街 id/name_en")
        line = [xy(c) for c in m["geometry"]["coordinates"]]
        s, e = min(line, key=lambda q: q[1]), max(line, key=lambda q: q[1])
        bearing = math.degrees(math.atan2(e[0] - s[0], e[1] - s[1]))
        check(abs(bearing) <= 15, f"劲松西街 bearing {bearing:.1f}° is not north-south")
        check(e[1] - s[1] >= 400, "劲松西街 should run through the community")
        ymin = min(q[1] for q in brings[0])
        check(s[1] - ymin <= 10, "劲松西街 south end should reach 劲松路 (south edge)")
        gate = [f for f in nodes if "西街南门" in f["properties"]["name_zh"]]
        if gate and gate[0]["geometry"]["type"] == "Point":
            check(math.dist(xy(gate[0]["geometry"]["coordinates"]), s) <= 15, "西街南门 not at the south end of 劲松西街")

        def street_x(y):
            for a, b in zip(line, line[1:]):
                if min(a[1], b[1]) <= y <= max(a[1], b[1]) and a[1] != b[1]:
                    return a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            return line[0][0]
        for num, r in B.items():
            cx = sum(q[0] for q in r[0]) / len(r[0])
            cy = sum(q[1] for q in r[0]) / len(r[0])
            west = cx < street_x(cy)
            check(west == num.startswith("1"), f"building {num} on the wrong side of 劲松西街")

    # ---- points: inside, not in gardens, beside something ------------------------------------------
    anchors_poly = [r for fid, r in polys if not fid.startswith("garden")]
    street_lines = [[xy(c) for c in f["geometry"]["coordinates"]] for f in streets]
    for f in nodes:
        if f["geometry"]["type"] != "Point":
            continue
        q = xy(f["geometry"]["coordinates"])
        check(inside_boundary(q), f"{f['id']}: outside the boundary")
        for zh, g in gardens.items():
            check(not in_polygon(q, rings_xy(g["geometry"])), f"{f['id']}: inside garden {zh}")
        near = min([0.0 if in_polygon(q, r) else min(point_seg_dist(q, a, b) for a, b in edges(r)) for r in anchors_poly] +
                   [min(point_seg_dist(q, a, b) for a, b in zip(l, l[1:])) for l in street_lines])
        check(near <= 15, f"{f['id']}: {near:.1f} m from any building or street")
        host = f["properties"].get("host_building")
        if host:
            check(host in B and in_polygon(q, B[host]), f"{f['id']}: not on its host building {host}")

    # ---- renewal catalogue and items ---------------------------------------------------------------
    items = check_items(doc, feats)
    if items is not None:
        check_changes(feats, items, B, inside_boundary, poly_inside_boundary)
    check_stories(doc, feats, items)

    # ---- determinism: the generator reproduces the file byte for byte -----------------------------
    gen = os.path.join(HERE, "make_jinsong.py")
    if os.path.exists(gen) and os.path.abspath(path) == os.path.abspath(DEFAULT):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "j.geojson")
            subprocess.run([sys.executable, gen, out], check=True, stdout=subprocess.DEVNULL)
            check(open(out, "rb").read() == raw, "maps/jinsong.geojson differs from what tools/make_jinsong.py writes")

    counts = {k: len(v) for k, v in sorted(by_kind.items())}
    print(f"features {len(feats)}: {counts}")
    print(f"boundary area: {a_ell:.4f} ha (WGS84 ellipsoid), {a_sph:.4f} ha (sphere R={R_MEAN})")
    hh = sum(f["properties"]["households"] for f in blds)
    fa = sum(f["properties"]["floor_area_m2"] for f in blds)
    print(f"buildings: {len(blds)} ({n_l} L-shaped, {n_st} staggered, {n_rot} rotated), {fa} m² floor area, {hh} households")
    if gaps:
        print(f"row gaps: {min(gaps):.1f}-{max(gaps):.1f} m over {len(gaps)} pairs")
    return report()


def report():
    if FAILURES:
        for m in FAILURES:
            print("FAIL:", m)
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
