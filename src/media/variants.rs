//! Responsive variants of an image: 320, 480, 640, 960 and 1280 pixels wide (never wider than
//! the original), made by a job after upload, served under names derived from the original's.
//!
//! Opaque images become JPEG (quality 82), images with transparency PNG: every browser reads
//! them. Each width, the original's included, also gets a lossy WebP (quality 75, libwebp
//! through the `webp` crate: the pure-Rust encoder writes lossless WebP only, several times
//! larger for photographs), which pages offer first in a `<picture>` (on the demo's drawings a
//! quarter of the JPEG's size: docs/performance.md).

use std::io::Cursor;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};

/// The widths readers' screens ask for most: a phone of 360–414 px takes 480 at density 1
/// and 960 at density 2 (without them it takes 640 and 1280, a third more bytes).
pub const WIDTHS: [u32; 5] = [320, 480, 640, 960, 1280];

/// Pixels an image may have, width times height: a decompression bomb declares far more.
pub const MAX_PIXELS: u64 = 40_000_000;

/// One variant, as stored in `media.variants`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Variant {
    pub width: u32,
    pub key: String,
}

/// Where a picture's subject is, in percent from the left and from the top: crops keep it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Focus {
    pub x: u32,
    pub y: u32,
}

impl Default for Focus {
    fn default() -> Self {
        Focus { x: 50, y: 50 }
    }
}

/// The crops search engines ask an article's picture in (Google's article guidelines: 16:9,
/// 4:3 and 1:1), named by their ratio.
pub const CROPS: [(&str, u32, u32); 3] = [("16x9", 16, 9), ("4x3", 4, 3), ("1x1", 1, 1)];

/// The widest a crop is made: enough for a social card, and what the guidelines ask at least.
pub const CROP_WIDTH: u32 = 1200;

/// The largest `ratio_w`:`ratio_h` rectangle inside a `width` × `height` picture, as close to
/// centred on `focus` as the picture's edges allow: (left, top, width, height).
pub fn crop_rect(width: u32, height: u32, ratio_w: u32, ratio_h: u32, focus: Focus) -> (u32, u32, u32, u32) {
    let (w, h) = (u64::from(width), u64::from(height));
    let (cw, ch) = if w * u64::from(ratio_h) >= h * u64::from(ratio_w) {
        (h * u64::from(ratio_w) / u64::from(ratio_h), h)
    } else {
        (w, w * u64::from(ratio_h) / u64::from(ratio_w))
    };
    let place = |size: u64, span: u64, percent: u32| {
        let centre = size * u64::from(percent.min(100)) / 100;
        centre.saturating_sub(span / 2).min(size - span)
    };
    (place(w, cw, focus.x) as u32, place(h, ch, focus.y) as u32, cw.max(1) as u32, ch.max(1) as u32)
}

/// Whether a variant is one of the ratio crops (not a width of the whole picture).
pub fn is_crop(variant: &Variant) -> bool {
    CROPS.iter().any(|(name, _, _)| variant.key.contains(&format!(".r{name}.")))
}

/// The key of a variant of `key` ("ab/x.png", 320, "jpg" -> "ab/x.w320.jpg").
pub fn variant_key(key: &str, width: u32, extension: &str) -> String {
    let stem = key.rsplit_once('.').map(|(s, _)| s).unwrap_or(key);
    format!("{stem}.w{width}.{extension}")
}

/// Decoding limits that refuse decompression bombs before allocating for them.
pub fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    limits
}

/// The image stored under `key`, decoded within [`decode_limits`].
pub fn open(media_dir: &Path, key: &str) -> Result<DynamicImage, String> {
    let path = crate::media::path_of(media_dir, key).ok_or_else(|| format!("bad media key {key}"))?;
    let mut reader = ImageReader::open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?
        .with_guessed_format()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    reader.limits(decode_limits());
    reader.decode().map_err(|e| format!("cannot decode {}: {e}", path.display()))
}

/// Makes the variants of the file `key` under `media_dir`: the widths smallest first, their
/// WebP forms, then the ratio crops around `focus`.
pub fn make(media_dir: &Path, key: &str, focus: Focus) -> Result<Vec<Variant>, String> {
    let original = open(media_dir, key)?;
    let mut made = Vec::new();
    let mut webp = Vec::new();
    for width in WIDTHS {
        if width >= original.width() {
            break;
        }
        let height = ((u64::from(original.height()) * u64::from(width)) / u64::from(original.width())).max(1) as u32;
        let resized = original.resize_exact(width, height, FilterType::Lanczos3);
        let (bytes, extension) = encode(&resized)?;
        let variant_key = variant_key(key, width, extension);
        write_file(media_dir, &variant_key, &bytes)?;
        made.push(Variant { width, key: variant_key });
        webp.push(write_webp(media_dir, key, &resized)?);
    }
    webp.push(write_webp(media_dir, key, &original)?);
    made.extend(webp);
    for (name, ratio_w, ratio_h) in CROPS {
        let (left, top, width, height) = crop_rect(original.width(), original.height(), ratio_w, ratio_h, focus);
        let mut cropped = original.crop_imm(left, top, width, height);
        if width > CROP_WIDTH {
            let scaled_height = (u64::from(height) * u64::from(CROP_WIDTH) / u64::from(width)).max(1) as u32;
            cropped = cropped.resize_exact(CROP_WIDTH, scaled_height, FilterType::Lanczos3);
        }
        let (bytes, extension) = encode(&cropped)?;
        let stem = key.rsplit_once('.').map(|(s, _)| s).unwrap_or(key);
        let crop_key = format!("{stem}.r{name}.{extension}");
        write_file(media_dir, &crop_key, &bytes)?;
        made.push(Variant { width: cropped.width(), key: crop_key });
    }
    Ok(made)
}

