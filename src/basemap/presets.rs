//! Ready-made basemaps: OpenStreetMap and 天地图 (Tianditu, the national
//! map service: CGCS2000, which lines up with WGS 84 at map scale, so no
//! shift), each with the credit its terms ask for. A 天地图 preset is two
//! basemaps, the map and its label layer above it, and needs the user's key
//! (`{key}`, kept in the settings under `tianditu`, never in a plan).

use crate::model::basemaps::Basemap;

/// A ready-made basemap.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// Bottom to top.
    pub basemaps: Vec<Basemap>,
    /// The service whose key the preset needs (`Settings::keys`), if any.
    pub needs_key: Option<&'static str>,
}

pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";
pub const TIANDITU_ATTRIBUTION: &str = "© 天地图 (国家地理信息公共服务平台)";

/// A 天地图 WMTS layer (`vec_w`, `cva_w`, `img_w`, `cia_w`: Web Mercator) from hosts t0–t7.
fn tianditu(layer: &str) -> String {
    let short = layer.trim_end_matches("_w");
    format!(
        "https://t{{s:01234567}}.tianditu.gov.cn/{layer}/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0\
         &LAYER={short}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{key}}"
    )
}

fn basemap(name: &str, source: String, attribution: &str) -> Basemap {
    Basemap { name: name.to_string(), attribution: Some(attribution.to_string()), ..Basemap::new(source) }
}

/// The presets, in the order a menu lists them.
pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            id: "osm",
            name_zh: "OpenStreetMap 标准地图",
            name_en: "OpenStreetMap standard",
            basemaps: vec![basemap(
                "OpenStreetMap",
                "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
                OSM_ATTRIBUTION,
            )],
            needs_key: None,
        },
        Preset {
            id: "tianditu-vec",
            name_zh: "天地图 矢量",
            name_en: "Tianditu map",
            basemaps: vec![
                basemap("天地图 矢量", tianditu("vec_w"), TIANDITU_ATTRIBUTION),
                basemap("天地图 矢量注记", tianditu("cva_w"), TIANDITU_ATTRIBUTION),
            ],
            needs_key: Some("tianditu"),
        },
        Preset {
            id: "tianditu-img",
            name_zh: "天地图 影像",
            name_en: "Tianditu imagery",
            basemaps: vec![
                basemap("天地图 影像", tianditu("img_w"), TIANDITU_ATTRIBUTION),
                basemap("天地图 影像注记", tianditu("cia_w"), TIANDITU_ATTRIBUTION),
            ],
            needs_key: Some("tianditu"),
        },
    ]
}

/// The preset with this id.
pub fn preset(id: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basemap::{BasemapError, Settings, xyz};
    use crate::model::basemaps::SourceKind;

    #[test]
    fn presets_are_tile_templates_with_credits_and_tianditu_asks_for_its_key() {
        let all = presets();
        assert_eq!(all.iter().map(|p| p.id).collect::<Vec<_>>(), ["osm", "tianditu-vec", "tianditu-img"]);
        for p in &all {
            assert!(!p.basemaps.is_empty());
            for b in &p.basemaps {
                assert_eq!(b.kind(), SourceKind::Xyz, "{}", b.source);
                assert!(b.attribution.is_some());
                assert_eq!(b.source.contains("{key}"), p.needs_key.is_some(), "{}", b.source);
                if let Some(service) = p.needs_key {
                    assert_eq!(xyz::service(&b.source), service);
                }
            }
        }
        let vec = preset("tianditu-vec").expect("preset");
        assert!(vec.basemaps[0].source.contains("/vec_w/") && vec.basemaps[1].source.contains("/cva_w/"));
        let img = preset("TIANDITU-IMG").expect("preset");
        assert!(img.basemaps[0].source.contains("LAYER=img&") && img.basemaps[1].source.contains("LAYER=cia&"));
        let no_key = Settings::default();
        assert_eq!(
            xyz::Xyz::open(&img.basemaps[0].source, &no_key, None).err(),
            Some(BasemapError::NeedsKey("tianditu".into()))
        );
        let url = xyz::expand(&img.basemaps[0].source, 16, 53970, 24823, &["3".to_string()], Some("k"));
        assert!(
            url.starts_with("https://t3.tianditu.gov.cn/img_w/wmts?")
                && url.ends_with("TILEROW=24823&TILECOL=53970&tk=k"),
            "{url}"
        );
    }
}
