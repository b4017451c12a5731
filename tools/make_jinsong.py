#!/usr/bin/env python3
"""Generate maps/jinsong.geojson: a SCHEMATIC map of 劲松一区、二区 (Jinsongbei community).

Deterministic, Python 3 standard library only.  Run from anywhere:

    python3 tools/make_jinsong.py            # writes maps/jinsong.geojson
    python3 tools/check_jinsong.py           # verifies it

What is real and what is not
----------------------------
Facts from Beijing's Urban Renewal "Best Practice" report No. 15 (2022-07-30): 26 ha, 43 residential
buildings built in the late 1970s, organised for the 2018-2020 renewal as "one street" (劲松西街),
"two gardens" (劲松园, 209小花园), "two cores" (社区居委会, 物业中心) and "multiple nodes" (canteen,
health station, living room, bicycle shed, craft workshop, barber, food station, century-old grocery,
...).  The placement follows shared/research/jinsong-location.md: the block north-west of 劲松桥 on the
East 3rd Ring Road, lon 116.4540-116.4600 E, lat 39.8850-39.8896 N, uncertain by 150-250 m.

NO surveyed geometry was available.  Every outline below is a plausible late-1970s Beijing layout
(parallel east-west brick slabs in rows ~29 m apart) drawn in a local metric frame and placed in that
box.  Building numbers, sizes and the position of each node are illustrative, not survey data.

The renewal items (46, in the "renewal_items" property of every feature they are attached to, ids from
assets/catalogue.json) follow the report's facts: July 2018 agreement with 愿景集团, the four categories,
social capital 30 million yuan = 45 % of the total, idle spaces operated by the enterprise, property
management "try first, then buy".  Their split, amounts and dates are illustrative (see ITEMS below).

Before and after: features carry a "renewal_change" (modified / added / removed, by the items whose
completion brings it into force; see EXISTING_CHANGES and the objects above it).  Overhead lines and
illegal structures (kind "other") exist only before; barrier-free ramps and new bicycle sheds only after;
the bicycle shed, the street, the two gardens, some service nodes and three buildings (elevators) are
modified.  The elevator of Building 105 is the one change still to come.

The top-level "renewal_plan" also carries one story ("stories"): twelve slides that tell the renewal as the
report does, for a residents' meeting; each slide's centre and zoom are computed from the geometry (see
build_stories), the consent slide's words are counted from the register and votes (consent_captions) and the
payback slide's from the operations ledger (payback_captions).  It carries an ILLUSTRATIVE residents' register
("consent") and an ILLUSTRATIVE operations ledger ("operations": nine operating spaces, their yearly cash flows,
paying back the 30 million yuan of social capital within the 20-year operating terms; see OPERATIONS_NOTE).

Layout (local metres, x east, y north, origin at the SW corner of the box):
  * 劲松西街 runs north-south at x = 254 and splits 劲松一区 (west, 101-122) from 劲松二区 (east, 201-221);
    its south gate opens on 劲松路.
  * Twelve rows of slabs; row centre lines at y = 24 + 41 k (k = 0..11, rows 8-11 shifted 2 m north).
  * Internal lanes run in the gaps between rows or between slab columns.
"""
import datetime
import hashlib
import json
import math
import os
import sys

# --------------------------------------------------------------------------------------------------
# Geodesy (WGS84)
# --------------------------------------------------------------------------------------------------
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)

LON0, LAT0 = 116.4540, 39.8850  # SW corner of the approximate box (research/jinsong-location.md)
LON1, LAT1 = 116.4600, 39.8896  # NE corner
PHI_REF = math.radians((LAT0 + LAT1) / 2)
_W = math.sqrt(1 - WGS84_E2 * math.sin(PHI_REF) ** 2)
RADIUS_N = WGS84_A / _W  # prime vertical radius of curvature
RADIUS_M = WGS84_A * (1 - WGS84_E2) / _W ** 3  # meridional radius of curvature
M_PER_DEG_LON = math.radians(1) * RADIUS_N * math.cos(PHI_REF)
M_PER_DEG_LAT = math.radians(1) * RADIUS_M
BOX_W = (LON1 - LON0) * M_PER_DEG_LON  # ~513.2 m
BOX_H = (LAT1 - LAT0) * M_PER_DEG_LAT  # ~510.7 m

ROUND = 7


def to_lonlat(x, y):
    return [round(LON0 + x / M_PER_DEG_LON, ROUND), round(LAT0 + y / M_PER_DEG_LAT, ROUND)]


def _authalic(phi):
    """Authalic latitude of geodetic latitude phi (radians) and the authalic radius."""
    e = math.sqrt(WGS84_E2)

    def q(p):
        s = math.sin(p)
        return (1 - WGS84_E2) * (s / (1 - WGS84_E2 * s * s) - (1 / (2 * e)) * math.log((1 - e * s) / (1 + e * s)))

    qp = q(math.pi / 2)
    return math.asin(max(-1.0, min(1.0, q(phi) / qp))), WGS84_A * math.sqrt(qp / 2)


def sphere_ring_area(ring, radius, authalic=False):
    """Signed area (m², + for counter-clockwise) of a lon/lat ring with great-circle edges on a sphere.

    Exact spherical excess, summed edge by edge as the triangle (edge, north pole).  With
    authalic=True latitudes are mapped to authalic latitudes and the authalic radius is used, which
    gives the WGS84 ellipsoidal area (agrees with Karney's geodesic area to << 0.01 % at this size).
    """
    total = 0.0
    pts = ring if ring[0] != ring[-1] else ring[:-1]
    rad = radius
    for i in range(len(pts)):
        lon1, lat1 = pts[i]
        lon2, lat2 = pts[(i + 1) % len(pts)]
        p1, p2 = math.radians(lat1), math.radians(lat2)
        if authalic:
            p1, rad = _authalic(p1)
            p2, _ = _authalic(p2)
        dl = math.radians(lon2 - lon1)
        t1, t2 = math.tan(p1 / 2), math.tan(p2 / 2)
        total += 2 * math.atan2(math.tan(dl / 2) * (t1 + t2), 1 + t1 * t2)
    return total * rad * rad


def ellipsoid_area(rings):
    """Area (m²) of a polygon given as lon/lat rings (exterior first), WGS84 ellipsoid."""
    a = abs(sphere_ring_area(rings[0], WGS84_A, authalic=True))
    for hole in rings[1:]:
        a -= abs(sphere_ring_area(hole, WGS84_A, authalic=True))
    return a


# --------------------------------------------------------------------------------------------------
# Planar helpers (local metres)
# --------------------------------------------------------------------------------------------------
def signed_area_xy(pts):
    s = 0.0
    for i in range(len(pts)):
        x1, y1 = pts[i]
        x2, y2 = pts[(i + 1) % len(pts)]
        s += x1 * y2 - x2 * y1
    return s / 2


def orient(pts, ccw=True):
    pts = list(pts)
    if (signed_area_xy(pts) > 0) != ccw:
        pts.reverse()
    return pts


def rect(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def rotate(pts, cx, cy, deg):
    t = math.radians(deg)
    c, s = math.cos(t), math.sin(t)
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in pts]


def ring_lonlat(pts, ccw=True):
    """Close a local-metre ring, orient it and convert it to rounded lon/lat."""
    pts = orient(pts, ccw)
    ring = [to_lonlat(x, y) for x, y in pts]
    ring.append(list(ring[0]))
    return ring


def polygon(exterior, holes=()):
    return {"type": "Polygon", "coordinates": [ring_lonlat(exterior, True)] + [ring_lonlat(h, False) for h in holes]}


def linestring(pts):
    return {"type": "LineString", "coordinates": [to_lonlat(x, y) for x, y in pts]}


def point(x, y):
    return {"type": "Point", "coordinates": to_lonlat(x, y)}


# --------------------------------------------------------------------------------------------------
# Boundary: the box inset by 0.5 m with three jogs; the SE notch (by 劲松桥) is sized so that the
# ellipsoidal area is exactly 26.00 ha.
# --------------------------------------------------------------------------------------------------
TARGET_AREA_M2 = 260000.0
INSET = 0.5
XMIN, YMIN = INSET, INSET
XMAX, YMAX = BOX_W - INSET, BOX_H - INSET


def boundary_pts(se_depth):
    return [
        (XMIN, 20.0),  # SW: the compound wall steps in 6 m for the first 20 m north of 劲松路
        (XMIN + 6.0, 20.0),
        (XMIN + 6.0, YMIN),
        (XMAX - 30.0, YMIN),  # SE: notch at the corner by 劲松桥 / the 3rd Ring slip road
        (XMAX - 30.0, YMIN + se_depth),
        (XMAX, YMIN + se_depth),
        (XMAX, YMAX - 8.0),  # NE: the wall steps 8 m south for the last 50 m (垂杨柳医院 side)
        (XMAX - 50.0, YMAX - 8.0),
        (XMAX - 50.0, YMAX),
        (XMIN + 20.0, YMAX),  # NW: a 20 x 12 m corner notch
        (XMIN + 20.0, YMAX - 12.0),
        (XMIN, YMAX - 12.0),
    ]


def solve_boundary():
    lo, hi = 0.0, 60.0
    for _ in range(80):
        mid = (lo + hi) / 2
        area = ellipsoid_area([ring_lonlat(boundary_pts(mid))])
        if area > TARGET_AREA_M2:
            lo = mid
        else:
            hi = mid
    depth = round((lo + hi) / 2, 3)
    assert 3.0 < depth < 40.0, f"SE notch depth {depth} out of range: rebalance the jogs"
    return boundary_pts(depth)


# --------------------------------------------------------------------------------------------------
# Buildings
# --------------------------------------------------------------------------------------------------
def row_y(k):
    return 24.0 + 41.0 * k + (2.0 if k >= 8 else 0.0)


# (number, row, x0, x1, depth, shape, extra, floors)
#   shape "slab": extra = rotation in degrees (0 = long axis east-west)
#   shape "L":    extra = (end "W"/"E", wing direction "N"/"S", wing length beyond the slab, wing width)
#   shape "staggered": extra = (split fraction from the west, north offset of the east part in m)
BUILDINGS = [
    # ---- 劲松一区 (west of 劲松西街) -------------------------------------------------------------
    ("101", 0, 30, 102, 12, "L", ("W", "N", 12, 12), 6),
    ("102", 1, 62, 120, 11, "slab", 0, 5),
    ("103", 1, 148, 232, 12, "slab", 0, 6),
    ("104", 2, 35, 95, 12, "slab", -5, 6),
    ("105", 2, 150, 230, 12, "staggered", (0.5, 3), 6),
    ("106", 3, 28, 112, 12, "slab", 0, 6),
    ("107", 3, 145, 235, 12, "slab", 0, 6),
    ("108", 4, 40, 110, 12, "slab", 0, 5),
    ("109", 4, 150, 220, 13, "slab", 0, 6),
    ("110", 5, 25, 115, 12, "slab", 0, 6),
    ("111", 5, 145, 233, 12, "slab", 0, 6),
    ("112", 6, 30, 110, 12, "L", ("W", "N", 12, 12), 6),
    ("113", 6, 150, 235, 12, "slab", 0, 6),
    ("114", 7, 62, 130, 12, "slab", 0, 5),
    ("115", 7, 150, 230, 12, "slab", 0, 6),
    ("116", 8, 22, 97, 12, "slab", 0, 6),
    ("117", 8, 130, 220, 12, "staggered", (0.45, -3), 6),
    ("118", 9, 30, 110, 12, "slab", 0, 6),
    ("119", 9, 140, 230, 12, "slab", 0, 6),
    ("120", 10, 35, 95, 12, "slab", 6, 5),
    ("121", 10, 140, 225, 12, "L", ("E", "N", 14, 12), 6),
    ("122", 11, 28, 103, 12, "L", ("W", "N", 10, 12), 6),
    # ---- 劲松二区 (east of 劲松西街) -------------------------------------------------------------
    ("201", 0, 285, 375, 12, "L", ("E", "N", 10, 12), 6),
    ("202", 1, 270, 345, 12, "slab", 0, 6),
    ("203", 1, 395, 480, 12, "staggered", (0.5, 3), 6),
    ("204", 2, 280, 365, 12, "slab", 0, 6),
    ("205", 2, 400, 490, 12, "staggered", (0.5, 3), 6),
    ("206", 3, 275, 360, 12, "slab", 0, 6),
    ("207", 3, 395, 485, 12, "slab", 0, 6),
    ("208", 4, 272, 342, 12, "slab", 0, 5),
    ("209", 4, 418, 493, 12, "slab", 0, 6),
    ("210", 5, 275, 360, 12, "slab", 0, 6),
    ("211", 5, 395, 485, 12, "slab", 0, 6),
    ("212", 6, 272, 352, 12, "slab", 0, 6),
    ("213", 6, 400, 470, 12, "slab", 5, 6),
    ("214", 7, 445, 495, 12, "slab", 0, 5),
    ("215", 8, 272, 352, 12, "slab", 0, 6),
    ("216", 8, 395, 470, 12, "slab", -5, 6),
    ("217", 9, 275, 360, 12, "slab", 0, 6),
    ("218", 9, 400, 490, 12, "staggered", (0.55, -3), 6),
    ("219", 10, 270, 345, 12, "slab", 0, 6),
    ("220", 10, 385, 475, 12, "slab", 0, 6),
    ("221", 11, 300, 390, 12, "L", ("E", "N", 12, 12), 6),
]


