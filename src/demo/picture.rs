//! Generated pictures for the demo: a gradient in a section's colours with a few discs, as a
//! PNG made here (a PNG is a zlib stream of filtered rows with CRC-checked chunks).

use std::io::Write as _;

use flate2::Compression;
use flate2::write::ZlibEncoder;

/// An RGB picture of `width` × `height`, varied by `seed`, as PNG bytes.
pub fn png(width: u32, height: u32, base: [u8; 3], seed: u32) -> Vec<u8> {
    let discs: Vec<(f32, f32, f32, [u8; 3])> = (0..4)
        .map(|i| {
            let r = lcg(seed.wrapping_add(i * 7919));
            let x = (r % width) as f32;
            let y = (lcg(r) % height) as f32;
            let radius = (height as f32) * (0.12 + (lcg(r ^ 0x5bd1) % 30) as f32 / 100.0);
            let tint = [base[0].saturating_add(60), base[1].saturating_add(40), base[2].saturating_add(20)];
            (x, y, radius, tint)
        })
        .collect();
    let mut raw = Vec::with_capacity(((width * 3 + 1) * height) as usize);
    for y in 0..height {
        // Filter type 0 (none): the gradient compresses well enough for a demo.
        raw.push(0);
        for x in 0..width {
            let t = (x + y) as f32 / (width + height) as f32;
            let mut px = [
                (f32::from(base[0]) * (0.55 + 0.45 * t)) as u8,
                (f32::from(base[1]) * (0.55 + 0.45 * t)) as u8,
                (f32::from(base[2]) * (0.55 + 0.45 * t)) as u8,
            ];
            for (cx, cy, r, tint) in &discs {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                if dx * dx + dy * dy < r * r {
                    px = *tint;
                }
            }
            raw.extend_from_slice(&px);
        }
    }
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    let _ = encoder.write_all(&raw);
    let compressed = encoder.finish().unwrap_or_default();

    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, no interlace
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &compressed);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc32::default();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finish().to_be_bytes());
}

/// CRC-32 (IEEE), as PNG chunks need.
#[derive(Default)]
struct Crc32 {
    value: u32,
}

impl Crc32 {
    fn update(&mut self, bytes: &[u8]) {
        let mut c = !self.value;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        self.value = !c;
    }

    fn finish(&self) -> u32 {
        self.value
    }
}

/// A small deterministic pseudo-random step.
pub fn lcg(x: u32) -> u32 {
    x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_standard_check_value() {
        let mut crc = Crc32::default();
        crc.update(b"123456789");
        assert_eq!(crc.finish(), 0xCBF4_3926);
    }

    #[test]
    fn picture_is_a_png_of_the_asked_size() {
        let bytes = png(64, 36, [30, 90, 160], 3);
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]), 64);
        assert_eq!(u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]), 36);
    }
}
