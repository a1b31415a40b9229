//! Compression of response bodies, shared by the page cache (level 6, at each render) and the
//! static assets (the strongest levels, once per start).

use std::io::Write;

/// `body` gzipped at `level` (0–9).
pub fn gzip_at(body: &[u8], level: u32) -> Vec<u8> {
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::new(level));
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// `body` compressed by brotli at `quality` (0–11).
pub fn brotli_at(body: &[u8], quality: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() / 3);
    let params = brotli::enc::BrotliEncoderParams { quality, lgwin: 22, ..Default::default() };
    let _ = brotli::BrotliCompress(&mut std::io::Cursor::new(body), &mut out, &params);
    out
}