/// The WebP form of `image` at its own width, written beside the original.
pub(crate) fn write_webp(media_dir: &Path, key: &str, image: &DynamicImage) -> Result<Variant, String> {
    let (width, height) = (image.width(), image.height());
    let encoded = if image.color().has_alpha() {
        webp::Encoder::from_rgba(image.to_rgba8().as_raw(), width, height).encode(WEBP_QUALITY)
    } else {
        webp::Encoder::from_rgb(image.to_rgb8().as_raw(), width, height).encode(WEBP_QUALITY)
    };
    let key = variant_key(key, width, "webp");
    write_file(media_dir, &key, &encoded)?;
    Ok(Variant { width, key })
}

/// libwebp's quality, 0–100: 75 is its own default and looks like JPEG at 82.
const WEBP_QUALITY: f32 = 75.0;

/// Whether a variant is a WebP one (pages offer those in their own `<source>`).
pub fn is_webp(variant: &Variant) -> bool {
    variant.key.ends_with(".webp")
}

pub(crate) fn encode(image: &DynamicImage) -> Result<(Vec<u8>, &'static str), String> {
    let mut out = Vec::new();
    if image.color().has_alpha() {
        image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|e| format!("cannot encode PNG: {e}"))?;
        Ok((out, "png"))
    } else {
        let rgb = image.to_rgb8();
        JpegEncoder::new_with_quality(&mut out, 82)
            .encode_image(&rgb)
            .map_err(|e| format!("cannot encode JPEG: {e}"))?;
        Ok((out, "jpg"))
    }
}

pub(crate) fn write_file(media_dir: &Path, key: &str, bytes: &[u8]) -> Result<(), String> {
    let path = crate::media::path_of(media_dir, key).ok_or_else(|| format!("bad media key {key}"))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let partial = crate::media::partial_path(&path);
    std::fs::write(&partial, bytes).map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    std::fs::rename(&partial, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_made_smaller_than_the_original_only() {
        let dir = std::env::temp_dir().join(format!("gazette-variants-{}", std::process::id()));
        let png = crate::demo::picture::png(1000, 500, [20, 60, 120], 1);
        let key = crate::media::store_bytes(&dir, &png, "png").unwrap();
        let variants = make(&dir, &key, Focus::default()).unwrap();
        let (crops, variants): (Vec<Variant>, Vec<Variant>) = variants.into_iter().partition(is_crop);
        assert_eq!(
            variants.iter().map(|v| v.width).collect::<Vec<_>>(),
            vec![320, 480, 640, 960, 320, 480, 640, 960, 1000]
        );
        // The three ratios, each read back at its ratio.
        assert_eq!(crops.len(), 3);
        for (crop, (name, ratio_w, ratio_h)) in crops.iter().zip(CROPS) {
            assert!(crop.key.ends_with(&format!(".r{name}.jpg")), "{}", crop.key);
            let image = image::open(dir.join(&crop.key)).unwrap();
            let (w, h) = (image.width(), image.height());
            assert!((w * ratio_h).abs_diff(h * ratio_w) <= ratio_w.max(ratio_h), "{name}: {w}x{h}");
        }
        let small = image::open(dir.join(&variants[0].key)).unwrap();
        assert_eq!((small.width(), small.height()), (320, 160));
        assert!(variants[0].key.ends_with(".w320.jpg"));
        // Each width has its WebP too, the original's included, and it decodes at that size.
        let webp: Vec<&Variant> = variants.iter().filter(|v| is_webp(v)).collect();
        assert_eq!(
            webp.iter().map(|v| v.key.rsplit('/').next().unwrap().split('.').nth(1).unwrap()).collect::<Vec<_>>(),
            ["w320", "w480", "w640", "w960", "w1000"]
        );
        let bytes = std::fs::read(dir.join(&webp[4].key)).unwrap();
        assert_eq!(image::guess_format(&bytes).unwrap(), image::ImageFormat::WebP);
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1000, 500));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn crops_keep_the_focus_in_view_and_stay_inside_the_picture() {
        // A wide picture cut square: the square follows the focus, stopped by the edges.
        assert_eq!(crop_rect(1000, 500, 1, 1, Focus { x: 50, y: 50 }), (250, 0, 500, 500));
        assert_eq!(crop_rect(1000, 500, 1, 1, Focus { x: 10, y: 50 }), (0, 0, 500, 500));
        assert_eq!(crop_rect(1000, 500, 1, 1, Focus { x: 70, y: 50 }), (450, 0, 500, 500));
        assert_eq!(crop_rect(1000, 500, 1, 1, Focus { x: 100, y: 0 }), (500, 0, 500, 500));
        // A tall picture cut 16:9: the band moves up and down.
        assert_eq!(crop_rect(900, 1600, 16, 9, Focus { x: 50, y: 20 }), (0, 67, 900, 506));
        assert_eq!(crop_rect(900, 1600, 16, 9, Focus { x: 50, y: 95 }), (0, 1094, 900, 506));
        // Out-of-range percentages are read as the edge.
        assert_eq!(crop_rect(1000, 500, 1, 1, Focus { x: 400, y: 50 }), (500, 0, 500, 500));
    }
}