def building_outline(row, x0, x1, depth, shape, extra):
    cy = row_y(row)
    cx = (x0 + x1) / 2
    y0, y1 = cy - depth / 2, cy + depth / 2
    if shape == "slab":
        return rotate(rect(x0, y0, x1, y1), cx, cy, extra), extra
    if shape == "L":
        end, wdir, wlen, wwid = extra
        # Built for a wing at the west end pointing north, then mirrored.
        pts = [(x0, y0), (x1, y0), (x1, y1), (x0 + wwid, y1), (x0 + wwid, y1 + wlen), (x0, y1 + wlen)]
        if end == "E":
            pts = [(2 * cx - x, y) for x, y in pts]
        if wdir == "S":
            pts = [(x, 2 * cy - y) for x, y in pts]
        return pts, 0
    if shape == "staggered":
        frac, off = extra
        xs = x0 + (x1 - x0) * frac
        ya = cy - depth / 2 - off / 2
        yb = ya + off
        # west part [x0, xs] x [ya, ya+depth]; east part [xs, x1] x [yb, yb+depth]
        pts = [(x0, ya), (xs, ya), (xs, yb), (x1, yb), (x1, yb + depth), (xs, yb + depth), (xs, ya + depth), (x0, ya + depth)]
        return pts, 0
    raise ValueError(shape)


# --------------------------------------------------------------------------------------------------
# Streets, gardens, cores, nodes
# --------------------------------------------------------------------------------------------------
XIJIE_X = 254.0
STREETS = [
    # id, name_zh, name_en, width_m, class, points
    ("street-jinsongxi", "劲松西街", "Jinsongxi Street", 14.0, "main",
     [(XIJIE_X, YMIN + 1.0), (XIJIE_X, 249.5), (XIJIE_X, YMAX - 1.0)]),
    ("street-yiqu-zhong", "一区中路", "District 1 Middle Road", 6.0, "lane", [(9.0, 249.5), (131.0, 249.5), (XIJIE_X, 249.5)]),
    ("street-erqu-zhong", "二区中路", "District 2 Middle Road", 6.0, "lane", [(XIJIE_X, 249.5), (380.0, 249.5), (506.0, 249.5)]),
    ("street-yiqu-bei", "一区北巷", "District 1 North Lane", 4.0, "lane", [(9.0, 416.5), (XIJIE_X, 416.5)]),
    ("street-erqu-nan", "二区南巷", "District 2 South Lane", 4.0, "lane", [(XIJIE_X, 85.5), (380.0, 85.5), (506.0, 85.5)]),
    ("street-yiqu-xi", "一区西巷", "District 1 West Lane", 4.0, "lane", [(9.0, 30.0), (9.0, 249.5), (9.0, 416.5), (9.0, 490.0)]),
    ("street-erqu-dong", "二区东巷", "District 2 East Lane", 4.0, "lane", [(506.0, 85.5), (506.0, 249.5), (506.0, 480.0)]),
    ("street-yiqu-nei", "一区内巷", "District 1 Inner Lane", 4.0, "lane", [(131.0, YMIN + 1.0), (131.0, 249.5)]),
    ("street-erqu-nei", "二区内巷", "District 2 Inner Lane", 4.0, "lane", [(380.0, 85.5), (380.0, 167.5), (506.0, 167.5)]),
]

JINSONGYUAN = {
    "outer": [(296, 284), (431, 284), (437, 290), (437, 334), (431, 340), (296, 340), (290, 334), (290, 290)],
    "hole": rect(355, 305, 377, 321),  # pavilion and pond in the middle of the garden
}
GARDEN_209 = [(352, 173), (408, 173), (408, 216), (352, 216)]

CORES = [
    ("core-committee", "社区居委会", "Neighbourhood Committee", rect(200, 16.5, 225, 31.5),
     "劲松北社区党委和居委会办公用房，“五方联动”中社区协调、居民议事的场所。",
     "Office of the community Party committee and neighbourhood committee; where residents negotiate in the "
     "'five-party linkage'."),
    ("core-property", "物业中心", "Property Service Centre", rect(150, 16.5, 175, 31.5),
     "愿景集团引入的物业服务中心，“先尝后买”，提供“物业+养老”服务。",
     "Property service centre of the operator (Vision Group); management introduced 'try first, then buy', with "
     "'property + elderly care' services."),
]

BIKESHED = rect(195, 39.5, 235, 49.5)

# id, name_zh, name_en, (x, y), host building or None, note_zh, note_en
NODES = [
    ("node-southgate", "西街南门", "South Gate of Jinsongxi Street", (XIJIE_X, 4.0), None,
     "劲松西街南入口，面向劲松路，改造前后对比的代表点位。",
     "South entrance of Jinsongxi Street on Jinsong Road; renewed gateway shown in the before/after photos."),
    ("node-canteen", "美好邻里食堂（社区食堂）", "Community Canteen (Meihao Neighbourhood Canteen)", (229.0, 229.0), "111",
     "利用闲置空间开设的社区食堂，面向老年人就餐，企业运营、微利可持续。",
     "Community canteen in revitalised idle space, serving older residents; run by the operator on a micro-profit basis."),
    ("node-health", "卫生服务站", "Community Health Service Station", (276.0, 65.0), "202",
     "社区卫生服务站，方便居民就近就医。",
     "Community health service station for care close to home."),
    ("node-livingroom", "美好会客厅", "Community Living Room (Meihao Lounge)", (231.0, 270.0), "113",
     "由低效空间改造的居民公共客厅，举办社区活动、议事协商。",
     "Residents' shared living room converted from an under-used space; hosts activities and resident meetings."),
    ("node-bikeshed", "自行车棚", "Bicycle Shed", None, None,
     "原自行车棚，改造为便民商铺和物业办公用房，是“唤醒沉睡空间”的典型。",
     "Former bicycle shed, converted into shops and a property office: an idle space 'woken up' to repay the "
     "social capital."),
    ("node-workshop", "匠心工坊", "Craftsman Workshop", (284.0, 106.0), "204",
     "便民维修服务点（修鞋、配钥匙、缝补等）。",
     "Repair services for daily needs (shoes, keys, tailoring)."),
    ("node-barber", "美好理发", "Meihao Barber", (231.0, 147.0), "107",
     "社区理发店，经居民需求调查引入的便民业态。",
     "Community barber introduced after the residents' needs survey."),
    ("node-foodstation", "城市便民菜站", "Urban Convenience Food Station", (279.0, 147.0), "206",
     "便民菜站，供应蔬菜副食。",
     "Convenience food station selling vegetables and groceries."),
    ("node-grocery", "百年老字号副食店", "Century-old Brand Grocery", (216.0, 188.0), "109",
     "低效空间改造引入的百年老字号副食店。",
     "A century-old brand grocery opened in a converted under-used space."),
    ("node-eldercare", "养老驿站", "Elderly Care Station", (276.0, 270.0), "212",
     "“物业+养老”服务点，为老年人提供居家养老服务。",
     "'Property + elderly care' station providing home-care services to older residents."),
    ("node-lockers", "智能快递柜", "Smart Parcel Lockers", (187.5, 24.0), None,
     "智慧化改造设施之一，设在物业中心与居委会之间。",
     "One of the smart-community facilities, between the property centre and the neighbourhood committee."),
]

# --------------------------------------------------------------------------------------------------
# Before and after.  A feature's "renewal_change" property says how it differs after the renewal:
#   "added"    exists only after: its own geometry and properties are its after state;
#   "removed"  exists only before: its own geometry and properties are its before state;
#   "modified" its own geometry and properties are the before state; "after_properties" (merged over
#              them) and "after_geometry" say what differs after.
# "by_items" are the items whose completion brings the change into force (on the latest completion date);
# every one is attached to the feature.  The objects below exist to show the kinds of change the report
# describes (overhead lines buried, illegal structures demolished, ramps and bicycle sheds added, a garden
# reshaped, changes of use); like the rest of the map they are illustrative, not surveyed.
# --------------------------------------------------------------------------------------------------
def building_spec(num):
    return next(b for b in BUILDINGS if b[0] == num)


RAMP_LEN, RAMP_DEPTH = 6.0, 1.5


def ramp_outline(num, unit, units):
    """A 6 x 1.5 m ramp against the south wall of a building, in front of stairway `unit` of `units`."""
    _, row, x0, x1, depth, shape, extra, _ = building_spec(num)
    # only buildings whose south wall is one straight east-west edge, so the ramp touches it exactly
    assert (shape == "slab" and extra == 0) or (shape == "L" and extra[1] == "N"), num
    cx = x0 + (unit - 0.5) * (x1 - x0) / units
    ys = row_y(row) - depth / 2
    return rect(cx - RAMP_LEN / 2, ys - RAMP_DEPTH, cx + RAMP_LEN / 2, ys)


# New barrier-free ramps at stairway entrances (it-barrier-free-buildings): id, building, stairway, stairways
RAMPS = [
    ("node-ramp-b101-1", "101", 1, 4),
    ("node-ramp-b101-3", "101", 3, 4),
    ("node-ramp-b102-2", "102", 2, 3),
    ("node-ramp-b106-1", "106", 1, 4),
    ("node-ramp-b106-4", "106", 4, 4),
    ("node-ramp-b108-2", "108", 2, 4),
]
# New kerb ramps on 劲松西街 (it-barrier-free-jinsongxi): id, name_zh, name_en, (x, y), note_zh, note_en
STREET_RAMPS = [
    ("node-ramp-jinsongxi-zhong", "无障碍坡道（劲松西街一区中路口）",
     "Kerb ramp (Jinsongxi Street at District 1 Middle Road)", (247.5, 244.5),
     "劲松西街与一区中路路口的缘石坡道，连通盲道。",
     "Kerb ramp at the crossing of Jinsongxi Street and District 1 Middle Road, joined to the tactile paving."),
    ("node-ramp-southgate", "无障碍坡道（劲松西街南入口）", "Kerb ramp (south entrance of Jinsongxi Street)", (249.0, 6.0),
     "劲松西街南入口的缘石坡道，从劲松路无台阶进入社区。",
     "Kerb ramp at the south gate: step-free entry from Jinsong Road."),
]
# New bicycle sheds (it-new-bikesheds), 20 x 6 m in open ground between the rows: id, outline, where zh/en
NEW_SHEDS = [
    ("node-newshed-1", rect(160, 116, 180, 122), "劲松一区105楼北侧", "north of Building 105, District 1"),
    ("node-newshed-2", rect(300, 238, 320, 244), "劲松二区210楼北侧", "north of Building 210, District 2"),
    ("node-newshed-3", rect(60, 404, 80, 410), "劲松一区118楼北侧", "north of Building 118, District 1"),
]
# Overhead lines moved underground: id, name_zh, name_en, item, street beside, points (local metres).
# The poles stand 1.5 m outside the carriageway's edge: a line inside the street's width is drawn under the
# street (the map draws other things below streets) and a slide of the street before the renewal showed no lines.
OVERHEAD = [
    ("other-overhead-jinsongxi", "劲松西街架空线", "Overhead lines along Jinsongxi Street", "it-overhead-jinsongxi",
     "street-jinsongxi", [(262.5, 3.0), (262.5, 249.5), (262.5, BOX_H - INSET - 3.0)]),
    ("other-overhead-yiqu-zhong", "一区中路架空线", "Overhead lines along District 1 Middle Road", "it-overhead-lanes",
     "street-yiqu-zhong", [(11.0, 254.0), (131.0, 254.0), (245.5, 254.0)]),
    ("other-overhead-erqu-zhong", "二区中路架空线", "Overhead lines along District 2 Middle Road", "it-overhead-lanes",
     "street-erqu-zhong", [(263.0, 254.0), (380.0, 254.0), (504.0, 254.0)]),
    ("other-overhead-erqu-nan", "二区南巷架空线", "Overhead lines along District 2 South Lane", "it-overhead-lanes",
     "street-erqu-nan", [(263.0, 89.0), (380.0, 89.0), (504.0, 89.0)]),
]
# Illegal structures demolished (it-illegal-structures), ~4 x 8 m: id, name_zh, building it leans on (or
# None), outline, note_zh, note_en
ILLEGAL = [
    ("other-illegal-b209", "违法建设（已拆除）", "209", rect(414, 184, 418, 192),
     "贴建在209楼西山墙的违建小房，拆除后空地并入209小花园。",
     "A shed built against the west gable of Building 209; after demolition its plot joined the 209 small garden."),
    ("other-illegal-b106", "违章搭建", "106", rect(50, 153, 58, 157),
     "106楼北侧私搭的储物棚，占用楼间通道。",
     "A storage shed put up against the north wall of Building 106, blocking the path between the rows."),
    ("other-illegal-yard-d2", "违法建设（已拆除）", None, rect(330, 124, 338, 128),
     "204楼与206楼之间院内的违建小房，占用公共绿地。",
     "An unauthorised hut in the yard between Buildings 204 and 206, on the shared green."),
    ("other-illegal-b214", "违章搭建", "214", rect(495, 307, 499, 315),
     "214楼东山墙外的违章搭建，挤占消防通道旁的空间。",
     "An unauthorised lean-to against the east gable of Building 214, crowding the fire lane."),
]
# 209小花园 after: extended east into the plot freed by the demolished structure against Building 209
GARDEN_209_AFTER = [(352, 173), (408, 173), (408, 180), (416, 180), (416, 198), (408, 198), (408, 216), (352, 216)]

RAMP_IDS = [r[0] for r in RAMPS]
STREET_RAMP_IDS = [r[0] for r in STREET_RAMPS]
NEW_SHED_IDS = [s[0] for s in NEW_SHEDS]
ILLEGAL_IDS = [s[0] for s in ILLEGAL]


def overhead_ids(item_id):
    return [o[0] for o in OVERHEAD if o[3] == item_id]


