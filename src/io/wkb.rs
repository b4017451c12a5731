//! Well-Known Binary geometry, as GeoPackage stores it: written little-endian
//! 2D; read in either byte order, with Z and M ordinates (ISO and EWKB
//! flavours) dropped.

use geo::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

/// Appends the WKB of a geometry.
pub fn write(out: &mut Vec<u8>, g: &Geometry<f64>) {
    fn head(out: &mut Vec<u8>, t: u32) {
        out.push(1);
        out.extend_from_slice(&t.to_le_bytes());
    }
    fn n(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    fn coord(out: &mut Vec<u8>, c: &Coord<f64>) {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
    fn line(out: &mut Vec<u8>, l: &LineString<f64>) {
        n(out, l.0.len());
        l.0.iter().for_each(|c| coord(out, c));
    }
    fn polygon(out: &mut Vec<u8>, p: &Polygon<f64>) {
        n(out, 1 + p.interiors().len());
        line(out, p.exterior());
        p.interiors().iter().for_each(|r| line(out, r));
    }
    match g {
        Geometry::Point(p) => {
            head(out, 1);
            coord(out, &p.0);
        }
        Geometry::LineString(l) => {
            head(out, 2);
            line(out, l);
        }
        Geometry::Polygon(p) => {
            head(out, 3);
            polygon(out, p);
        }
        Geometry::MultiPoint(m) => {
            head(out, 4);
            n(out, m.0.len());
            m.0.iter().for_each(|p| write(out, &Geometry::Point(*p)));
        }
        Geometry::MultiLineString(m) => {
            head(out, 5);
            n(out, m.0.len());
            for l in &m.0 {
                head(out, 2);
                line(out, l);
            }
        }
        Geometry::MultiPolygon(m) => {
            head(out, 6);
            n(out, m.0.len());
            for p in &m.0 {
                head(out, 3);
                polygon(out, p);
            }
        }
        Geometry::GeometryCollection(c) => {
            head(out, 7);
            n(out, c.0.len());
            c.0.iter().for_each(|g| write(out, g));
        }
        Geometry::Line(l) => write(out, &Geometry::LineString(LineString::new(vec![l.start, l.end]))),
        Geometry::Rect(r) => write(out, &Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => write(out, &Geometry::Polygon(t.to_polygon())),
    }
}

/// The WGS84 bounding box `[minx, maxx, miny, maxy]` of a geometry, if any.
pub fn envelope(g: &Geometry<f64>) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    g.bounding_rect().map(|r| [r.min().x, r.max().x, r.min().y, r.max().y])
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let s = self.b.get(self.pos..self.pos + n).ok_or("WKB ends early")?;
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let s: [u8; 4] = self.take(4)?.try_into().map_err(|_| "WKB ends early")?;
        Ok(if le { u32::from_le_bytes(s) } else { u32::from_be_bytes(s) })
    }
    fn f64(&mut self, le: bool) -> Result<f64, String> {
        let s: [u8; 8] = self.take(8)?.try_into().map_err(|_| "WKB ends early")?;
        Ok(if le { f64::from_le_bytes(s) } else { f64::from_be_bytes(s) })
    }
    fn count(&mut self, le: bool, min_size: usize) -> Result<usize, String> {
        let n = self.u32(le)? as usize;
        // A count larger than the bytes left is a corrupt blob, not an allocation to attempt.
        if n.saturating_mul(min_size) > self.b.len().saturating_sub(self.pos) {
            return Err("WKB count exceeds the data".into());
        }
        Ok(n)
    }
    fn coord(&mut self, le: bool, dims: usize) -> Result<Coord<f64>, String> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok(Coord { x, y })
    }
    fn line(&mut self, le: bool, dims: usize) -> Result<LineString<f64>, String> {
        let n = self.count(le, 8 * dims)?;
        (0..n).map(|_| self.coord(le, dims)).collect::<Result<Vec<_>, _>>().map(LineString::new)
    }
    fn polygon(&mut self, le: bool, dims: usize) -> Result<Polygon<f64>, String> {
        let n = self.count(le, 4)?;
        let mut rings = (0..n).map(|_| self.line(le, dims)).collect::<Result<Vec<_>, _>>()?;
        if rings.is_empty() {
            return Ok(Polygon::new(LineString::new(vec![]), vec![]));
        }
        let ext = rings.remove(0);
        Ok(Polygon::new(ext, rings))
    }
    fn geometry(&mut self) -> Result<Geometry<f64>, String> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("WKB nested too deeply".into());
        }
        let le = match self.take(1)?[0] {
            0 => false,
            1 => true,
            _ => return Err("bad WKB byte order".into()),
        };
        let raw = self.u32(le)?;
        // EWKB flags, then ISO thousands.
        let (mut z, mut m) = (raw & 0x8000_0000 != 0, raw & 0x4000_0000 != 0);
        if raw & 0x2000_0000 != 0 {
            self.u32(le)?; // EWKB SRID
        }
        let mut t = raw & 0x0FFF_FFFF;
        match t / 1000 {
            1 => z = true,
            2 => m = true,
            3 => {
                z = true;
                m = true;
            }
            _ => {}
        }
        t %= 1000;
        let dims = 2 + z as usize + m as usize;
        let g = match t {
            1 => Geometry::Point(Point(self.coord(le, dims)?)),
            2 => Geometry::LineString(self.line(le, dims)?),
            3 => Geometry::Polygon(self.polygon(le, dims)?),
            4..=7 => {
                let n = self.count(le, 5)?;
                let parts = (0..n).map(|_| self.geometry()).collect::<Result<Vec<_>, _>>()?;
                match t {
                    4 => Geometry::MultiPoint(MultiPoint::new(
                        parts
                            .into_iter()
                            .filter_map(|g| if let Geometry::Point(p) = g { Some(p) } else { None })
                            .collect(),
                    )),
                    5 => Geometry::MultiLineString(MultiLineString::new(
                        parts
                            .into_iter()
                            .filter_map(|g| if let Geometry::LineString(l) = g { Some(l) } else { None })
                            .collect(),
                    )),
                    6 => Geometry::MultiPolygon(MultiPolygon::new(
                        parts
                            .into_iter()
                            .filter_map(|g| if let Geometry::Polygon(p) = g { Some(p) } else { None })
                            .collect(),
                    )),
                    _ => Geometry::GeometryCollection(GeometryCollection::new_from(parts)),
                }
            }
            other => return Err(format!("WKB geometry type {other} is not supported")),
        };
        self.depth -= 1;
        Ok(g)
    }
}

