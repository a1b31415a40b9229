//! Checking an uploaded image before anything is written: the type from the content (never
//! the name), a name that agrees with it, limits on size and pixels read from the header
//! before decoding (a decompression bomb declares billions of pixels), a full decode (a
//! truncated file fails), no bytes after the image's end and no markup or archive inside (a
//! polyglot), then metadata removed (EXIF carries the place a photo was taken).

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

use super::variants::{MAX_PIXELS, decode_limits};

/// Why an upload was refused; each has a message key the newsroom translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge { max_mb: u64 },
    NotAnImage,
    WrongExtension { actual: &'static str },
    TooManyPixels,
    Damaged,
    HiddenContent,
}

impl Refusal {
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::Empty => "newsroom.media.error.empty",
            Refusal::TooLarge { .. } => "newsroom.media.error.too_large",
            Refusal::NotAnImage => "newsroom.media.error.not_image",
            Refusal::WrongExtension { .. } => "newsroom.media.error.extension",
            Refusal::TooManyPixels => "newsroom.media.error.pixels",
            Refusal::Damaged => "newsroom.media.error.damaged",
            Refusal::HiddenContent => "newsroom.media.error.hidden",
        }
    }
}

/// An image that passed every check, ready to store.
#[derive(Debug)]
pub struct CheckedImage {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
}

fn kind(format: ImageFormat) -> Option<(&'static str, &'static str, &'static [&'static str])> {
    match format {
        ImageFormat::Jpeg => Some(("image/jpeg", "jpg", &["jpg", "jpeg", "jpe"])),
        ImageFormat::Png => Some(("image/png", "png", &["png"])),
        ImageFormat::WebP => Some(("image/webp", "webp", &["webp"])),
        ImageFormat::Gif => Some(("image/gif", "gif", &["gif"])),
        _ => None,
    }
}

/// Runs every check on an upload named `name`.
pub fn check(bytes: &[u8], name: &str, max_bytes: u64) -> Result<CheckedImage, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(Refusal::TooLarge { max_mb: max_bytes / (1024 * 1024) });
    }
    let format = image::guess_format(bytes).map_err(|_| Refusal::NotAnImage)?;
    let (mime, extension, accepted) = kind(format).ok_or(Refusal::NotAnImage)?;
    let given = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if !accepted.contains(&given.as_str()) {
        return Err(Refusal::WrongExtension { actual: extension });
    }
    // The header's dimensions first, without the decoding limits: a decompression bomb (a
    // small file declaring billions of pixels) is told apart from a damaged file, and refused
    // before anything is decoded.
    let mut header = ImageReader::with_format(Cursor::new(bytes), format);
    header.no_limits();
    let (width, height) = header.into_dimensions().map_err(|_| Refusal::Damaged)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width == 0 || height == 0 {
        return Err(Refusal::TooManyPixels);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits());
    reader.decode().map_err(|_| Refusal::Damaged)?;
    if has_trailing_data(bytes, format) || has_markup(bytes) {
        return Err(Refusal::HiddenContent);
    }
    let bytes = strip_metadata(bytes, format);
    Ok(CheckedImage { bytes, mime, extension, width, height })
}

/// True when bytes follow the format's end marker: room for a second file.
fn has_trailing_data(bytes: &[u8], format: ImageFormat) -> bool {
    match format {
        // The last EOI (FF D9) must end the file, allowing a little padding.
        ImageFormat::Jpeg => match bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]) {
            Some(end) => bytes[end + 2..].iter().any(|b| *b != 0) && bytes.len() - (end + 2) > 16,
            None => true,
        },
        ImageFormat::Png => match find(bytes, b"IEND") {
            Some(pos) => bytes.len() > pos + 8,
            None => true,
        },
        ImageFormat::Gif => bytes.last() != Some(&0x3B) && bytes.iter().rev().take(16).all(|b| *b != 0x3B),
        ImageFormat::WebP => {
            let declared = bytes.get(4..8).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize + 8);
            declared.is_none_or(|size| bytes.len() > size + 1)
        }
        _ => false,
    }
}

/// Markup, scripts or archives where pixels should be.
/// Markers are compared without regard to case (`<ScRiPt` is a script to a browser); they are
/// long enough that compressed pixels do not spell one by chance.
fn has_markup(bytes: &[u8]) -> bool {
    const MARKERS: [&[u8]; 10] = [
        b"<script",
        b"<html",
        b"<?php",
        b"<svg",
        b"<!doctype",
        b"<iframe",
        b"<object",
        b"javascript:",
        b"onerror=",
        b"onload=",
    ];
    MARKERS.iter().any(|m| find_ignoring_case(bytes, m).is_some()) || find(bytes, b"PK\x03\x04").is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ignoring_case(haystack: &[u8], lowercase_needle: &[u8]) -> Option<usize> {
    haystack.windows(lowercase_needle.len()).position(|w| w.eq_ignore_ascii_case(lowercase_needle))
}

/// Removes EXIF, XMP, comments and text chunks; pixels are untouched.
pub fn strip_metadata(bytes: &[u8], format: ImageFormat) -> Vec<u8> {
    match format {
        ImageFormat::Jpeg => strip_jpeg(bytes).unwrap_or_else(|| bytes.to_vec()),
        ImageFormat::Png => strip_png(bytes).unwrap_or_else(|| bytes.to_vec()),
        ImageFormat::WebP => strip_webp(bytes).unwrap_or_else(|| bytes.to_vec()),
        _ => bytes.to_vec(),
    }
}

/// Drops APP1 (EXIF, XMP), APP13 (IPTC) and COM segments before the scan data.
fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut out = vec![0xFF, 0xD8];
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xDA {
            // Start of scan: the rest is image data.
            out.extend_from_slice(&bytes[i..]);
            return Some(out);
        }
        let length = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let end = i + 2 + length;
        if end > bytes.len() || length < 2 {
            return None;
        }
        if !matches!(marker, 0xE1 | 0xED | 0xFE) {
            out.extend_from_slice(&bytes[i..end]);
        }
        i = end;
    }
    None
}

