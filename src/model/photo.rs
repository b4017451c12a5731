//! Before and after photos of an item, kept inside the plan. Photos are
//! downscaled on import so a plan with many stays small enough to e-mail;
//! the original size is recorded.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Which side of the comparison a photo shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Before,
    After,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Before => "before",
            Side::After => "after",
        }
    }
}

/// A photo attached to an item.
#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    /// Unique in the plan.
    pub id: String,
    /// The item it belongs to.
    pub item: String,
    pub side: Side,
    /// The file name it was imported from.
    pub name: String,
    /// Size as stored.
    pub width: u32,
    pub height: u32,
    /// Size of the original file.
    pub original_width: u32,
    pub original_height: u32,
    /// JPEG bytes (shared: plan copies do not copy photos).
    pub jpeg: Arc<Vec<u8>>,
}

/// The longest side a stored photo keeps, in pixels.
pub const MAX_SIDE: u32 = 1600;

/// Why a photo could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("cannot read the photo: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a JPEG or PNG photo: {0}")]
    Decode(String),
}

/// Imports a JPEG or PNG: decoded, downscaled to [`MAX_SIDE`], stored as JPEG.
pub fn import(bytes: &[u8], id: String, item: String, side: Side, name: String) -> Result<Photo, PhotoError> {
    let img = image::load_from_memory(bytes).map_err(|e| PhotoError::Decode(e.to_string()))?;
    let (ow, oh) = (img.width(), img.height());
    let img =
        if ow.max(oh) > MAX_SIDE { img.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle) } else { img };
    let rgb = img.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&rgb)
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    Ok(Photo {
        id,
        item,
        side,
        name,
        width: rgb.width(),
        height: rgb.height(),
        original_width: ow,
        original_height: oh,
        jpeg: Arc::new(jpeg),
    })
}

/// Decodes a stored photo to RGBA pixels, downscaled to fit `max_side`.
pub fn decode_rgba(photo: &Photo, max_side: u32) -> Option<(u32, u32, Vec<u8>)> {
    let img = image::load_from_memory(&photo.jpeg).ok()?;
    let img = if img.width().max(img.height()) > max_side { img.thumbnail(max_side, max_side) } else { img };
    let rgba = img.to_rgba8();
    Some((rgba.width(), rgba.height(), rgba.into_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).expect("png");
        out.into_inner()
    }

    #[test]
    fn a_large_photo_is_downscaled_and_its_original_size_recorded() {
        let p =
            import(&png(3200, 2400), "ph-1".into(), "it-1".into(), Side::Before, "shed.png".into()).expect("imports");
        assert_eq!((p.original_width, p.original_height), (3200, 2400));
        assert_eq!((p.width, p.height), (1600, 1200));
        assert!(p.jpeg.starts_with(&[0xFF, 0xD8]), "stored as JPEG");
        let (w, h, px) = decode_rgba(&p, 256).expect("decodes");
        assert_eq!((w, h), (256, 192));
        assert_eq!(px.len(), (256 * 192 * 4) as usize);
    }

    #[test]
    fn a_file_that_is_not_a_photo_is_refused() {
        assert!(import(b"hello", "ph".into(), "it".into(), Side::After, "x.jpg".into()).is_err());
    }
}
