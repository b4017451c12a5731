#!/bin/sh
# Makes the GeoPackage seeds of the plan_file target in fuzz/seeds/plan_file/
# (not committed: about 1.4 MB). Needs the CLI built without the window and
# GDAL's ogr2ogr and python3 (sqlite3). Run from the repository root:
#   CARGO_TARGET_DIR=/tmp/fuzzcli cargo build --release --no-default-features
#   RP=/tmp/fuzzcli/release/renewal-planner sh fuzz/seeds/make_plan_file_seeds.sh
set -eu
RP=${RP:-target/release/renewal-planner}
G=fuzz/seeds/geojson
OUT=fuzz/seeds/plan_file
mkdir -p "$OUT"
rm -f "$OUT"/*.gpkg

# Plan files written by Renewal Planner (schema 3): the Jinsong plan, a small
# plan with items, changes, a story, a photo and a catalogue addition, odd
# geometries, and projected input brought to WGS 84.
"$RP" export jinsong -o "$OUT/jinsong.gpkg"
"$RP" export "$G/mini-plan.geojson" -o "$OUT/mini-plan.gpkg"
"$RP" export "$G/misc.geojson" -o "$OUT/misc-plan.gpkg"
"$RP" export "$G/crs-3857.geojson" -o "$OUT/crs-plan.gpkg"

# GeoPackages written by GDAL (foreign files: feature layers become features).
ogr2ogr -f GPKG "$OUT/foreign-misc.gpkg" "$G/misc.geojson" -nln districts
ogr2ogr -f GPKG "$OUT/foreign-noindex.gpkg" "$G/misc.geojson" -nln districts -lco SPATIAL_INDEX=NO
ogr2ogr -f GPKG "$OUT/foreign-3857.gpkg" "$G/crs-3857.geojson" -nln buildings
cat > /tmp/rp-pts3d.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"amenity":"canteen","name":"食堂","floors":2,"h":3.5},"geometry":{"type":"Point","coordinates":[116.4571,39.8871,12.0]}},
{"type":"Feature","properties":{"highway":"footway","name":"path"},"geometry":{"type":"LineString","coordinates":[[116.456,39.886,1],[116.457,39.887,2]]}}]}
JSON
ogr2ogr -f GPKG "$OUT/foreign-3d.gpkg" /tmp/rp-pts3d.geojson -nln nodes
ogr2ogr -f GPKG "$OUT/foreign-two-layers.gpkg" "$G/misc.geojson" -nln 图层一
ogr2ogr -f GPKG -update "$OUT/foreign-two-layers.gpkg" /tmp/rp-pts3d.geojson -nln nodes

# Older plan schemas (1: GeoJSON text geometry, no photos or stories; 2: no
# stories) and compact copies with small pages (more of each file is content).
python3 - "$OUT" <<'PY'
import json, shutil, sqlite3, struct, sys
out = sys.argv[1]

def wkb_to_geojson(b):
    pos = [0]
    def u32():
        v = struct.unpack_from('<I', b, pos[0])[0]; pos[0] += 4; return v
    def f64():
        v = struct.unpack_from('<d', b, pos[0])[0]; pos[0] += 8; return v
    def line():
        return [[f64(), f64()] for _ in range(u32())]
    def geom():
        pos[0] += 1
        t = u32()
        if t == 1: return {"type": "Point", "coordinates": [f64(), f64()]}
        if t == 2: return {"type": "LineString", "coordinates": line()}
        if t == 3: return {"type": "Polygon", "coordinates": [line() for _ in range(u32())]}
        parts = [geom() for _ in range(u32())]
        names = {4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}
        if t in names: return {"type": names[t], "coordinates": [p["coordinates"] for p in parts]}
        return {"type": "GeometryCollection", "geometries": parts}
    return geom()

def copy(src, dst, page=None, sql=()):
    shutil.copy(f"{out}/{src}", f"{out}/{dst}")
    c = sqlite3.connect(f"{out}/{dst}")
    for s in sql:
        s(c) if callable(s) else c.execute(s)
    c.commit()
    if page:
        c.execute(f"PRAGMA page_size={page}")
        c.execute("VACUUM")
    c.close()

def geometry_as_text(c):
    for fid, g in c.execute("SELECT fid, geometry FROM rp_features").fetchall():
        c.execute("UPDATE rp_features SET geometry = ? WHERE fid = ?", (json.dumps(wkb_to_geojson(g)), fid))

copy("mini-plan.gpkg", "mini-plan-schema2.gpkg", 1024,
     ["UPDATE rp_meta SET value = '2' WHERE key = 'schema_version'", "DROP TABLE rp_stories"])
copy("mini-plan.gpkg", "mini-plan-schema1.gpkg", 1024,
     ["UPDATE rp_meta SET value = '1' WHERE key = 'schema_version'", "DROP TABLE rp_stories",
      "DROP TABLE rp_photos", geometry_as_text])
copy("mini-plan.gpkg", "mini-plan-p1024.gpkg", 1024)
copy("misc-plan.gpkg", "misc-plan-p512.gpkg", 512)
copy("foreign-noindex.gpkg", "foreign-noindex-p512.gpkg", 512)
copy("foreign-3d.gpkg", "foreign-3d-p1024.gpkg", 1024)
PY
ls -l "$OUT"