/// Drops eXIf, tEXt, zTXt, iTXt and tIME chunks.
fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(0..8)? != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let mut out = bytes[0..8].to_vec();
    let mut i = 8;
    while i + 12 <= bytes.len() {
        let length = u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
        let kind = &bytes[i + 4..i + 8];
        let end = i + 12 + length;
        if end > bytes.len() {
            return None;
        }
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(&bytes[i..end]);
        }
        if kind == b"IEND" {
            return Some(out);
        }
        i = end;
    }
    None
}

/// Drops EXIF and XMP chunks of an extended WebP and clears their flags.
fn strip_webp(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(0..4)? != b"RIFF" || bytes.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut chunks = Vec::new();
    let mut i = 12;
    while i + 8 <= bytes.len() {
        let kind = &bytes[i..i + 4];
        let size = u32::from_le_bytes([bytes[i + 4], bytes[i + 5], bytes[i + 6], bytes[i + 7]]) as usize;
        let end = i + 8 + size + (size & 1);
        if end > bytes.len() + 1 {
            return None;
        }
        let end = end.min(bytes.len());
        if kind != b"EXIF" && kind != b"XMP " {
            let mut chunk = bytes[i..end].to_vec();
            if kind == b"VP8X" && chunk.len() > 8 {
                // Flags: bit 3 EXIF, bit 2 XMP.
                chunk[8] &= !0b0000_1100;
            }
            chunks.push(chunk);
        }
        i = end;
    }
    let body: Vec<u8> = chunks.concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((body.len() + 4) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        crate::demo::picture::png(64, 48, [10, 90, 40], 5)
    }

    fn jpeg_with_exif() -> Vec<u8> {
        let image = image::RgbImage::from_pixel(32, 16, image::Rgb([200, 10, 10]));
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 80).encode_image(&image).unwrap();
        // Insert an APP1 EXIF segment with a fake GPS tag after SOI.
        let exif = b"Exif\0\0GPSLatitude=33.5731N";
        let mut with = vec![0xFF, 0xD8, 0xFF, 0xE1];
        with.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        with.extend_from_slice(exif);
        with.extend_from_slice(&plain[2..]);
        with
    }

    #[test]
    fn a_good_image_passes_and_loses_its_exif() {
        let jpeg = jpeg_with_exif();
        let checked = check(&jpeg, "photo.JPG", 10 << 20).unwrap();
        assert_eq!((checked.mime, checked.width, checked.height), ("image/jpeg", 32, 16));
        assert!(find(&jpeg, b"GPSLatitude").is_some());
        assert!(find(&checked.bytes, b"GPSLatitude").is_none(), "EXIF removed");
        assert!(image::load_from_memory(&checked.bytes).is_ok(), "still a valid image");
        assert!(check(&png(), "carte.png", 10 << 20).is_ok());
    }

    #[test]
    fn bad_uploads_are_refused_with_a_reason() {
        assert_eq!(check(b"", "a.png", 1000).unwrap_err(), Refusal::Empty);
        assert_eq!(check(&png(), "a.png", 10).unwrap_err(), Refusal::TooLarge { max_mb: 0 });
        assert_eq!(check(b"<svg onload=alert(1)>", "a.svg", 1000).unwrap_err(), Refusal::NotAnImage);
        assert_eq!(check(&png(), "photo.jpg", 10 << 20).unwrap_err(), Refusal::WrongExtension { actual: "png" });
        let truncated = &png()[..60];
        assert_eq!(check(truncated, "a.png", 10 << 20).unwrap_err(), Refusal::Damaged);
        let mut polyglot = png();
        polyglot.extend_from_slice(b"<script>alert(1)</script>");
        assert_eq!(check(&polyglot, "a.png", 10 << 20).unwrap_err(), Refusal::HiddenContent);
        for hidden in [&b"<ScRiPt>alert(1)</ScRiPt>"[..], b"<SVG onload=alert(1)>", b"<IFRAME src=x>"] {
            let mut polyglot = png();
            polyglot.extend_from_slice(hidden);
            assert_eq!(check(&polyglot, "a.png", 10 << 20).unwrap_err(), Refusal::HiddenContent, "{hidden:?}");
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A PNG header that declares 60000 x 60000 pixels, with almost no data.
        let mut bomb = crate::demo::picture::png(1, 1, [0, 0, 0], 1);
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let error = check(&bomb, "bomb.png", 10 << 20).unwrap_err();
        assert!(matches!(error, Refusal::TooManyPixels | Refusal::Damaged), "{error:?}");
    }
}
