//! A writer's photo as bylines and the front page's opinion block show it: a small square cut
//! around the picture's focal point, so a portrait taken wide still shows the face. Made once
//! when the photo is chosen (three small files, a few milliseconds), not by the variants job:
//! the profile shows it at once.

use std::path::Path;

use image::DynamicImage;
use image::imageops::FilterType;
use serde::{Deserialize, Serialize};

use super::variants::{Focus, crop_rect, encode, write_file};

/// The side of the portrait in CSS pixels; the WebP is also made at twice that for dense
/// screens.
pub const SIDE: u32 = 96;

/// A writer's portrait: the media library's image it was cut from and the keys of its squares.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Portrait {
    pub media_id: i64,
    /// WebP at [`SIDE`] and twice [`SIDE`] pixels, offered first.
    pub webp: String,
    pub webp_2x: String,
    /// JPEG (PNG when the photo is transparent) at [`SIDE`] pixels, for the rest.
    pub fallback: String,
}

/// Cuts the portrait squares of the image stored under `key`, around `focus`.
pub fn make(media_dir: &Path, key: &str, media_id: i64, focus: Focus) -> Result<Portrait, String> {
    let photo = super::variants::open(media_dir, key)?;
    let (left, top, width, height) = crop_rect(photo.width(), photo.height(), 1, 1, focus);
    let square = photo.crop_imm(left, top, width, height);
    let stem = key.rsplit_once('.').map(|(s, _)| s).unwrap_or(key);
    let webp_at = |side: u32| -> Result<String, String> {
        let small = square.resize_exact(side, side, FilterType::Lanczos3);
        let encoded = webp_bytes(&small);
        let key = format!("{stem}.p{side}.webp");
        write_file(media_dir, &key, &encoded)?;
        Ok(key)
    };
    let (webp, webp_2x) = (webp_at(SIDE)?, webp_at(SIDE * 2)?);
    let (bytes, extension) = encode(&square.resize_exact(SIDE, SIDE, FilterType::Lanczos3))?;
    let fallback = format!("{stem}.p{SIDE}.{extension}");
    write_file(media_dir, &fallback, &bytes)?;
    Ok(Portrait { media_id, webp, webp_2x, fallback })
}

fn webp_bytes(image: &DynamicImage) -> Vec<u8> {
    let (width, height) = (image.width(), image.height());
    let encoded = if image.color().has_alpha() {
        webp::Encoder::from_rgba(image.to_rgba8().as_raw(), width, height).encode(80.0)
    } else {
        webp::Encoder::from_rgb(image.to_rgb8().as_raw(), width, height).encode(80.0)
    };
    encoded.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_photo_becomes_squares_cut_around_its_focus() {
        let dir = std::env::temp_dir().join(format!("gazette-portraits-{}", std::process::id()));
        // A wide picture: dark on the left, light on the right; the focus on the right third.
        let mut wide = image::RgbImage::new(600, 200);
        for (x, _, pixel) in wide.enumerate_pixels_mut() {
            *pixel = if x < 300 { image::Rgb([20, 20, 20]) } else { image::Rgb([230, 230, 230]) };
        }
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(wide).write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
        let key = crate::media::store_bytes(&dir, &jpeg, "jpg").unwrap();
        let portrait = make(&dir, &key, 7, Focus { x: 85, y: 50 }).unwrap();
        assert_eq!(portrait.media_id, 7);
        for (file, side) in [(&portrait.webp, SIDE), (&portrait.webp_2x, SIDE * 2), (&portrait.fallback, SIDE)] {
            let image = image::open(dir.join(file)).unwrap().to_rgb8();
            assert_eq!(image.dimensions(), (side, side), "{file}");
            // Cut from the light right side, where the focus is.
            assert!(image.get_pixel(side / 2, side / 2).0[0] > 180, "{file}");
        }
        assert!(portrait.fallback.ends_with(".p96.jpg"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