# Changes of existing features: id -> (by_items, properties added to the before state, after_properties,
# after_geometry outline or None).  b105's elevator is the one change still to come (under construction).
EXISTING_CHANGES = {
    "street-jinsongxi": (
        ["it-jinsongxi-renewal", "it-jinsongxi-road"],
        {"surface_zh": "沥青路面破损，人行道砖松动", "surface_en": "Broken asphalt, loose paving slabs",
         "shopfronts_zh": "招牌杂乱，占道经营", "shopfronts_en": "Cluttered signs, trading on the pavement"},
        {"surface_zh": "透水铺装、彩色步道", "surface_en": "Permeable paving and coloured walkway",
         "shopfronts_zh": "统一设计的立面和招牌，增设座椅和绿化",
         "shopfronts_en": "Redesigned shopfronts and uniform signs, with benches and planting"},
        None),
    "garden-jinsongyuan": (
        ["it-garden-jinsongyuan", "it-culture-corridor"],
        {"facilities_zh": "陈旧的凉亭和水池，铺装破损", "facilities_en": "Worn pavilion and pond, broken paving"},
        {"facilities_zh": "修缮的凉亭和水池、健身器材、儿童游乐场、休憩座椅、文化长廊",
         "facilities_en": "Restored pavilion and pond, fitness equipment, children's playground, seating, culture corridor"},
        None),
    "garden-209": (
        ["it-illegal-structures", "it-garden-209"],
        {"facilities_zh": "杂物堆放，无设施", "facilities_en": "Junk piled up, no facilities"},
        {"facilities_zh": "座椅、花池、晾晒架", "facilities_en": "Seats, planters, drying racks"},  # + area_m2 in build()
        GARDEN_209_AFTER),
    "node-bikeshed": (
        ["it-bikeshed"],
        {"use_zh": "自行车棚（闲置破败）", "use_en": "Bicycle shed (idle, derelict)"},
        {"use_zh": "便民商铺与物业用房", "use_en": "Shops and property office",
         "name_zh": "车棚改造便民商铺", "name_en": "Former bicycle shed: shops and property office"},
        None),
    "node-canteen": (
        ["it-lowuse-spaces", "it-canteen"],
        {"use_zh": "闲置的楼下低效空间", "use_en": "Idle ground-floor space"},
        {"use_zh": "社区食堂（老年助餐）", "use_en": "Community canteen with meal aid for older residents"},
        None),
    "node-livingroom": (
        ["it-lowuse-spaces", "it-livingroom"],
        {"use_zh": "低效利用的空间", "use_en": "Under-used space"},
        {"use_zh": "美好会客厅：居民议事、文化活动、共享客厅",
         "use_en": "Meihao living room: resident meetings, activities and a shared lounge"},
        None),
    "node-grocery": (
        ["it-lowuse-spaces", "it-grocery"],
        {"use_zh": "闲置的低效空间", "use_en": "Idle under-used space"},
        {"use_zh": "百年老字号副食店", "use_en": "Century-old brand grocery"},
        None),
    "b101": (["it-elevator-101"], {}, {"elevators": 2}, None),
    "b103": (["it-elevator-103"], {}, {"elevators": 2}, None),
    "b105": (["it-elevator-105"], {}, {"elevators": 2}, None),
}


REPORT = ("北京城市更新“最佳实践”系列报告⑮ 朝阳区劲松（一、二区）老旧小区有机更新项目"
          "（2022-07-30，北京市委城市工作办、北京城市规划学会供稿）; "
          "Beijing Urban Renewal \"Best Practice\" series report No. 15: Chaoyang District Jinsong (District 1 & 2) "
          "Old Community Organic Renewal Project (2022-07-30)")

NOTE = ("示意图，非测绘成果：43栋楼、劲松西街、劲松园、209小花园、居委会、物业中心及各节点的形状与位置均为按1970年代末"
        "北京行列式住区规律绘制的示意，仅放置在推定的大致位置——劲松桥西北的街坊（东经116.4540–116.4600°、北纬"
        "39.8850–39.8896°，误差约150–250米；推定依据见 research/jinsong-location.md）。占地26公顷、43栋楼及"
        "“一街两园两心多节点”来自最佳实践报告第15期。 / "
        "SCHEMATIC, NOT SURVEYED: the outlines of the 43 buildings, Jinsongxi Street, the two gardens, the two "
        "cores and the nodes follow a typical late-1970s Beijing row layout and are only placed at the approximate "
        "location: the block north-west of Jinsong Bridge (lon 116.4540–116.4600 E, lat 39.8850–39.8896 N, "
        "uncertain by 150–250 m; reasoning in research/jinsong-location.md). The 26 ha, the 43 buildings and the "
        "'one street, two gardens, two cores, multiple nodes' structure come from Best Practice report No. 15.")


# --------------------------------------------------------------------------------------------------
# Renewal items of the Jinsong plan (2018-2020)
#
# Grounded in Best Practice report No. 15: strategic cooperation agreement with 愿景集团 (Vision Group) in
# July 2018; "one street, two gardens, two cores, multiple nodes"; 30+ special operations in four categories
# (public space, smart, service formats, community culture); social capital 30 million yuan = 45 % of the
# total investment; the rest from government, residents and property units ("四个一点"); idle spaces
# "woken up" and operated by the enterprise for the long term; property management "try first, then buy"
# (先尝后买) after the "double half" (双过半) vote; "property + elderly care".
#
# Illustrative, not from the report: the split into individual items, every amount, every date, the
# quantities (e.g. how many elevators on which building) and the 20-year operating term.  The amounts are
# typical Beijing 2018-2020 unit costs (assets/catalogue.json) times plausible quantities, scaled so that the
# social capital is exactly 30,000,000 yuan and 45 % of the total.
#
# Each item is written in full into the "renewal_items" array of every feature it lists.
# --------------------------------------------------------------------------------------------------
STATUSES = ["proposed", "designed", "publicised", "under_construction", "completed", "operating"]
FUNDING_KEYS = ["government", "social_capital", "residents", "property_unit"]
PARTIES = ["district", "street", "community", "residents", "enterprise"]
VISION = "愿景集团 Vision Group"
TERM = 20  # years of operating rights (illustrative)
SOCIAL_CAPITAL_TOTAL = 30_000_000

ITEMS = []
# Plan-wide data (a top-level member of the FeatureCollection).  catalogue_additions would hold the full
# catalogue entry of any Jinsong-specific item that is not in assets/catalogue.json: none is needed.
# dump() adds "stories": the renewal told slide by slide (see build_stories).
RENEWAL_PLAN = {"format": "renewal-planner", "version": 1, "catalogue_additions": []}


def item(iid, cat, feats, dates, planned, est, act, fund, party, notes, name=None, operator=None, term=None, qty=None):
    """One renewal item.  dates: one per status step from "proposed" up to the current status.
    fund: (government, social_capital, residents, property_unit) in yuan, summing to the cost basis.
    qty: (quantity, unit, unit cost in yuan) when the item is counted in units; the estimate is then their product."""
    status = STATUSES[len(dates) - 1]
    it = {"id": iid, "catalogue": cat}
    if name:
        it["name_zh"], it["name_en"] = name
    it.update({
        "features": list(feats),
        "status": status,
        "history": [{"status": s, "date": d} for s, d in zip(STATUSES, dates)],
        "planned_start": planned[0],
        "planned_end": planned[1],
    })
    if qty:
        it.update({"quantity": qty[0], "unit": qty[1], "unit_cost_yuan": qty[2]})
        assert qty[0] * qty[2] == est, f"{iid}: quantity x unit cost != estimate"
    it.update({
        "estimated_cost_yuan": est,
        "actual_cost_yuan": act,
        "funding": dict(zip(FUNDING_KEYS, fund)),
        "party": party,
        "operator": operator,
        "operating_term_years": term,
        "before_note_zh": notes[0],
        "before_note_en": notes[1],
        "after_note_zh": notes[2],
        "after_note_en": notes[3],
    })
    assert party in PARTIES, iid
    assert (act is not None) == (status in ("completed", "operating")), f"{iid}: actual cost vs status {status}"
    assert sum(fund) == (act if act is not None else est), f"{iid}: funding {sum(fund)} != cost basis"
    assert all(type(v) is int and v >= 0 for v in fund), iid
    assert list(dates) == sorted(dates) and planned[0] <= planned[1], iid
    ITEMS.append(it)


def op(iid, cat, feats, dates, planned, est, act, fund, party, notes, name=None):
    """An item run by the enterprise with long-term operating rights."""
    item(iid, cat, feats, dates, planned, est, act, fund, party, notes, name, operator=VISION, term=TERM)


# Typical date ladders: agreement signed in July 2018, design and publicity in autumn 2018,
# construction from spring 2019, the demonstration area finished for October 2019.
P0 = "2018-07-20"  # proposed: residents' needs survey after the strategic cooperation agreement
DESIGNED = "2018-09-28"
PUBLICISED = "2018-11-15"
BUILD = "2019-03-01"
STREET_BUILD = "2019-04-01"

# ---- public space: basic infrastructure, paid by the government --------------------------------------
item("it-overhead-jinsongxi", "overhead_lines_underground", ["street-jinsongxi"] + overhead_ids("it-overhead-jinsongxi"),
     [P0, DESIGNED, PUBLICISED, STREET_BUILD, "2019-08-30"], ("2019-04-01", "2019-08-31"),
     2_600_000, 2_540_000, (2_540_000, 0, 0, 0), "district",
     ("劲松西街沿线电力、通信架空线密如蛛网，遮挡沿街立面，存在安全隐患。",
      "Power and telecom lines hung over Jinsongxi Street like a cobweb, cluttering the shopfronts and a safety hazard.",
      "架空线入地，弱电线缆梳理归并，沿街天际线恢复整洁。",
      "Overhead lines moved underground and weak-current cables tidied; a clean skyline along the street."),
     name=("劲松西街架空线入地", "Overhead lines buried along Jinsongxi Street"))
item("it-overhead-lanes", "overhead_lines_underground",
     ["street-yiqu-zhong", "street-erqu-zhong", "street-yiqu-bei", "street-erqu-nan"] + overhead_ids("it-overhead-lanes"),
     [P0, DESIGNED, PUBLICISED, STREET_BUILD, "2019-11-15"], ("2019-04-01", "2019-10-31"),
     3_300_000, 3_260_000, (3_260_000, 0, 0, 0), "district",
     ("一区、二区中路和巷道上空线缆杂乱，飞线充电、私拉乱接多。",
      "Tangled cables over the middle roads and lanes of Districts 1 and 2, with many improvised connections.",
      "巷道架空线入地，光纤入户，弱电统一入管。",
      "Lane cables buried, fibre to the home, weak-current lines in shared ducts."),
     name=("一区、二区巷道架空线入地", "Overhead lines buried along the lanes of Districts 1 and 2"))