/// Reads a WKB geometry.
pub fn read(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    Reader { b: bytes, pos: 0, depth: 0 }.geometry()
}

/// A GeoPackage geometry blob: the `GP` header with an XY envelope, then WKB.
pub fn gpkg_blob(g: &Geometry<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0); // version
    let env = envelope(g);
    let flags: u8 = 1 | if env.is_some() { 1 << 1 } else { 1 << 4 };
    out.push(flags);
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(e) = env {
        for v in e {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    write(&mut out, g);
    out
}

/// Reads a GeoPackage geometry blob.
pub fn read_gpkg_blob(b: &[u8]) -> Result<Geometry<f64>, String> {
    read(gpkg_wkb(b)?)
}

/// The WKB inside a GeoPackage geometry blob (after its header and envelope).
pub fn gpkg_wkb(b: &[u8]) -> Result<&[u8], String> {
    if b.len() < 8 || &b[0..2] != b"GP" {
        return Err("not a GeoPackage geometry".into());
    }
    let flags = b[3];
    let env_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        _ => return Err("bad GeoPackage envelope".into()),
    };
    let start = 8 + env_len;
    b.get(start..).ok_or_else(|| "GeoPackage geometry ends early".into())
}

/// PostGIS's extended WKB of a WKB geometry: the same bytes with the SRID
/// after the outer geometry's type (flag `0x20000000`), as `geometry_recv` takes it.
pub fn ewkb(wkb: &[u8], srid: i32) -> Result<Vec<u8>, String> {
    let (&order, rest) = wkb.split_first().ok_or("empty WKB")?;
    let ty: [u8; 4] = rest.get(..4).and_then(|t| t.try_into().ok()).ok_or("WKB ends early")?;
    let little = match order {
        1 => true,
        0 => false,
        o => return Err(format!("bad WKB byte order {o}")),
    };
    let ty = if little { u32::from_le_bytes(ty) } else { u32::from_be_bytes(ty) } | 0x2000_0000;
    let mut out = Vec::with_capacity(wkb.len() + 4);
    out.push(order);
    if little {
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&srid.to_le_bytes());
    } else {
        out.extend_from_slice(&ty.to_be_bytes());
        out.extend_from_slice(&srid.to_be_bytes());
    }
    out.extend_from_slice(&rest[4..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon};

    #[test]
    fn geometries_survive_wkb_and_gpkg_blobs() {
        let geoms: Vec<Geometry<f64>> = vec![
            point!(x: 116.45, y: 39.88).into(),
            line_string![(x: 1.0, y: 2.0), (x: 3.0, y: 4.0)].into(),
            polygon!(
                exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0)],
                interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0)]],
            )
            .into(),
            MultiPolygon::new(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)]]).into(),
            Geometry::GeometryCollection(GeometryCollection::new_from(vec![point!(x: 1.0, y: 1.0).into()])),
        ];
        for g in geoms {
            assert_eq!(read_gpkg_blob(&gpkg_blob(&g, 4326)).expect("reads"), g);
        }
    }

    #[test]
    fn big_endian_and_z_coordinates_are_read() {
        // Big-endian ISO Point Z (1001).
        let mut b = vec![0u8];
        b.extend_from_slice(&1001u32.to_be_bytes());
        for v in [116.0f64, 39.0, 50.0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(read(&b).expect("reads"), Geometry::Point(point!(x: 116.0, y: 39.0)));
    }

    #[test]
    fn corrupt_blobs_are_errors_not_panics() {
        assert!(read(&[]).is_err());
        assert!(read(&[1, 3, 0, 0, 0, 255, 255, 255, 255]).is_err(), "an absurd ring count");
        assert!(read_gpkg_blob(b"GP\\0").is_err());
        let mut deep = Vec::new();
        for _ in 0..100 {
            deep.extend_from_slice(&[1, 7, 0, 0, 0, 1, 0, 0, 0]);
        }
        assert!(read(&deep).is_err());
    }
}
