//! Square icons made from the paper's logo: the favicon, the home-screen icons of the web
//! manifest and the publisher's logo in search results all want a square, and a logo is
//! usually wide. The logo is fitted inside the square with a margin, on white.

use std::io::Cursor;
use std::path::Path;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};

/// The sizes browsers and phones ask for: Apple's touch icon, the manifest's two.
pub const SIZES: [u32; 3] = [180, 192, 512];

/// Part of the square the logo may fill, so it does not touch the edges of a rounded icon.
const FILL: f32 = 0.84;

/// Makes the icons of the logo stored under `key`; returns their keys, in the order of
/// [`SIZES`].
pub fn make(media_dir: &Path, key: &str) -> Result<Vec<String>, String> {
    let logo = super::variants::open(media_dir, key)?;
    SIZES
        .iter()
        .map(|&size| {
            let mut out = Vec::new();
            DynamicImage::ImageRgba8(square(&logo, size))
                .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .map_err(|e| format!("cannot encode an icon: {e}"))?;
            crate::media::store_bytes(media_dir, &out, "png").map_err(|e| format!("cannot write an icon: {e}"))
        })
        .collect()
}

/// `logo` fitted, centred, inside a white `size` × `size` square.
fn square(logo: &DynamicImage, size: u32) -> RgbaImage {
    let room = (size as f32 * FILL) as u32;
    let scale = (room as f32 / logo.width().max(1) as f32).min(room as f32 / logo.height().max(1) as f32);
    let (w, h) = (((logo.width() as f32 * scale) as u32).max(1), ((logo.height() as f32 * scale) as u32).max(1));
    let fitted = logo.resize_exact(w, h, FilterType::Lanczos3).to_rgba8();
    let mut canvas = RgbaImage::from_pixel(size, size, Rgba([255, 255, 255, 255]));
    image::imageops::overlay(&mut canvas, &fitted, i64::from((size - w) / 2), i64::from((size - h) / 2));
    canvas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_logo_becomes_square_icons_with_the_logo_centred() {
        let dir = std::env::temp_dir().join(format!("gazette-icons-{}", std::process::id()));
        let png = crate::demo::picture::png(600, 150, [160, 20, 30], 1);
        let key = crate::media::store_bytes(&dir, &png, "png").unwrap();
        let icons = make(&dir, &key).unwrap();
        assert_eq!(icons.len(), SIZES.len());
        for (icon, size) in icons.iter().zip(SIZES) {
            let image = image::open(dir.join(icon)).unwrap().to_rgba8();
            assert_eq!(image.dimensions(), (size, size));
            // White margins above and below the wide logo, the logo's colour in the middle.
            assert_eq!(image.get_pixel(size / 2, 2).0, [255, 255, 255, 255]);
            assert_ne!(image.get_pixel(size / 2, size / 2).0, [255, 255, 255, 255]);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
