//! Responsive variants of an image: 320, 640 and 1280 pixels wide (never wider than the
//! original), made by a job after upload, served under names derived from the original's.
//!
//! Opaque images become JPEG (quality 82), images with transparency PNG: every browser reads
//! them. Each width, the original's included, also gets a lossy WebP (quality 75, libwebp
//! through the `webp` crate: the pure-Rust encoder writes lossless WebP only, several times
//! larger for photographs), which pages offer first in a `<picture>`; it is a third smaller
//! than the JPEG on the demo's pictures and photographs alike.

use std::io::Cursor;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};

/// The widths readers' screens ask for most.
pub const WIDTHS: [u32; 3] = [320, 640, 1280];

/// Pixels an image may have, width times height: a decompression bomb declares far more.
pub const MAX_PIXELS: u64 = 40_000_000;

/// One variant, as stored in `media.variants`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Variant {
    pub width: u32,
    pub key: String,
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

/// Makes the variants of the file `key` under `media_dir`; returns them, smallest first.
pub fn make(media_dir: &Path, key: &str) -> Result<Vec<Variant>, String> {
    let path = crate::media::path_of(media_dir, key).ok_or_else(|| format!("bad media key {key}"))?;
    let mut reader = ImageReader::open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?
        .with_guessed_format()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    reader.limits(decode_limits());
    let original = reader.decode().map_err(|e| format!("cannot decode {}: {e}", path.display()))?;
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
    Ok(made)
}

/// The WebP form of `image` at its own width, written beside the original.
fn write_webp(media_dir: &Path, key: &str, image: &DynamicImage) -> Result<Variant, String> {
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

fn encode(image: &DynamicImage) -> Result<(Vec<u8>, &'static str), String> {
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

fn write_file(media_dir: &Path, key: &str, bytes: &[u8]) -> Result<(), String> {
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
        let variants = make(&dir, &key).unwrap();
        assert_eq!(variants.iter().map(|v| v.width).collect::<Vec<_>>(), vec![320, 640, 320, 640, 1000]);
        let small = image::open(dir.join(&variants[0].key)).unwrap();
        assert_eq!((small.width(), small.height()), (320, 160));
        assert!(variants[0].key.ends_with(".w320.jpg"));
        // Each width has its WebP too, the original's included, and it decodes at that size.
        let webp: Vec<&Variant> = variants.iter().filter(|v| is_webp(v)).collect();
        assert_eq!(
            webp.iter().map(|v| v.key.rsplit('/').next().unwrap().split('.').nth(1).unwrap()).collect::<Vec<_>>(),
            ["w320", "w640", "w1000"]
        );
        let bytes = std::fs::read(dir.join(&webp[2].key)).unwrap();
        assert_eq!(image::guess_format(&bytes).unwrap(), image::ImageFormat::WebP);
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1000, 500));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
