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

Layout (local metres, x east, y north, origin at the SW corner of the box):
  * 劲松西街 runs north-south at x = 254 and splits 劲松一区 (west, 101-122) from 劲松二区 (east, 201-221);
    its south gate opens on 劲松路.
  * Twelve rows of slabs; row centre lines at y = 24 + 41 k (k = 0..11, rows 8-11 shifted 2 m north).
  * Internal lanes run in the gaps between rows or between slab columns.
"""
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
    return feats


def dump(feats):
    head = {
        "type": "FeatureCollection",
        "name": "劲松一区、二区 Jinsong District 1 & 2 (劲松北社区)",
        "note": NOTE,
        "source": REPORT,
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
    text = dump(build())
    json.loads(text)  # must parse
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