item("it-water-pipes", "water_supply_pipes",
     ["street-yiqu-zhong", "street-erqu-zhong", "street-yiqu-xi", "street-erqu-dong"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-10-20"], ("2019-03-01", "2019-10-31"),
     2_700_000, 2_650_000, (2_650_000, 0, 0, 0), "street",
     ("1970年代末铺设的供水管道老化锈蚀，跑冒滴漏，水质和水压不稳。",
      "Late-1970s water mains corroded and leaking; unstable pressure and water quality.",
      "更换巷道供水干管和入户支管，水压稳定。",
      "Mains and service pipes along the lanes replaced; steady pressure."),
     name=("巷道供水管线更换", "Water mains replaced along the lanes"))
item("it-drainage", "drainage_separation", ["street-jinsongxi", "street-yiqu-nei", "street-erqu-nei"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-09-30"], ("2019-03-01", "2019-09-30"),
     2_900_000, 2_880_000, (2_880_000, 0, 0, 0), "street",
     ("雨污合流，雨季路面积水，管道堵塞频繁。",
      "Combined sewers: standing water after rain and frequent blockages.",
      "雨污分流改造，疏通和更换排水管道，雨后不再积水。",
      "Rain and sewage separated, drains cleared and replaced; no more standing water."))
item("it-power-upgrade", "power_upgrade", ["b201", "b202", "b203", "b204"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-10-31"], ("2019-03-15", "2019-10-31"),
     1_280_000, 1_260_000, (960_000, 0, 0, 300_000), "street",
     ("楼内电线老化，多户共用电表，用电容量不足，跳闸频繁。",
      "Old wiring, meters shared between flats, too little capacity: the breakers tripped often.",
      "电力增容，一户一表，楼内线路更换。",
      "Capacity raised, one meter per household, wiring in the buildings replaced."),
     name=("201-204楼供电改造（一户一表）", "Power upgrade of Buildings 201-204 (one meter per household)"))
item("it-fire-lanes", "fire_safety", ["street-yiqu-xi", "street-erqu-dong", "street-yiqu-bei"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-07-31"], ("2019-03-01", "2019-07-31"),
     620_000, 598_000, (598_000, 0, 0, 0), "street",
     ("消防通道被占用，部分消火栓老化失效。",
      "Fire lanes blocked by parked vehicles and clutter; some hydrants out of order.",
      "清理并标划消防通道，更换消火栓，增设灭火器箱。",
      "Fire lanes cleared and marked, hydrants replaced, extinguisher cabinets added."))
item("it-facade-d1", "facade_repair", ["b101", "b102", "b103", "b104", "b105", "b106"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-10-31"], ("2019-03-15", "2019-10-31"),
     5_100_000, 4_980_000, (4_980_000, 0, 0, 0), "street",
     ("外墙面砖空鼓脱落，涂料褪色，空调机位杂乱。",
      "Facade finishes loose and peeling, paint faded, air-conditioner units hung at random.",
      "外墙修缮粉刷，统一空调机位和雨水管，立面整洁。",
      "Facades repaired and repainted, air-conditioner brackets and downpipes made uniform."),
     name=("一区101-106楼外墙修缮", "Facade repair of Buildings 101-106"))
item("it-roof", "roof_waterproofing", ["b104", "b105", "b106", "b107"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-06-30"], ("2019-03-15", "2019-06-30"),
     620_000, 604_000, (404_000, 0, 0, 200_000), "street",
     ("屋面防水层老化，顶层住户雨季漏水。",
      "Worn roof membranes; top-floor flats leaked in the rainy season.",
      "屋面重做防水和保温，顶层不再渗漏。",
      "Roofs re-waterproofed and insulated; no more leaks on the top floors."),
     name=("104-107楼屋面防水", "Roof waterproofing of Buildings 104-107"))
item("it-stairwell", "stairwell_repair", ["b101", "b102", "b103", "b104", "b105", "b106", "b107", "b108"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-12-20"], ("2019-03-15", "2019-12-20"),
     960_000, 936_000, (536_000, 0, 0, 400_000), "community",
     ("楼道墙面污损，堆放杂物，小广告多，照明损坏。",
      "Stairwells dirty, cluttered and covered with flyers; broken lights.",
      "清理杂物和小广告，粉刷墙面，更换声控灯和扶手。",
      "Clutter and flyers removed, walls repainted, sensor lights and handrails renewed."),
     name=("一区101-108楼楼道维修", "Stairwell repair of Buildings 101-108"))

# ---- public space: elevators (government subsidy + residents), some still in progress -----------------
ELEV_NOTES_BEFORE = ("五、六层无电梯，老年人上下楼困难，居民加装电梯呼声高。",
                     "Five or six storeys and no lift: older residents struggle with the stairs; residents asked loudly for elevators.")
for num, units, dates, planned, act in [
    ("101", 2, [P0, "2018-12-10", "2019-04-15", "2019-11-01", "2020-06-30"], ("2019-11-01", "2020-06-30"), 1_176_000),
    ("103", 2, [P0, "2018-12-10", "2019-05-20", "2019-12-02", "2020-08-31"], ("2019-12-01", "2020-08-31"), 1_188_000),
    ("105", 2, ["2018-09-12", "2019-06-18", "2019-12-20", "2020-09-15"], ("2020-09-15", "2021-05-31"), None),
    ("107", 2, ["2019-03-05", "2019-11-25", "2020-07-20"], ("2021-03-01", "2021-10-31"), None),
    ("202", 3, ["2019-06-10", "2020-05-10"], ("2021-04-01", "2021-12-31"), None),
    ("204", 2, ["2020-03-20"], ("2021-06-01", "2022-03-31"), None),
]:
    est = units * 600_000
    basis = act if act is not None else est
    gov = basis * 6 // 10
    done = act is not None
    item(f"it-elevator-{num}", "elevator_retrofit", [f"b{num}"], dates, planned, est, act,
         (gov, 0, basis - gov, 0), "residents",
         ELEV_NOTES_BEFORE + (
             (f"{num}楼加装电梯{units}部，平层入户，政府补贴六成、居民分摊四成。" if done else
              f"{num}楼拟加装电梯{units}部，政府补贴六成、居民分摊四成，需征得本单元居民同意。"),
             (f"{units} elevators added to Building {num}, level access; 60 % government subsidy, 40 % shared by the residents." if done else
              f"{units} elevators planned for Building {num}; 60 % government subsidy, 40 % shared by the residents, "
              "subject to the consent of the residents of each stairway.")),
         name=(f"{num}楼加装电梯", f"Elevator retrofit, Building {num}"), qty=(units, "部", 600_000))

# ---- public space: barrier-free access, the street, the gardens ---------------------------------------
item("it-barrier-free-buildings", "barrier_free", ["b101", "b102", "b104", "b106", "b108"] + RAMP_IDS,
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-08-31"], ("2019-03-15", "2019-08-31"),
     240_000, 231_000, (231_000, 0, 0, 0), "street",
     ("单元门口有台阶无坡道，轮椅、婴儿车进出困难。",
      "Steps and no ramp at the stairway entrances; hard going for wheelchairs and prams.",
      "单元入口加装坡道和扶手，楼道加装扶手。",
      "Ramps and handrails at the entrances, handrails in the stairwells."),
     name=("楼门无障碍坡道和扶手", "Barrier-free ramps and handrails at building entrances"))
item("it-barrier-free-jinsongxi", "barrier_free", ["street-jinsongxi", "node-southgate"] + STREET_RAMP_IDS,
     [P0, DESIGNED, PUBLICISED, STREET_BUILD, "2019-08-31"], ("2019-04-01", "2019-08-31"),
     180_000, 176_000, (76_000, 100_000, 0, 0), "street",
     ("人行道高差大，路口无缘石坡道，盲道断续。",
      "Kerbs with high steps, no kerb ramps at crossings, broken tactile paving.",
      "路口设缘石坡道，连通盲道，南门无障碍通行。",
      "Kerb ramps at every crossing, continuous tactile paving, step-free south gate."),
     name=("劲松西街无障碍通行", "Barrier-free Jinsongxi Street"))
item("it-jinsongxi-renewal", "street_renewal", ["street-jinsongxi"],
     [P0, DESIGNED, PUBLICISED, STREET_BUILD, "2019-09-25"], ("2019-04-01", "2019-09-25"),
     2_600_000, 2_640_000, (1_323_200, 1_316_800, 0, 0), "street",
     ("沿街商铺招牌杂乱，占道经营，街道环境脏乱。",
      "Cluttered shop signs, trading on the pavement, a run-down street scene.",
      "统一设计沿街立面和招牌，整治占道经营，增设座椅和绿化，打造“一街”。",
      "Shopfronts and signs redesigned, pavement trading cleared, benches and planting added: the 'one street'."),
     name=("劲松西街街道整治", "Jinsongxi Street renewal"))
item("it-jinsongxi-road", "road_resurfacing", ["street-jinsongxi"],
     [P0, DESIGNED, PUBLICISED, STREET_BUILD, "2019-09-20"], ("2019-06-01", "2019-09-20"),
     1_800_000, 1_760_000, (1_760_000, 0, 0, 0), "street",
     ("路面破损坑洼，人行道砖松动。",
      "Potholed carriageway, loose paving slabs.",
      "车行道重铺沥青，人行道更换透水铺装，人车分行。",
      "Carriageway resurfaced, permeable paving on the pavements, pedestrians and cars separated."),
     name=("劲松西街道路修缮", "Jinsongxi Street resurfacing"))
item("it-lighting", "lighting", ["street-jinsongxi", "street-yiqu-zhong", "street-erqu-zhong"],
     [P0, DESIGNED, PUBLICISED, STREET_BUILD, "2019-09-20"], ("2019-06-01", "2019-09-20"),
     380_000, 372_000, (372_000, 0, 0, 0), "street",
     ("路灯稀少老旧，夜间照度不足。",
      "Few, old street lights; dark at night.",
      "更换和增设LED路灯，夜间出行安全。",
      "LED street lights replaced and added; safe at night."))
item("it-southgate", "entrance_wayfinding", ["node-southgate", "street-jinsongxi"],
     [P0, DESIGNED, PUBLICISED, "2019-05-06", "2019-09-25"], ("2019-05-06", "2019-09-25"),
     650_000, 668_000, (268_000, 400_000, 0, 0), "enterprise",
     ("西街南门入口空间局促，标识不清，缺少信息发布。",
      "A cramped south gate with unclear signs and nowhere to post notices.",
      "重塑南门入口形象，设置社区标识、导视系统和信息发布牌。",
      "South gate rebuilt as the community's front door, with its sign, wayfinding and notice boards."),
     name=("西街南门改造", "South gate of Jinsongxi Street"))
item("it-garden-jinsongyuan", "greening_pocket_garden", ["garden-jinsongyuan"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-09-28"], ("2019-03-01", "2019-09-28"),
     3_400_000, 3_460_000, (1_260_000, 2_200_000, 0, 0), "street",
     ("劲松园绿地荒疏，铺装破损，设施陈旧，缺少老人和儿童的活动场地。",
      "Jinsong Garden neglected: broken paving, worn-out furniture, no place for older people or children.",
      "劲松园整体改造为全龄友好花园：修缮凉亭水池，增设健身、儿童游乐和休憩设施，补植绿化。",
      "Jinsong Garden renewed for all ages: pavilion and pond restored, fitness, play and seating added, replanted."),
     name=("劲松园改造", "Jinsong Garden renewal"))
item("it-garden-209", "greening_pocket_garden", ["garden-209"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-09-28"], ("2019-04-01", "2019-09-28"),
     950_000, 930_000, (430_000, 500_000, 0, 0), "community",
     ("209楼旁的空地杂乱，堆放杂物，无法使用。",
      "The plot beside Building 209 was cluttered and unusable.",
      "改造为209小花园，设置座椅、花池和晾晒设施，居民参与设计。",
      "Turned into the 209 small garden with seats, planters and drying racks, designed with the residents."),
     name=("209小花园改造", "209 small garden renewal"))
item("it-waste-sorting", "waste_sorting", ["street-yiqu-zhong", "street-erqu-zhong"],
     [P0, "2019-06-20", "2019-10-15", "2020-01-06", "2020-05-01"], ("2020-01-06", "2020-04-30"),
     260_000, 252_000, (152_000, 0, 0, 100_000), "community",
     ("垃圾桶沿路散放，混投混运，异味扰民。",
      "Bins scattered along the roads, mixed waste, smells.",
      "设置垃圾分类驿站，定时定点投放，物业值守指导。",
      "Waste-sorting stations with set hours, staffed by the property company."),
     name=("垃圾分类驿站", "Waste-sorting stations"))

# ---- public space: demolition first, new bicycle sheds before the old shed is converted ---------------
item("it-illegal-structures", "illegal_structure_removal", ILLEGAL_IDS + ["garden-209"],
     [P0, DESIGNED, PUBLICISED, "2018-12-03", "2019-03-29"], ("2018-12-03", "2019-03-31"),
     26_000, 25_600, (25_600, 0, 0, 0), "street",
     ("楼旁和院内私搭乱建的小房、储物棚占用公共空间，挤占绿地和消防通道。",
      "Huts and storage sheds built against the buildings and in the yards took over shared space, green and fire lanes.",
      "拆除违法建设4处约128平方米，腾出的空间还给居民，209楼旁的一处并入209小花园。",
      "Four illegal structures (about 128 m²) demolished and the space given back to the residents; the one by "
      "Building 209 became part of the 209 small garden."),
     name=("拆除违法建设", "Illegal structures demolished"))
item("it-new-bikesheds", "bicycle_shed", NEW_SHED_IDS,
     [P0, DESIGNED, PUBLICISED, "2019-03-11", "2019-04-26"], ("2019-03-11", "2019-04-30"),
     288_000, 283_200, (0, 283_200, 0, 0), "enterprise",
     ("原自行车棚将改造为便民商铺，居民的自行车、电动自行车无处停放，楼道和路边乱停。",
      "With the old bicycle shed to become shops, residents' bicycles and e-bikes had nowhere to go but stairwells and kerbs.",
      "先建后改：在楼间空地新建3处非机动车棚（各约120平方米），由物业统一管理。",
      "Build first, convert later: three new bicycle sheds (about 120 m² each) in open ground between the rows, "
      "managed by the property company."),
     name=("新建非机动车棚", "New bicycle sheds"))

# ---- culture -----------------------------------------------------------------------------------------
item("it-culture-corridor", "culture_corridor", ["garden-jinsongyuan"],
     [P0, DESIGNED, PUBLICISED, "2019-06-03", "2019-09-28"], ("2019-06-03", "2019-09-28"),
     320_000, 310_000, (0, 310_000, 0, 0), "community",
     ("劲松作为改革开放后首批成建制住宅区的历史无处展示。",
      "Nowhere told the story of Jinsong, one of the first planned housing estates after the reform and opening-up.",
      "在劲松园设文化展示长廊，展出社区历史和居民老照片。",
      "A culture corridor in Jinsong Garden shows the community's history and residents' old photographs."),
     name=("劲松园文化长廊", "Culture corridor in Jinsong Garden"))
op("it-livingroom", "community_living_room", ["node-livingroom"],
   [P0, DESIGNED, PUBLICISED, "2019-04-15", "2019-09-20", "2019-09-28"], ("2019-04-15", "2019-09-20"),
   1_600_000, 1_600_000, (0, 1_600_000, 0, 0), "enterprise",
   ("低效利用的空间，门窗破旧，居民缺少议事和活动的公共场所。",
    "An under-used space with broken windows; residents had no shared room for meetings or activities.",
    "改造为美好会客厅：居民议事、文化活动、共享客厅，由企业运营。",
    "Turned into the Meihao living room for resident meetings, activities and as a shared lounge, run by the operator."))
op("it-workshop", "craft_workshop", ["node-workshop"],
   [P0, DESIGNED, PUBLICISED, "2019-07-01", "2019-12-20", "2020-01-10"], ("2019-07-01", "2019-12-20"),
   560_000, 548_000, (0, 548_000, 0, 0), "enterprise",
   ("修鞋、配钥匙、缝补的小摊散落路边，风吹日晒。",
    "Shoe repair, key cutting and tailoring stalls scattered along the roadside.",
    "开设匠心工坊，集中提供便民维修服务，传承手艺。",
    "The craft workshop gathers the repair services indoors and keeps the crafts alive."),
   name=("匠心工坊", "Craft workshop"))
item("it-culture-activities", "community_culture_activities", ["boundary", "node-livingroom", "garden-jinsongyuan"],
     [P0, "2019-03-15", "2019-04-20", "2019-05-10", "2019-09-28", "2019-10-01"], ("2019-05-10", "2020-12-31"),
     360_000, 372_000, (120_000, 252_000, 0, 0), "community",
     ("社区活动少，邻里交往少，老年人精神生活单调。",
      "Few community events and little contact between neighbours; a dull routine for older residents.",
      "在美好会客厅和劲松园常态化开展文化活动、节日活动和“物业+养老”活动。",
      "Regular culture, festival and 'property + elderly care' events in the living room and Jinsong Garden."),
     name=("社区文化活动", "Community culture activities"))

# ---- service formats in revitalised idle spaces, operated by the enterprise ----------------------------
op("it-bikeshed", "idle_space_revitalisation", ["node-bikeshed"],
   [P0, DESIGNED, PUBLICISED, "2019-05-06", "2019-11-20", "2019-12-01"], ("2019-05-06", "2019-11-30"),
   2_900_000, 2_960_000, (0, 2_960_000, 0, 0), "enterprise",
   ("自行车棚闲置破败，堆放废旧车辆和杂物。",
    "The bicycle shed stood idle and derelict, full of abandoned bicycles and junk.",
    "车棚改造为便民商铺和物业办公用房，企业取得长期经营权，以经营收益回收投资。",
    "The shed becomes shops and a property office; the operator holds long-term operating rights and is repaid by the rents."),
   name=("自行车棚改造为便民商铺和物业用房", "Bicycle shed turned into shops and a property office"))
op("it-lowuse-spaces", "idle_space_revitalisation", ["node-canteen", "node-livingroom", "node-grocery"],
   [P0, DESIGNED, PUBLICISED, BUILD, "2019-08-30", "2019-09-01"], ("2019-03-01", "2019-08-30"),
   3_700_000, 3_780_000, (0, 3_780_000, 0, 0), "enterprise",
   ("楼下和沿街的低效空间长期闲置或低价出租，“沉睡”无用。",
    "Under-used ground-floor and street-side spaces left idle or let cheaply: 'sleeping' space.",
    "“唤醒”低效空间，腾退、加固、改造后授权企业长期运营，作为社会资本投资的回报来源。",
    "The sleeping spaces are 'woken up': cleared, strengthened and refitted, then operated long-term by the enterprise to repay its investment."),
   name=("低效空间腾退改造（食堂、会客厅、副食店）", "Under-used spaces revitalised (canteen, living room, grocery)"))
op("it-canteen", "community_canteen", ["node-canteen"],
   [P0, DESIGNED, PUBLICISED, "2019-06-03", "2019-12-15", "2019-12-28"], ("2019-06-03", "2019-12-15"),
   3_200_000, 3_280_000, (0, 3_280_000, 0, 0), "enterprise",
   ("社区没有食堂，独居和高龄老人吃饭难。",
    "No canteen: older people living alone found it hard to get a meal.",
    "美好邻里食堂开业，为老年人提供助餐服务，政府购买服务补贴，微利可持续。",
    "The Meihao neighbourhood canteen serves meals to older residents, with a government meal-aid subsidy: micro-profit, sustainable."),
   name=("美好邻里食堂", "Meihao neighbourhood canteen"))
op("it-barber", "barber_personal_care", ["node-barber"],
   [P0, DESIGNED, PUBLICISED, "2019-07-01", "2019-11-10", "2019-11-20"], ("2019-07-01", "2019-11-10"),
   420_000, 412_000, (0, 412_000, 0, 0), "enterprise",
   ("附近缺少价格实惠的理发店，老人理发要走远路。",
    "No affordable barber nearby; older people travelled far for a haircut.",
    "按居民需求调查引入美好理发，为老人提供优惠和上门服务。",
    "Meihao barber opened after the residents' needs survey, with discounts and home visits for older people."),
   name=("美好理发", "Meihao barber"))
op("it-foodstation", "convenience_store", ["node-foodstation"],
   [P0, DESIGNED, PUBLICISED, "2019-09-02", "2020-02-20", "2020-03-01"], ("2019-09-02", "2020-02-20"),
   700_000, 716_000, (0, 716_000, 0, 0), "enterprise",
   ("买菜要去较远的市场，老年人不便。",
    "Vegetables meant a trip to a distant market, hard for older people.",
    "开设城市便民菜站，平价供应蔬菜副食。",
    "An urban convenience food station sells vegetables and groceries at fair prices."),
   name=("城市便民菜站", "Urban convenience food station"))
op("it-grocery", "convenience_store", ["node-grocery"],
   [P0, DESIGNED, PUBLICISED, "2019-08-01", "2020-01-05", "2020-01-15"], ("2019-08-01", "2020-01-05"),
   980_000, 1_004_000, (0, 1_004_000, 0, 0), "enterprise",
   ("低效空间闲置，居民日常副食采购不便。",
    "An idle, under-used space; no grocery for daily needs.",
    "低效空间改造引入百年老字号副食店。",
    "The converted space hosts a century-old brand grocery."),
   name=("百年老字号副食店", "Century-old brand grocery"))
op("it-eldercare", "elderly_care", ["node-eldercare", "core-property"],
   [P0, DESIGNED, "2019-03-20", "2019-09-02", "2020-06-20", "2020-07-01"], ("2019-09-02", "2020-06-20"),
   1_800_000, 1_760_000, (360_000, 1_400_000, 0, 0), "enterprise",
   ("老龄化程度高，居家养老服务缺位。",
    "An ageing population and no home-care services.",
    "建立“物业+养老”服务机制：养老驿站与物业中心联动，提供助餐、助洁、助医和巡视探访。",
    "'Property + elderly care': the care station works with the property centre on meals, cleaning, health visits and check-ins."),
   name=("养老驿站（物业+养老）", "Elderly care station ('property + elderly care')"))
item("it-health", "health_station", ["node-health"],
     [P0, DESIGNED, PUBLICISED, "2019-05-06", "2019-12-20", "2020-01-06"], ("2019-05-06", "2019-12-20"),
     900_000, 884_000, (884_000, 0, 0, 0), "district",
     ("就近就医不便，慢病老人取药要跑远路。",
      "No care close to home; older people with chronic illness travelled for their prescriptions.",
      "社区卫生服务站改造提升，提供基本医疗、慢病管理和家庭医生签约服务。",
      "Health service station upgraded: primary care, chronic-disease management and family doctors."),
     name=("卫生服务站提升", "Health service station upgrade"))

# ---- the two cores -----------------------------------------------------------------------------------
item("it-committee", "community_service_station", ["core-committee"],
     [P0, DESIGNED, PUBLICISED, BUILD, "2019-08-15"], ("2019-03-01", "2019-08-15"),
     1_000_000, 968_000, (968_000, 0, 0, 0), "community",
     ("居委会用房狭小陈旧，办事和议事空间不足。",
      "The neighbourhood committee office was small and run-down, with no room for services or meetings.",
      "社区服务站改造提升，开放式办公，设党群活动和居民议事空间。",
      "Community service station upgraded: open-plan counters, Party-and-public activity and resident meeting rooms."),
     name=("社区居委会（社区服务站）提升", "Neighbourhood committee (community service station) upgrade"))
op("it-property-centre", "property_service_centre", ["core-property"],
   [P0, DESIGNED, PUBLICISED, BUILD, "2019-07-20", "2019-08-01"], ("2019-03-01", "2019-07-20"),
   1_300_000, 1_270_000, (0, 1_270_000, 0, 0), "enterprise",
   ("小区长期无专业物业，没有物业服务用房。",
    "No professional property management for years and no property office.",
    "建成物业服务中心，提供全天候响应、维修、保洁和商户管理。",
    "Property service centre built: round-the-clock response, repairs, cleaning and management of the shops."),
   name=("物业服务中心提升", "Property service centre upgrade"))
item("it-property-management", "property_management", ["boundary", "core-property"],
     [P0, "2018-10-15", "2019-05-20", "2019-07-01", "2020-04-30", "2020-05-01"], ("2019-07-01", "2020-04-30"),
     3_600_000, 3_600_000, (600_000, 3_000_000, 0, 0), "enterprise",
     ("老旧小区无物业管理，环境、维修、安全无人负责，居民缴费意愿低。",
      "An old estate without property management: no one looked after cleaning, repairs or safety; residents unwilling to pay.",
      "“先尝后买”：企业先提供物业服务，经户数过半、面积过半“双过半”表决后收费，政府适度支持。",
      "'Try first, then buy': the operator served first and began charging after the 'double half' vote "
      "(over half of households and of floor area), with moderate government support."),
     name=("引入专业物业（先尝后买）", "Property management introduced (try first, then buy)"),
     operator=VISION)

# ---- smart community ---------------------------------------------------------------------------------
op("it-smart-parking", "parking", ["boundary", "street-jinsongxi", "street-yiqu-zhong", "street-erqu-zhong"],
   [P0, DESIGNED, PUBLICISED, "2019-05-06", "2019-10-10", "2019-10-15"], ("2019-05-06", "2019-10-10"),
   2_900_000, 2_870_000, (0, 2_870_000, 0, 0), "enterprise",
   ("车辆乱停乱放，占用消防通道，外来车辆随意进出。",
    "Cars parked anywhere, blocking fire lanes; outside vehicles came and went freely.",
    "智慧停车：施划车位，出入口车牌识别道闸，停车收费由物业管理。",
    "Smart parking: bays marked, plate-recognition gates, parking fees managed by the property company."),
   name=("智慧停车", "Smart parking"))
item("it-cctv", "cctv_security", ["boundary", "street-jinsongxi", "street-yiqu-zhong", "street-erqu-zhong"],
     [P0, DESIGNED, PUBLICISED, "2019-05-06", "2019-09-20"], ("2019-05-06", "2019-09-20"),
     1_100_000, 1_072_000, (572_000, 500_000, 0, 0), "street",
     ("监控盲区多，盗窃和高空抛物时有发生。",
      "Many blind spots; thefts and objects thrown from windows.",
      "安防监控全覆盖，接入物业监控中心。",
      "Full CCTV coverage linked to the property control room."),
     name=("智慧安防监控", "Smart security CCTV"))
item("it-face-access", "face_recognition_access", ["boundary", "node-southgate"],
     [P0, DESIGNED, PUBLICISED, "2019-06-03", "2019-10-15"], ("2019-06-03", "2019-10-15"),
     700_000, 686_000, (0, 686_000, 0, 0), "enterprise",
     ("小区开放无门禁，人员进出无管理。",
      "An open estate: no control of who came and went.",
      "出入口人脸识别门禁和周界防护。",
      "Face-recognition access at the gates and perimeter sensing."),
     name=("人脸识别门禁", "Face-recognition access"))
item("it-lockers", "smart_lockers", ["node-lockers"],
     [P0, DESIGNED, PUBLICISED, "2019-08-01", "2019-09-20"], ("2019-08-01", "2019-09-20"),
     260_000, 252_000, (0, 252_000, 0, 0), "enterprise",
     ("快递堆放在路边和门口，丢件多。",
      "Parcels piled at the roadside and at doors; many lost.",
      "在物业中心与居委会之间设智能快递柜。",
      "Smart parcel lockers between the property centre and the neighbourhood committee."),
     name=("智能快递柜", "Smart parcel lockers"))
item("it-ebike-charging", "charging_facilities", ["street-yiqu-nei", "street-erqu-nei"],
     ["2020-04-20", "2020-08-10"], ("2021-03-01", "2021-06-30"),
     360_000, None, (0, 360_000, 0, 0), "enterprise",
     ("电动自行车楼道充电、飞线充电，火灾隐患大。",
      "E-bikes charged in stairwells and over trailing leads: a fire risk.",
      "在巷道旁集中设置电动自行车充电桩，扫码付费。",
      "Shared e-bike charging points beside the lanes, pay by phone."),
     name=("电动自行车充电桩", "E-bike charging points"))


def attach_items(feats):
    """Write every item into the renewal_items of each feature it lists (the same full object)."""
    by_id = {f["id"]: f for f in feats}
    for it in ITEMS:
        for fid in it["features"]:
            by_id[fid]["properties"].setdefault("renewal_items", []).append(it)


def check_plan(catalogue_path):
    """Fail loudly if the plan drifts from the report's money facts or the catalogue."""
    ids = [it["id"] for it in ITEMS]
    assert len(ids) == len(set(ids)), "duplicate item ids"
    if os.path.exists(catalogue_path):
        with open(catalogue_path, encoding="utf-8") as f:
            known = {e["id"] for e in json.load(f)["items"]}
        missing = sorted({it["catalogue"] for it in ITEMS} - known)
        assert not missing, f"catalogue ids not in assets/catalogue.json: {missing}"
    totals = dict.fromkeys(FUNDING_KEYS, 0)
    for it in ITEMS:
        for k, v in it["funding"].items():
            totals[k] += v
    total = sum(totals.values())
    assert totals["social_capital"] == SOCIAL_CAPITAL_TOTAL, f"social capital {totals['social_capital']}"
    assert 0.445 <= SOCIAL_CAPITAL_TOTAL / total <= 0.455, f"social capital share {SOCIAL_CAPITAL_TOTAL / total:.4f}"
    return totals

# --------------------------------------------------------------------------------------------------
def feature(fid, props, geom):
    return {"type": "Feature", "id": fid, "properties": props, "geometry": geom}


def build():
    feats = []

    bpts = solve_boundary()
    bgeom = polygon(bpts)
    area = ellipsoid_area(bgeom["coordinates"])
    feats.append(feature("boundary", {
        "kind": "boundary",
        "name_zh": "劲松北社区（劲松一区、二区）",
        "name_en": "Jinsongbei Community (Jinsong District 1 & 2)",
        "district_zh": "劲松一区、二区",
        "district_en": "Jinsong District 1 & 2",
        "area_ha": round(area / 10000, 2),
        "area_note": "占地26公顷（最佳实践报告第15期）；示意边界按WGS84椭球面积取26.00公顷，非测绘边界。 / "
                     "26 ha per Best Practice report No. 15; the schematic outline is sized to 26.00 ha "
                     "(geodesic, WGS84), not a surveyed boundary.",
    }, bgeom))

    for num, row, x0, x1, depth, shape, extra, floors in BUILDINGS:
        pts, rot = building_outline(row, x0, x1, depth, shape, extra)
        geom = polygon(pts)
        footprint = ellipsoid_area(geom["coordinates"])
        floor_area = int(round(footprint * floors))
        per_household = 55 + int(num) % 6  # 55-60 m² of floor area per household
        d1 = num.startswith("1")
        sub_zh = "劲松一区" if d1 else "劲松二区"
        sub_en = "Jinsong District 1" if d1 else "Jinsong District 2"
        props = {
            "kind": "building",
            "name_zh": f"{sub_zh}{num}楼",
            "name_en": f"Building {num}, {sub_en}",
            "number": num,
            "subdistrict_zh": sub_zh,
            "subdistrict_en": sub_en,
            "floors": floors,
            "households": int(round(floor_area / per_household)),
            "floor_area_m2": floor_area,
            "year_built": 1977 if d1 else 1978,  # 劲松一区 completed 1977; the estate "始建于1978"
            "structure": "砖混 brick-concrete",
            "shape": shape,
            "length_m": float(x1 - x0),
            "depth_m": float(depth),
            "rotation_deg": float(rot),
        }
        if num == "115":
            props["note_zh"] = "劲松街道办事处所在楼（劲松一区115号楼）。"
            props["note_en"] = "Houses the Jinsong Subdistrict Office (Building 115, Jinsong District 1)."
        if num == "209":
            props["note_zh"] = "紧邻209小花园。"
            props["note_en"] = "Next to the 209 small garden."
        feats.append(feature(f"b{num}", props, geom))

    for sid, zh, en, width, cls, pts in STREETS:
        props = {"kind": "street", "name_zh": zh, "name_en": en, "width_m": width, "street_class": cls}
        if sid == "street-jinsongxi":
            props["note_zh"] = "“一街”：贯穿社区南北的主街，分隔劲松一区（西）与二区（东），南门通劲松路；改造中架空线入地、沿街商业焕新。"
            props["note_en"] = ("'One street': the main north-south street of the community between District 1 (west) "
                                "and District 2 (east), south gate on Jinsong Road; overhead lines buried, shopfronts renewed.")
        feats.append(feature(sid, props, linestring(pts)))

    g1 = polygon(JINSONGYUAN["outer"], [JINSONGYUAN["hole"]])
    feats.append(feature("garden-jinsongyuan", {
        "kind": "garden", "name_zh": "劲松园", "name_en": "Jinsong Garden",
        "area_m2": int(round(ellipsoid_area(g1["coordinates"]))),
        "note_zh": "“两园”之一，二区中心绿地，含凉亭和水池，改造为全龄友好的休闲空间。",
        "note_en": "One of the 'two gardens': the central green of District 2 with a pavilion and pond, renewed for all ages.",
    }, g1))
    g2 = polygon(GARDEN_209)
    feats.append(feature("garden-209", {
        "kind": "garden", "name_zh": "209小花园", "name_en": "209 Small Garden",
        "area_m2": int(round(ellipsoid_area(g2["coordinates"]))),
        "note_zh": "“两园”之一，209号楼旁的小花园。",
        "note_en": "One of the 'two gardens': the small garden beside Building 209.",
    }, g2))

    for cid, zh, en, pts, nzh, nen in CORES:
        feats.append(feature(cid, {"kind": "core", "name_zh": zh, "name_en": en, "floors": 1,
                                   "note_zh": nzh, "note_en": nen}, polygon(pts)))

    for nid, zh, en, xy, host, nzh, nen in NODES:
        props = {"kind": "node", "name_zh": zh, "name_en": en, "note_zh": nzh, "note_en": nen}
        if host:
            props["host_building"] = host
        geom = polygon(BIKESHED) if nid == "node-bikeshed" else point(*xy)
        feats.append(feature(nid, props, geom))

    # ---- before and after ----------------------------------------------------------------------------
    by_id = {f["id"]: f for f in feats}
    for fid, (by_items, before, after, after_pts) in EXISTING_CHANGES.items():
        props = by_id[fid]["properties"]
        props.update(before)
        after = dict(after)
        ch = change("modified", by_items, after)
        if after_pts:
            g = polygon(after_pts)
            ch["after_geometry"] = g
            if "area_m2" in props:
                after["area_m2"] = int(round(ellipsoid_area(g["coordinates"])))
        props["renewal_change"] = ch

    for rid, num, unit, units in RAMPS:
        sub = "一区" if num.startswith("1") else "二区"
        feats.append(feature(rid, {
            "kind": "node", "name_zh": f"无障碍坡道（{num}楼{unit}单元）",
            "name_en": f"Barrier-free ramp (Building {num}, stairway {unit})",
            "note_zh": f"劲松{sub}{num}楼{unit}单元门前新建的无障碍坡道和扶手。",
            "note_en": f"New ramp with handrails at stairway {unit} of Building {num}.",
            "host_building": num,
            "renewal_change": change("added", ["it-barrier-free-buildings"]),
        }, polygon(ramp_outline(num, unit, units))))
    for rid, zh, en, xy, nzh, nen in STREET_RAMPS:
        feats.append(feature(rid, {
            "kind": "node", "name_zh": zh, "name_en": en, "note_zh": nzh, "note_en": nen,
            "renewal_change": change("added", ["it-barrier-free-jinsongxi"]),
        }, point(*xy)))
    for sid, pts, where_zh, where_en in NEW_SHEDS:
        feats.append(feature(sid, {
            "kind": "node", "name_zh": "新建非机动车棚", "name_en": "New bicycle shed",
            "note_zh": f"{where_zh}新建的非机动车棚（约120平方米），安置原自行车棚的车辆。",
            "note_en": f"New bicycle shed {where_en} (about 120 m²), for the bicycles from the old shed.",
            "area_m2": int(round(ellipsoid_area(polygon(pts)["coordinates"]))),
            "renewal_change": change("added", ["it-new-bikesheds"]),
        }, polygon(pts)))
    for oid, zh, en, iid, street, pts in OVERHEAD:
        feats.append(feature(oid, {
            "kind": "other", "name_zh": zh, "name_en": en, "infrastructure": "overhead_line", "beside": street,
            "note_zh": "电力、通信架空线，改造中入地。", "note_en": "Power and telecom lines on poles, moved underground.",
            "renewal_change": change("removed", [iid]),
        }, linestring(pts)))
    for oid, zh, host, pts, nzh, nen in ILLEGAL:
        props = {"kind": "other", "name_zh": zh, "name_en": "Illegal structure", "structure_type": "illegal_structure",
                 "area_m2": int(round(ellipsoid_area(polygon(pts)["coordinates"]))), "note_zh": nzh, "note_en": nen}
        if host:
            props["host_building"] = host
        props["renewal_change"] = change("removed", ["it-illegal-structures"])
        feats.append(feature(oid, props, polygon(pts)))

    attach_items(feats)
    return feats


def change(kind, by_items, after_properties=None):
    """A renewal_change value (keys in the order Renewal Planner writes them)."""
    ch = {"change": kind, "by_items": list(by_items)}
    if after_properties is not None:
        ch["after_properties"] = after_properties
    return ch


# --------------------------------------------------------------------------------------------------
# The story: the renewal told slide by slide, as the report tells it, for a residents' meeting on a
# projector (renewal_plan.stories).  Each slide is a view of the map: its centre and zoom are computed
# from the feature geometries below, never typed in.
#
#   * centre: the bbox centre of the slide's highlighted features (before and after geometry; a street
#     counts with its width), or of the district boundary when nothing is highlighted;
#   * ground_mpp: the highlighted features fill about the middle half of a 1280 x 800 view (each pane
#     of a side-by-side view is 640 x 800), clamped to 0.12-0.8; a slide of the whole district fits the
#     boundary to the whole view with a 5 % margin (~0.67).  "across" frames a long street across: its axis
#     in the middle with ACROSS_SIDE_M of ground either side (the building rows that line it), and lets it run
#     through the view: 劲松西街 (509 m) would otherwise never be "zoomed to the street";
#   * swipe: the divider starts 2 m east of the objects the slide is about, so a swipe slide opens on the
#     before state of its subject and dragging the divider west reveals the after (left pane = before);
#     "divider_on" puts it on the axis of a street instead, so each side shows the street, before on the
#     left (its lanes' overhead lines) and after on the right (the lines gone, shown as removed): a divider
#     east of a north-south street left the after side without the street at all;
#     0.5 where it does not matter.
# --------------------------------------------------------------------------------------------------
VIEW_W, VIEW_H = 1280, 800  # pixels of the projector view the zooms are chosen for
MPP_MIN, MPP_MAX = 0.12, 0.8
ACROSS_SIDE_M = 150  # ground shown either side of a street framed "across"
DISTRICT_MARGIN = 1.05
STORY_LAYERS = ["boundary", "building", "street", "garden", "core", "node", "other"]
STORY_PROGRESS_DATE = "2019-06-30"
SERVICE_NODES = ["node-canteen", "node-health", "node-livingroom", "node-bikeshed", "node-workshop"]


def items_done_by(date):
    """The items completed (or operating) on or before `date`, in plan order."""
    out = []
    for it in ITEMS:
        st = [h["status"] for h in it["history"] if h["date"] <= date]
        if st and st[-1] in ("completed", "operating"):
            out.append(it)
    return out


def items_in_status_on(date, status):
    return [it for it in ITEMS if [h["status"] for h in it["history"] if h["date"] <= date][-1:] == [status]]


def progress_captions(date):
    y, m, d = (int(v) for v in date.split("-"))
    done = sorted(items_done_by(date), key=lambda it: ([h["date"] for h in it["history"]
                                                         if h["status"] in ("completed", "operating")][0], it["id"]))
    building = items_in_status_on(date, "under_construction")
    zh_names = "、".join(it.get("name_zh", it["id"]) for it in done)
    en_names = ", ".join((lambda n: n[0].lower() + n[1:])(it.get("name_en", it["id"])) for it in done)
    zh = (f"按进度着色：截至{y}年{m}月{d}日，{len(ITEMS)}项中{len(done)}项已完工（{zh_names}），"
          f"{len(building)}项正在施工，其余仍在设计、公示阶段或尚未启动。")
    en = (f"Coloured by status: by {d} {datetime_month(m)} {y}, {len(done)} of the {len(ITEMS)} items were finished "
          f"({en_names}) and {len(building)} were under construction; the rest were still in design, publicity or "
          "not yet started.")
    return zh, en


def datetime_month(m):
    return ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December"][m - 1]


def idle_space_features():
    """Features of the idle spaces 'woken up' and operated by the enterprise (the social capital's repayment)."""
    out = []
    for it in ITEMS:
        if it["catalogue"] == "idle_space_revitalisation":
            out += [fid for fid in it["features"] if fid not in out]
    return out


def consent_captions(consent, mid):
    """What the consent map of matter `mid` shows, in numbers counted from the generated register and votes:
    households in scope, taking part and agreeing, the agreeing area, and how many buildings reach which share."""
    m = next(m for m in consent["matters"] if m["id"] == mid)
    assert m["scope"]["type"] == "district" and m["rule"] == "double_majority", mid
    votes = consent["votes"][mid]
    hs = consent["households"]
    agree = [h for h in hs if votes.get(h["id"], {}).get("vote") == "agree"]
    n, voted, a = len(hs), sum(1 for h in hs if h["id"] in votes), len(agree)
    area = sum(round(h["area_m2"] * 100) for h in hs)
    area_a = sum(round(h["area_m2"] * 100) for h in agree)
    assert 2 * a > n and 2 * area_a > area, "the property service passed by the double majority"
    per = {}
    for h in hs:
        c = per.setdefault(h["building"], [0, 0])
        c[0] += 1
        c[1] += votes.get(h["id"], {}).get("vote") == "agree"
    # The map's bins (render::theme::consent_bin): over 1/2, at least 2/3, at least 3/4 of a building's households.
    over_half = sorted(b for b, (w, x) in per.items() if 2 * x > w)
    two_thirds = sorted(b for b, (w, x) in per.items() if 3 * x >= 2 * w)
    three_quarters = sorted(b for b, (w, x) in per.items() if 4 * x >= 3 * w)
    assert len(over_half) == len(per), "every building over half: the caption says so"
    nums = [b[1:] for b in three_quarters]
    pct, pct_area = round(100 * a / n, 1), round(100 * area_a / area, 1)
    # Counted by colour: over half but under 2/3, 2/3 but under 3/4, 3/4 or more.
    k_half, k_two = len(over_half) - len(two_thirds), len(two_thirds) - len(three_quarters)
    zh = (f"按居民同意着色（示意登记）：引入专业物业按“双过半”表决，{n}户中{voted}户参与、{a}户同意（{pct}%），"
          f"同意面积占{pct_area}%，表决通过。{len(per)}栋楼每栋同意都过半：{k_half}栋不足三分之二，{k_two}栋达到三分之二，"
          f"{'楼和'.join(nums)}楼达到四分之三。")
    en = (f"Coloured by residents' consent (illustrative register): under the double majority {voted} of {n} households "
          f"voted on the property service and {a} agreed ({pct}%, with {pct_area}% of the floor area), so it passed. "
          f"Over half agreed in all {len(per)} buildings: under two thirds in {k_half}, two thirds in {k_two} and three "
          f"quarters in Buildings {' and '.join(nums)}.")
    return zh, en


def _slide_specs(consent):
    progress_zh, progress_en = progress_captions(STORY_PROGRESS_DATE)
    consent_zh, consent_en = consent_captions(consent, "m-property")
    payback_zh, payback_en = payback_captions(build_operations())
    no_other = [k for k in STORY_LAYERS if k != "other"]
    # title_zh, title_en, caption_zh, caption_en, phase, compare, theme, layers, highlight,
    # and the view options fit ("both" or "across") and divider_after (ids: the swipe divider starts east of them)
    return [
        dict(title_zh="改造前的劲松", title_en="Jinsong before the renewal",
             caption_zh="劲松一区、二区建于1977—1978年，是改革开放后北京首批成建制住宅区，占地26公顷、43栋住宅楼。"
                        "配套设施不足、生活服务缺位，老年居民多，加装电梯、无障碍设施和便民服务的呼声很高。",
             caption_en="Built in 1977-78 as one of Beijing's first planned housing estates after the reform and "
                        "opening-up, Jinsong District 1 & 2 cover 26 ha with 43 residential buildings. Facilities and "
                        "services were lacking and many residents were elderly: they asked for elevators, barrier-free "
                        "access and everyday services.",
             phase="before", compare="single", theme="kind", layers=STORY_LAYERS, highlight=[]),
        dict(title_zh="一街、两园、两心、多节点", title_en="One street, two gardens, two cores, many nodes",
             caption_zh="示范区以“一街”（劲松西街）、“两园”（劲松园、209小花园）、“两心”（社区居委会、物业中心）和"
                        "“多节点”（社区食堂、卫生服务站、美好会客厅、自行车棚、匠心工坊等）展开改造。"
                        "围绕公共空间、智能化、服务业态、社区文化四类，实施了30余项专项改造。",
             caption_en="The demonstration area was renewed as 'one street' (Jinsongxi Street), 'two gardens' (Jinsong "
                        "Garden, the 209 small garden), 'two cores' (neighbourhood committee, property centre) and "
                        "'many nodes' (canteen, health station, living room, bicycle shed, craft workshop and more). "
                        "Over 30 special projects covered public space, smart facilities, services and community culture.",
             phase="after", compare="single", theme="kind", layers=no_other,
             highlight=["street-jinsongxi", "garden-jinsongyuan", "garden-209", "core-committee", "core-property"]
             + SERVICE_NODES),
        dict(title_zh="劲松西街焕新", title_en="Jinsongxi Street renewed",
             caption_zh="拖动卷帘，横穿劲松西街对比改造前后：架空线入地，沿街立面和招牌统一设计，路面改为透水铺装，"
                        "路口增设无障碍坡道。",
             caption_en="Drag the divider across Jinsongxi Street: the overhead lines went underground, shopfronts and "
                        "signs were redesigned, the pavements repaved and kerb ramps added at the crossings.",
             phase="after", compare="swipe", theme="kind", layers=STORY_LAYERS, highlight=["street-jinsongxi"],
             fit="across", divider_on="street-jinsongxi"),
        dict(title_zh="架空线入地", title_en="Overhead lines underground",
             caption_zh="改造前后并排对比：劲松西街和一区、二区巷道上空杂乱的电力、通信架空线改为入地敷设，"
                        "街巷上空恢复整洁。",
             caption_en="Before and after side by side: the tangle of power and telecom lines over Jinsongxi Street "
                        "and the lanes of Districts 1 and 2 was moved underground, clearing the sky over the streets.",
             phase="after", compare="side_by_side", theme="kind", layers=STORY_LAYERS,
             highlight=[o[0] for o in OVERHEAD]),
        dict(title_zh="自行车棚变身便民商铺", title_en="From bicycle shed to shops",
             caption_zh="闲置破败的自行车棚改造为便民商铺和物业用房，“唤醒”沉睡空间，由企业长期运营。"
                        "先在楼间空地新建非机动车棚，再改造旧车棚。",
             caption_en="The idle, derelict bicycle shed became shops and a property office: a 'sleeping' space woken "
                        "up and run by the enterprise for the long term. New bicycle sheds went up between the rows first.",
             phase="after", compare="swipe", theme="kind", layers=STORY_LAYERS, highlight=["node-bikeshed"],
             divider_after=["node-bikeshed"]),
        dict(title_zh="两园焕新", title_en="The two gardens renewed",
             caption_zh="劲松园修缮凉亭和水池，增设健身、儿童游乐和休憩设施；209小花园在拆除旁边的违法建设后向东扩展，"
                        "居民参与设计。",
             caption_en="Jinsong Garden got its pavilion and pond restored and new fitness, play and seating areas; the "
                        "209 small garden grew east onto the ground of a demolished illegal structure, designed with the "
                        "residents.",
             phase="after", compare="swipe", theme="kind", layers=STORY_LAYERS,
             highlight=["garden-jinsongyuan", "garden-209"], divider_after=["garden-209", "other-illegal-b209"]),
        dict(title_zh="2019年6月底的进度", title_en="Progress at the end of June 2019",
             caption_zh=progress_zh, caption_en=progress_en,
             phase=STORY_PROGRESS_DATE, compare="single", theme="status", layers=STORY_LAYERS, highlight=[]),
        dict(title_zh="资金：社会资本3000万元", title_en="The money: 30 million yuan of social capital",
             caption_zh="愿景集团投入社会资本3000万元，占总投资的45%；以“唤醒”的闲置空间的长期经营权收益，"
                        "加上政府购买服务，逐步收回投资，实现“微利可持续”。",
             caption_en="Vision Group put in 30 million yuan of social capital, 45% of the total investment. It is repaid "
                        "by long-term operating rights to revitalised idle spaces plus government purchase of services: "
                        "'micro-profit, sustainable'.",
             phase="after", compare="single", theme="funding", layers=no_other, highlight=idle_space_features()),
        dict(title_zh="经营权收益：何时回本", title_en="Operating rights: when the money comes back",
             caption_zh=payback_zh, caption_en=payback_en,
             phase="after", compare="single", theme="space_use", layers=no_other, payback_chart=True,
             highlight=[s[1] for s in SPACES]),
        dict(title_zh="五方联动，先尝后买", title_en="Five-party linkage; try first, then buy",
             caption_zh="“区级统筹、街道主导、社区协调、居民议事、企业运作”五方联动，居民全程参与改造和治理。"
                        "专业物业“先尝后买”，经户数过半、面积过半的“双过半”表决后收费。",
             caption_en="District coordination, street leadership, community coordination, residents' deliberation and "
                        "enterprise operation: the five-party linkage, with residents involved throughout. Property "
                        "management came 'try first, then buy', charging only after the 'double half' vote (over half of "
                        "households and of floor area).",
             phase="after", compare="single", theme="category", layers=no_other,
             highlight=["core-committee", "core-property"]),
        dict(title_zh="居民表决：引入物业", title_en="The residents' vote on the property service",
             caption_zh=consent_zh, caption_en=consent_en,
             phase="after", compare="single", theme="consent", consent_matter="m-property", layers=STORY_LAYERS,
             highlight=[]),
        dict(title_zh="改造后的劲松", title_en="Jinsong after the renewal",
             caption_zh="一个环境优美、服务便利、治理有序、邻里和谐的完整社区。“劲松模式”是北京引入社会资本参与老旧小区"
                        "改造的首个实践。",
             caption_en="A complete community with a pleasant environment, convenient services, orderly governance and "
                        "good neighbours. The 'Jinsong model' was Beijing's first case of social capital taking part in "
                        "renewing an old community.",
             phase="after", compare="single", theme="kind", layers=no_other, highlight=[]),
    ]


def feature_bounds_xy(f):
    """Local-metre bbox of a feature in both states (geometry and after_geometry); a street with its width."""
    geoms = [f["geometry"]]
    ch = f["properties"].get("renewal_change") or {}
    if "after_geometry" in ch:
        geoms.append(ch["after_geometry"])
    pad = f["properties"].get("width_m", 0.0) / 2 if f["properties"]["kind"] == "street" else 0.0
    xs, ys = [], []
    for g in geoms:
        c = g["coordinates"]
        pts = [c] if g["type"] == "Point" else c if g["type"] == "LineString" else [p for ring in c for p in ring]
        for lon, lat in pts:
            xs.append((lon - LON0) * M_PER_DEG_LON)
            ys.append((lat - LAT0) * M_PER_DEG_LAT)
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def union_bounds(bbs):
    return min(b[0] for b in bbs), min(b[1] for b in bbs), max(b[2] for b in bbs), max(b[3] for b in bbs)


def slide_view(by_id, highlight, compare, fit="both", divider_after=None, divider_on=None):
    """(center [lon, lat], ground_mpp, swipe) of a slide framed on its highlighted features (or the district)."""
    pane_w = VIEW_W / 2 if compare == "side_by_side" else VIEW_W
    if highlight:
        x0, y0, x1, y1 = union_bounds([feature_bounds_xy(by_id[i]) for i in highlight])
        need = [(x1 - x0) / (pane_w / 2), (y1 - y0) / (VIEW_H / 2)]
        across = min(x1 - x0, y1 - y0) + 2 * ACROSS_SIDE_M
        mpp = across / (pane_w if x1 - x0 < y1 - y0 else VIEW_H) if fit == "across" else max(need)
    else:
        x0, y0, x1, y1 = feature_bounds_xy(by_id["boundary"])
        mpp = max((x1 - x0) / pane_w, (y1 - y0) / VIEW_H) * DISTRICT_MARGIN
    mpp = round(min(MPP_MAX, max(MPP_MIN, mpp)), 2)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    swipe = 0.5
    if compare == "swipe" and divider_after:
        east = union_bounds([feature_bounds_xy(by_id[i]) for i in divider_after])[2] + 2.0
        swipe = round(min(0.95, max(0.05, 0.5 + (east - cx) / (mpp * VIEW_W))), 3)
    if compare == "swipe" and divider_on:
        b = feature_bounds_xy(by_id[divider_on])
        swipe = round(min(0.95, max(0.05, 0.5 + ((b[0] + b[2]) / 2 - cx) / (mpp * VIEW_W))), 3)
    return to_lonlat(cx, cy), mpp, swipe


def build_stories(feats, consent):
    by_id = {f["id"]: f for f in feats}
    slides = []
    for s in _slide_specs(consent):
        center, mpp, swipe = slide_view(by_id, s["highlight"], s["compare"], s.get("fit", "both"), s.get("divider_after"),
                                        s.get("divider_on"))
        assert all(h in by_id for h in s["highlight"]), s["title_en"]
        slides.append({
            "title_zh": s["title_zh"], "title_en": s["title_en"],
            "caption_zh": s["caption_zh"], "caption_en": s["caption_en"],
            "center": center,
            "ground_mpp": mpp,
            "phase": s["phase"],
            "compare": s["compare"],
            "swipe": swipe,
            "layers": list(s["layers"]),
            "theme": s["theme"],
            # A consent-coloured slide keeps the matter it shows (model::Slide::consent_matter).
            **({"consent_matter": s["consent_matter"]} if s["theme"] == "consent" else {}),
            # A slide that shows the operations ledger's payback chart beside the map (model::Slide::payback_chart).
            **({"payback_chart": True} if s.get("payback_chart") else {}),
            "highlight": list(s["highlight"]),
            "photo_item": None,  # no before/after photos in the plan yet
        })
    return [{
        "id": "jinsong-story",
        "name_zh": "劲松模式：老旧小区有机更新",
        "name_en": "The Jinsong model: organic renewal of an old community",
        "slides": slides,
    }]



# ---------------------------------------------------------------------------------------------------------
# Residents' consent (renewal_plan.consent): an ILLUSTRATIVE register generated from each building's
# households, floors and floor area exactly as the app's model::consent::generate does (integer
# arithmetic, so both make the same households), and the matters the report's process implies: the
# property service by "try first, then buy" under the double majority (双过半), the bicycle shed's change
# of use under the Civil Code's major-matter rule, and elevators per 单元 (some passed, some not yet).
# Votes are made up, deterministically; no real resident's data is in this file.

CONSENT_NOTE = ("示意登记：按各楼户数、层数和建筑面积生成的住户与表决，非真实住户数据。"
                " Illustrative: households and votes generated from each building's households, floors and floor area;"
                " not real residents' data.")


def generate_households(key, households, floors, floor_area, units=None):
    h = min(int(households), 100000)
    if h <= 0:
        return []
    floors = max(1, min(200, int(floors)))
    units = max(1, min(1000, units if units is not None else (h + floors) // (2 * floors)))
    slots = units * floors
    base, extra = h // slots, h % slots
    # Rooms 301, 302 …; a floor with 100 flats or more numbers them 3001 … so none repeats.
    step = 10 ** max(2, len(str(base + (1 if extra else 0))))
    out, weights = [], []
    for u in range(1, units + 1):
        for f in range(1, floors + 1):
            s = (u - 1) * floors + (f - 1)
            for n in range(1, base + (1 if s < extra else 0) + 1):
                room = str(f * step + n)
                out.append({"id": f"{key}-{u}-{room}", "building": key, "unit": str(u), "floor": f, "room": room})
                weights.append(11 if n % 2 == 1 else 9)
    total = int(floor_area * 10 + 0.5) if floor_area and floor_area > 0 else h * 550
    w = sum(weights)
    shares = [total * x // w for x in weights]
    rest = total - sum(shares)
    for i, (hh, share) in enumerate(zip(out, shares)):
        bump = 1 if rest > 0 else 0
        rest -= bump
        hh["area_m2"] = (share + bump) / 10
        hh["owner_type"] = "institution" if i % 20 == 7 else ("public_tenant" if i % 7 == 3 else "private")
    return out


def _frac(*parts):
    """A deterministic number in [0, 1) from text."""
    d = hashlib.sha256("|".join(parts).encode("utf-8")).digest()
    return int.from_bytes(d[:8], "big") / 2 ** 64


def _day(opens, closes, i):
    a, b = datetime.date.fromisoformat(opens), datetime.date.fromisoformat(closes)
    return (a + datetime.timedelta(days=(i * 7) % ((b - a).days + 1))).isoformat()


def _method(hid, mid):
    x = _frac(hid, mid, "method")
    return "paper" if x < 0.6 else ("in_person" if x < 0.85 else "online")


def build_consent(feats):
    register = []
    for f in feats:
        p = f["properties"]
        if p.get("kind") == "building":
            register += generate_households(f["id"], p["households"], p.get("floors", 6), p.get("floor_area_m2"))
    by_building = {}
    for h in register:
        by_building.setdefault(h["building"], []).append(h)
    matters, votes = [], {}

    def matter(mid, zh, en, scope, rule, opens, closes, items):
        matters.append({"id": mid, "title_zh": zh, "title_en": en, "scope": scope, "rule": rule,
                        "opens": opens, "closes": closes, "items": items})

    def random_votes(mid, households, opens, closes, p_vote, p_agree, p_abstain):
        on = {}
        for i, h in enumerate(households):
            if _frac(h["id"], mid, "vote") >= p_vote:
                continue
            x = _frac(h["id"], mid, "choice")
            choice = "agree" if x < p_agree else ("abstain" if x < p_agree + p_abstain else "disagree")
            on[h["id"]] = {"vote": choice, "date": _day(opens, closes, i), "method": _method(h["id"], mid)}
        votes[mid] = on

    # 1. The property service, "try first, then buy": every household, double majority; passed in spring 2019.
    matter("m-property", "引入专业物业（先尝后买）", "Bringing in a professional property service (\"try first, then buy\")",
           {"type": "district"}, "double_majority", "2019-03-01", "2019-04-30", ["it-property-management"])
    random_votes("m-property", register, "2019-03-01", "2019-04-30", 0.80, 0.84, 0.05)

    # 2. The bicycle shed becomes shops and services: a change of use of common parts, District 1's owners.
    district1 = [f["id"] for f in feats if f["properties"].get("kind") == "building" and f["id"].startswith("b1")]
    matter("m-bikeshed", "自行车棚改变用途（改建为便民服务空间）", "Change of use of the bicycle shed (into shops and services)",
           {"type": "buildings", "buildings": district1}, "civil_code_major", "2018-10-08", "2018-11-10", ["it-bikeshed"])
    random_votes("m-bikeshed", [h for h in register if h["building"] in district1],
                 "2018-10-08", "2018-11-10", 0.84, 0.90, 0.03)

    # 3. Elevators, one matter a 单元 (Civil Code, major matter: rebuilding common parts).
    #    (building, unit, item, opens, closes, agree, disagree, abstain) counted in register order; the rest not reached.
    elevators = [
        ("b101", "1", "it-elevator-101", "2019-01-07", "2019-03-15", 15, 1, 1),
        ("b101", "2", "it-elevator-101", "2019-01-07", "2019-03-15", 11, 1, 0),
        ("b103", "1", "it-elevator-103", "2019-02-18", "2019-04-20", 12, 0, 0),
        ("b103", "2", "it-elevator-103", "2019-02-18", "2019-04-20", 10, 1, 1),
        ("b105", "1", "it-elevator-105", "2019-08-05", "2019-11-30", 11, 0, 1),
        ("b105", "2", "it-elevator-105", "2019-08-05", "2019-11-30", 10, 2, 0),
        ("b107", "1", "it-elevator-107", "2020-04-01", "2020-07-10", 11, 1, 0),
        ("b107", "2", "it-elevator-107", "2020-04-01", "2020-07-10", 6, 1, 0),
        ("b202", "1", "it-elevator-202", "2020-03-02", "2020-06-30", 12, 0, 0),
        ("b202", "2", "it-elevator-202", "2020-03-02", "2020-06-30", 7, 3, 0),
        ("b202", "3", "it-elevator-202", "2020-03-02", "2020-06-30", 4, 0, 0),
    ]
    for b, u, it, opens, closes, agree, disagree, abstain in elevators:
        num = b[1:]
        mid = f"m-elevator-{num}-{u}"
        matter(mid, f"{num}楼{u}单元加装电梯", f"Elevator for Building {num}, entrance {u}",
               {"type": "units", "units": [{"building": b, "unit": u}]}, "civil_code_major", opens, closes, [it])
        unit = [h for h in by_building[b] if h["unit"] == u]
        choices = ["agree"] * agree + ["disagree"] * disagree + ["abstain"] * abstain
        assert len(choices) <= len(unit), (mid, len(unit))
        votes[mid] = {h["id"]: {"vote": c, "date": _day(opens, closes, i), "method": _method(h["id"], mid)}
                      for i, (h, c) in enumerate(zip(unit, choices))}
    return {"households": register, "matters": matters, "votes": votes, "note": CONSENT_NOTE}


# ---------------------------------------------------------------------------------------------------------
# The operations ledger (renewal_plan.operations): ILLUSTRATIVE.  The report says the enterprise put in
# 30 million yuan of social capital and is repaid by long-term operating rights over "sleeping" spaces it
# woke up (the bicycle shed turned into shops, the canteen, the barber, the craft workshop, the food
# station, the century-old grocery, elderly care), by property fees after "try first, then buy", by
# parking, and by government purchase of services.  It gives no accounts: every area, amount, rate and
# year below is a plausible figure for Beijing 2019-2038 chosen so the social capital pays back well within
# the 20-year operating terms, not the operator's books.  The app says "illustrative" wherever it shows
# them.  ledger() below is the app's model::operations::compute in a few lines, to check the payback year.
# ---------------------------------------------------------------------------------------------------------
OPERATIONS_NOTE = ("示意数据：经营性空间的面积、收入、成本、补贴均为按北京2019-2038年常见水平拟定的示意数字，"
                   "用于说明“微利可持续”的回本逻辑，并非愿景集团的实际账目。 Illustrative figures: areas, revenue, "
                   "costs and subsidies are plausible Beijing figures chosen to show how the social capital is "
                   "repaid, not Vision Group's accounts.")
TERM_START, TERM_END = 2019, 2019 + TERM - 1

# (id, feature, name_zh, name_en, use, area m², items whose completion opens it)
SPACES = [
    ("sp-bikeshed", "node-bikeshed", "自行车棚改建便民商铺", "Shops in the former bicycle shed", "shop", 480, ["it-bikeshed"]),
    ("sp-canteen", "node-canteen", "美好邻里食堂", "Good Neighbours canteen", "canteen", 420, ["it-canteen"]),
    ("sp-barber", "node-barber", "美好理发", "Barber", "barber", 60, ["it-barber"]),
    ("sp-workshop", "node-workshop", "匠心工坊", "Craft workshop", "workshop", 120, ["it-workshop"]),
    ("sp-foodstation", "node-foodstation", "城市便民菜站", "Food station", "food_station", 150, ["it-foodstation"]),
    ("sp-grocery", "node-grocery", "百年老字号副食店", "Century-old grocery", "grocery", 210, ["it-grocery"]),
    ("sp-eldercare", "node-eldercare", "养老驿站", "Elderly care station", "eldercare", 320, ["it-eldercare"]),
    ("sp-property", "core-property", "物业中心", "Property service centre", "property", 380,
     ["it-property-centre", "it-property-management"]),
    ("sp-parking", "street-jinsongxi", "智慧停车", "Smart parking", "parking", 3600, ["it-smart-parking"]),
]

# (id, kind, name_zh, name_en, space or None, yuan in the first year, collection rate, start, end, growth)
FLOWS = [
    ("cf-bikeshed-rent", "rent", "商铺租金", "Shop rents", "sp-bikeshed", 720_000, None, 2020, TERM_END, 0.03),
    ("cf-canteen-sales", "sales", "食堂餐费收入", "Canteen meals", "sp-canteen", 1_900_000, None, 2020, TERM_END, 0.03),
    ("cf-canteen-cost", "cost", "食堂食材与人工", "Canteen food and staff", "sp-canteen", 1_700_000, None, 2020, TERM_END, 0.03),
    ("cf-barber-rent", "rent", "理发店租金", "Barber's rent", "sp-barber", 96_000, None, 2020, TERM_END, 0.02),
    ("cf-workshop-rent", "rent", "工坊租金", "Workshop rent", "sp-workshop", 84_000, None, 2020, TERM_END, 0.02),
    ("cf-foodstation-rent", "rent", "菜站租金", "Food station rent", "sp-foodstation", 180_000, None, 2020, TERM_END, 0.02),
    ("cf-grocery-rent", "rent", "副食店租金", "Grocery rent", "sp-grocery", 300_000, None, 2020, TERM_END, 0.02),
    ("cf-eldercare-sales", "sales", "养老服务收费", "Elderly care fees", "sp-eldercare", 720_000, None, 2020, TERM_END, 0.03),
    ("cf-eldercare-cost", "cost", "养老驿站运营成本", "Elderly care running costs", "sp-eldercare", 860_000, None, 2020,
     TERM_END, 0.03),
    ("cf-property-fee", "property_fee", "物业费（先尝后买）", "Property fees (try first, then buy)", "sp-property",
     4_400_000, 0.8, 2020, TERM_END, 0.02),
    ("cf-property-cost", "cost", "物业服务成本", "Property service costs", "sp-property", 3_300_000, None, 2020, TERM_END, 0.03),
    ("cf-parking", "parking", "停车收费", "Parking charges", "sp-parking", 1_150_000, None, 2020, TERM_END, 0.02),
    ("cf-parking-cost", "cost", "停车管理成本", "Parking management", "sp-parking", 260_000, None, 2020, TERM_END, 0.03),
    ("cf-gov-services", "subsidy", "政府购买服务", "Government purchase of services", None, 800_000, None, 2020, 2029, 0.0),
    ("cf-eldercare-subsidy", "subsidy", "养老驿站运营补贴", "Elderly care operating subsidy", "sp-eldercare", 240_000, None,
     2020, TERM_END, 0.0),
    ("cf-overhead", "cost", "项目管理费用", "Project management overhead", None, 360_000, None, 2020, TERM_END, 0.03),
]


def build_operations():
    spaces = [{"id": sid, "feature": feat, "name_zh": zh, "name_en": en, "operator": VISION, "use": use,
               "area_m2": float(area), "term_start": TERM_START, "term_end": TERM_END, "items": items}
              for sid, feat, zh, en, use, area, items in SPACES]
    flows = []
    for fid, kind, zh, en, space, yuan, rate, start, end, growth in FLOWS:
        f = {"id": fid, "kind": kind, "name_zh": zh, "name_en": en}
        if space:
            f["space"] = space
        f["yuan_per_year"] = yuan
        if rate is not None:
            f["collection_rate"] = rate
        f.update({"start_year": start, "end_year": end})
        if growth:
            f["growth"] = growth
        flows.append(f)
    return {"illustrative": True, "note": OPERATIONS_NOTE, "discount_rate": 0.06, "spaces": spaces, "flows": flows}


def _year(d):
    return int(d[:4]) if d else None


def _status_date(it, status):
    return next((h["date"] for h in it["history"] if h["status"] == status), None)


def ledger(ops, revenue_scale=1.0, subsidy_scale=1.0):
    """model::operations::compute_with over every item: (rows, payback year).  Rows are
    (year, investment, revenue, cost, subsidy, net, cumulative)."""
    invest = {}
    for it in ITEMS:
        v = it["funding"]["social_capital"]
        if v:
            y = (_year(_status_date(it, "under_construction")) or _year(it["planned_start"])
                 or _year(_status_date(it, "completed")) or _year(it["planned_end"]))
            invest[y] = invest.get(y, 0) + v
    by_id = {it["id"]: it for it in ITEMS}

    def done(it):
        return _year(_status_date(it, "completed") or _status_date(it, "operating")) or _year(it["planned_end"])
    opens = {}
    for s in ops["spaces"]:
        o = max([done(by_id[i]) for i in s["items"]], default=None)
        opens[s["id"]] = (max(o, s["term_start"]) if o else s["term_start"], s["term_end"])
    spans = []
    for f in ops["flows"]:
        a, b = f["start_year"], f["end_year"]
        if "space" in f:
            a, b = max(a, opens[f["space"]][0]), min(b, opens[f["space"]][1])
        spans.append((f, a, b))
    first = min([a for _, a, _ in spans] + list(invest))
    last = max([b for _, _, b in spans] + list(invest))
    rows, cum, payback = [], 0, None
    for year in range(first, last + 1):
        rev = cost = sub = 0
        for f, a, b in spans:
            if not a <= year <= b:
                continue
            scale = {"cost": 1.0, "subsidy": subsidy_scale}.get(f["kind"], revenue_scale)
            v = round(f["yuan_per_year"] * (1 + f.get("growth", 0.0)) ** (year - f["start_year"])
                      * f.get("collection_rate", 1.0) * scale)
            if f["kind"] == "cost":
                cost += v
            elif f["kind"] == "subsidy":
                sub += v
            else:
                rev += v
        net = rev - cost + sub
        cum += net - invest.get(year, 0)
        rows.append((year, invest.get(year, 0), rev, cost, sub, net, cum))
        if payback is None and cum >= 0:
            payback = year
    return rows, payback


def payback_captions(ops):
    """The payback slide's words, counted from the ledger: the payback year and the sensitivity to revenue."""
    _, payback = ledger(ops)
    uses = "、".join(zh for _, _, zh, _, _, _, _ in SPACES[:6])
    by_scale = {s: ledger(ops, revenue_scale=s)[1] for s in (0.9, 0.8)}

    def zh_when(y):
        return f"{y}年回本" if y else f"到{TERM_END}年经营期满仍未回本"

    def en_when(y):
        return f"pays back in {y}" if y else f"has not paid back when the terms end in {TERM_END}"
    zh = (f"示意账目：愿景集团以{len(SPACES)}处经营性空间（{uses}等）{TERM}年经营权的租金和服务收入、物业费、停车费，"
          f"加上政府购买服务，扣除运营成本后，于{payback}年收回3000万元社会资本。"
          f"若收入只有九成，{zh_when(by_scale[0.9])}；只有八成，{zh_when(by_scale[0.8])}。")
    en = (f"Illustrative ledger: rents and service income from {len(SPACES)} operating spaces under {TERM}-year operating "
          f"rights, property fees and parking, plus government purchase of services, less running costs, repay the 30 "
          f"million yuan of social capital in {payback}. At 90% of the revenue the investment {en_when(by_scale[0.9])}; "
          f"at 80% it {en_when(by_scale[0.8])}.")
    return zh, en


def check_operations(ops):
    feats_with_items = {f for it in ITEMS for f in it["features"]}
    for s in ops["spaces"]:
        assert s["feature"] in feats_with_items, s["id"]
        assert all(any(it["id"] == i for it in ITEMS) for i in s["items"]), s["id"]
    uses = {s["use"] for s in ops["spaces"]}
    assert len(uses) >= 5, uses
    rows, payback = ledger(ops)
    assert sum(r[1] for r in rows) == SOCIAL_CAPITAL_TOTAL
    assert payback is not None and 2028 <= payback <= 2031 and payback <= TERM_END, payback
    low, low_payback = ledger(ops, revenue_scale=0.8)
    assert low_payback is None or low_payback >= payback, (low_payback, payback)
    return payback


def dump(feats):
    consent = build_consent(feats)
    operations = build_operations()
    check_operations(operations)
    head = {
        "type": "FeatureCollection",
        "name": "劲松一区、二区 Jinsong District 1 & 2 (劲松北社区)",
        "note": NOTE,
        "source": REPORT,
        "renewal_plan": {**RENEWAL_PLAN, "stories": build_stories(feats, consent), "consent": consent,
                         "operations": operations},
    }
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    lines.append('"features": [')
    body = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    lines.append(",\n".join(body))
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "maps", "jinsong.geojson")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    check_plan(os.path.join(root, "assets", "catalogue.json"))
    text = dump(build())
    json.loads(text)  # must parse
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
