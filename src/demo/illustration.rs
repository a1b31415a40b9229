//! Editorial illustrations for the demo, drawn with tiny-skia: a flat scene per kind of section
//! (a city with its tramway, a parliament, a chart, a globe, zellige under an arch, a stadium,
//! quotation marks, an interview's speech bubbles) in the section's colours, varied by a seed.
//! They stand in for the photographs a paper would publish, so that the theme is judged on
//! pictures that look like pictures.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use tiny_skia::{
    Color, FillRule, GradientStop, LinearGradient, Mask, Paint, Path, PathBuilder, Pixmap, Point, Rect, SpreadMode,
    Stroke, Transform,
};

use super::picture::lcg;

/// What a picture shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scene {
    City,
    Parliament,
    Chart,
    Globe,
    Zellige,
    Stadium,
    Quote,
    Interview,
    /// A columnist's portrait, drawn as papers draw their writers (flat, head and shoulders).
    Portrait,
}

impl Scene {
    /// The scene for a section of the demo, by its slug.
    pub fn for_section(slug: &str) -> Scene {
        match slug {
            "actualite" => Scene::City,
            "politique" => Scene::Parliament,
            "economie" => Scene::Chart,
            "monde" => Scene::Globe,
            "culture" => Scene::Zellige,
            "sport" | "football" => Scene::Stadium,
            "entretien" => Scene::Interview,
            _ => Scene::Quote,
        }
    }
}

impl Scene {
    /// The picture's text alternative, as `lang`'s edition writes it.
    pub fn describe(self, lang: crate::news::Lang) -> &'static str {
        use crate::news::Lang::{Ar, En, Fr};
        match (self, lang) {
            (Scene::City, Fr) => "Illustration : une ville au couchant et son tramway",
            (Scene::City, Ar) => "رسم توضيحي: مدينة عند الغروب وخط الترامواي",
            (Scene::City, En) => "Illustration: a city at sunset and its tramway",
            (Scene::Parliament, Fr) => "Illustration : la façade à colonnes d'un parlement entre deux palmiers",
            (Scene::Parliament, Ar) => "رسم توضيحي: واجهة برلمان بأعمدة بين نخلتين",
            (Scene::Parliament, En) => "Illustration: a parliament's columned front between two palm trees",
            (Scene::Chart, Fr) => "Illustration : un graphique en barres et sa courbe en hausse",
            (Scene::Chart, Ar) => "رسم توضيحي: رسم بياني بالأعمدة ومنحنى صاعد",
            (Scene::Chart, En) => "Illustration: a bar chart and its rising curve",
            (Scene::Globe, Fr) => "Illustration : le globe terrestre et une orbite",
            (Scene::Globe, Ar) => "رسم توضيحي: الكرة الأرضية ومدار حولها",
            (Scene::Globe, En) => "Illustration: the globe and an orbit around it",
            (Scene::Zellige, Fr) => "Illustration : un mur de zellige vu par une arche",
            (Scene::Zellige, Ar) => "رسم توضيحي: جدار من الزليج يُرى من خلال قوس",
            (Scene::Zellige, En) => "Illustration: a zellige wall seen through an arch",
            (Scene::Stadium, Fr) => "Illustration : un terrain de football, son public et le ballon",
            (Scene::Stadium, Ar) => "رسم توضيحي: ملعب كرة قدم وجمهوره والكرة",
            (Scene::Stadium, En) => "Illustration: a football pitch, its crowd and the ball",
            (Scene::Quote, Fr) => "Illustration : des guillemets, une page écrite et une plume",
            (Scene::Quote, Ar) => "رسم توضيحي: علامتا تنصيص وصفحة مكتوبة وقلم",
            (Scene::Quote, En) => "Illustration: quotation marks, a written page and a pen",
            (Scene::Interview, Fr) => "Illustration : deux bulles de dialogue et un micro",
            (Scene::Interview, Ar) => "رسم توضيحي: فقاعتا حوار وميكروفون",
            (Scene::Interview, En) => "Illustration: two speech bubbles and a microphone",
            (Scene::Portrait, Fr) => "Portrait dessiné du chroniqueur",
            (Scene::Portrait, Ar) => "صورة مرسومة لكاتب العمود",
            (Scene::Portrait, En) => "Drawn portrait of the columnist",
        }
    }
}

/// Colours derived from a section's base colour.
struct Palette {
    base: [u8; 3],
    light: [u8; 3],
    pale: [u8; 3],
    dark: [u8; 3],
    sun: [u8; 3],
    paper: [u8; 3],
}

impl Palette {
    fn from(base: [u8; 3]) -> Palette {
        Palette {
            base,
            light: mix(base, [255, 255, 255], 0.45),
            pale: mix(base, [255, 255, 255], 0.8),
            dark: mix(base, [10, 12, 20], 0.55),
            sun: [242, 179, 61],
            paper: [246, 242, 233],
        }
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let m = |x: u8, y: u8| (f32::from(x) * (1.0 - t) + f32::from(y) * t).round() as u8;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])]
}

fn paint(rgb: [u8; 3]) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(rgb[0], rgb[1], rgb[2], 255);
    paint.anti_alias = true;
    paint
}

fn translucent(rgb: [u8; 3], alpha: u8) -> Paint<'static> {
    let mut paint = paint(rgb);
    paint.set_color_rgba8(rgb[0], rgb[1], rgb[2], alpha);
    paint
}

fn vertical_gradient(top: [u8; 3], bottom: [u8; 3], y0: f32, y1: f32) -> Paint<'static> {
    let mut paint = Paint::default();
    let colour = |c: [u8; 3]| Color::from_rgba8(c[0], c[1], c[2], 255);
    if let Some(shader) = LinearGradient::new(
        Point::from_xy(0.0, y0),
        Point::from_xy(0.0, y1),
        vec![GradientStop::new(0.0, colour(top)), GradientStop::new(1.0, colour(bottom))],
        SpreadMode::Pad,
        Transform::identity(),
    ) {
        paint.shader = shader;
    }
    paint.anti_alias = true;
    paint
}

/// A deterministic stream of numbers in 0..1 for one picture.
struct Dice(u32);

impl Dice {
    fn next(&mut self) -> f32 {
        self.0 = lcg(self.0);
        (self.0 % 10_000) as f32 / 10_000.0
    }

    fn between(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.next()
    }
}

struct Canvas {
    pixmap: Pixmap,
    w: f32,
    h: f32,
}

impl Canvas {
    fn fill(&mut self, path: Option<Path>, paint: &Paint) {
        if let Some(path) = path {
            self.pixmap.fill_path(&path, paint, FillRule::Winding, Transform::identity(), None);
        }
    }

    fn fill_masked(&mut self, path: Option<Path>, paint: &Paint, mask: &Mask) {
        if let Some(path) = path {
            self.pixmap.fill_path(&path, paint, FillRule::Winding, Transform::identity(), Some(mask));
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, paint: &Paint) {
        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
            self.pixmap.fill_rect(rect, paint, Transform::identity(), None);
        }
    }

    fn circle(&mut self, x: f32, y: f32, r: f32, paint: &Paint) {
        self.fill(PathBuilder::from_circle(x, y, r), paint);
    }

    fn stroke(&mut self, path: Option<Path>, paint: &Paint, width: f32) {
        if let Some(path) = path {
            let stroke = Stroke { width, ..Stroke::default() };
            self.pixmap.stroke_path(&path, paint, &stroke, Transform::identity(), None);
        }
    }

    fn polygon(&mut self, points: &[(f32, f32)], paint: &Paint) {
        let mut pb = PathBuilder::new();
        for (i, (x, y)) in points.iter().enumerate() {
            if i == 0 {
                pb.move_to(*x, *y);
            } else {
                pb.line_to(*x, *y);
            }
        }
        pb.close();
        self.fill(pb.finish(), paint);
    }

    fn rounded(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, paint: &Paint) {
        self.fill(rounded_rect(x, y, w, h, r), paint);
    }
}

fn rounded_rect(x: f32, y: f32, w: f32, h: f32, r: f32) -> Option<Path> {
    let r = r.min(w / 2.0).min(h / 2.0);
    let mut pb = PathBuilder::new();
    pb.move_to(x + r, y);
    pb.line_to(x + w - r, y);
    pb.quad_to(x + w, y, x + w, y + r);
    pb.line_to(x + w, y + h - r);
    pb.quad_to(x + w, y + h, x + w - r, y + h);
    pb.line_to(x + r, y + h);
    pb.quad_to(x, y + h, x, y + h - r);
    pb.line_to(x, y + r);
    pb.quad_to(x, y, x + r, y);
    pb.close();
    pb.finish()
}

/// An illustration of `scene` in `base`'s colours, `width` × `height`, as JPEG bytes.
pub fn jpeg(scene: Scene, base: [u8; 3], seed: u32, width: u32, height: u32) -> Vec<u8> {
    let Some(pixmap) = Pixmap::new(width, height) else { return Vec::new() };
    let mut canvas = Canvas { pixmap, w: width as f32, h: height as f32 };
    let palette = Palette::from(base);
    let mut dice = Dice(seed.wrapping_mul(2_654_435_761).wrapping_add(17));
    match scene {
        Scene::City => city(&mut canvas, &palette, &mut dice),
        Scene::Parliament => parliament(&mut canvas, &palette, &mut dice),
        Scene::Chart => chart(&mut canvas, &palette, &mut dice),
        Scene::Globe => globe(&mut canvas, &palette, &mut dice),
        Scene::Zellige => zellige(&mut canvas, &palette, &mut dice),
        Scene::Stadium => stadium(&mut canvas, &palette, &mut dice),
        Scene::Quote => quote(&mut canvas, &palette, &mut dice),
        Scene::Interview => interview(&mut canvas, &palette, &mut dice),
        Scene::Portrait => portrait(&mut canvas, &palette, &mut dice, Look::Short),
    }
    to_jpeg(&canvas, width, height)
}

/// The drawing as JPEG bytes (empty if it cannot be encoded).
fn to_jpeg(canvas: &Canvas, width: u32, height: u32) -> Vec<u8> {
    // Opaque drawing: the premultiplied RGBA is plain RGB with a full alpha.
    let rgb: Vec<u8> = canvas.pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::new();
    let encoded = JpegEncoder::new_with_quality(&mut Cursor::new(&mut out), 84).encode(
        &rgb,
        width,
        height,
        image::ExtendedColorType::Rgb8,
    );
    if encoded.is_err() {
        return Vec::new();
    }
    out
}

fn sky(c: &mut Canvas, p: &Palette, horizon: f32) {
    let (w, h) = (c.w, c.h);
    c.rect(0.0, 0.0, w, h, &vertical_gradient(p.pale, p.light, 0.0, horizon));
}

fn city(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    let ground = h * 0.82;
    sky(c, p, ground);
    c.circle(w * d.between(0.6, 0.85), h * d.between(0.18, 0.3), h * 0.11, &paint(p.sun));
    // Three rows of buildings, lighter behind.
    for (row, shade) in [(0, 0.55_f32), (1, 0.3), (2, 0.0)] {
        let colour = mix(p.dark, p.pale, shade);
        let mut x = -20.0;
        while x < w {
            let bw = d.between(60.0, 150.0);
            let bh = h * d.between(0.2, 0.45) + row as f32 * h * 0.04 - row as f32 * h * 0.06;
            let top = ground - bh - (2 - row) as f32 * h * 0.05;
            c.rect(x, top, bw - 6.0, ground - top, &paint(colour));
            if row == 2 {
                // Lit windows on the nearest row.
                let mut wy = top + 14.0;
                while wy < ground - 30.0 {
                    let mut wx = x + 10.0;
                    while wx < x + bw - 24.0 {
                        if d.next() > 0.45 {
                            c.rect(wx, wy, 10.0, 14.0, &translucent(p.sun, 190));
                        }
                        wx += 20.0;
                    }
                    wy += 26.0;
                }
            }
            x += bw;
        }
    }
    c.rect(0.0, ground, w, h - ground, &paint(mix(p.dark, [0, 0, 0], 0.3)));
    // The tramway on its rail.
    let tram_y = ground + (h - ground) * 0.15;
    let tram_x = w * d.between(0.08, 0.4);
    c.rect(0.0, tram_y + 62.0, w, 5.0, &paint(p.light));
    c.rounded(tram_x, tram_y - 20.0, w * 0.42, 80.0, 26.0, &paint([245, 245, 240]));
    c.rect(tram_x, tram_y + 30.0, w * 0.42, 12.0, &paint(p.base));
    let mut wx = tram_x + 34.0;
    while wx < tram_x + w * 0.42 - 60.0 {
        c.rounded(wx, tram_y - 8.0, 44.0, 28.0, 6.0, &paint(mix(p.dark, p.light, 0.4)));
        wx += 58.0;
    }
    let mut pole = PathBuilder::new();
    pole.move_to(tram_x + w * 0.2, tram_y - 20.0);
    pole.line_to(tram_x + w * 0.25, tram_y - 70.0);
    pole.line_to(tram_x + w * 0.32, tram_y - 70.0);
    c.stroke(pole.finish(), &paint(p.dark), 4.0);
}

fn parliament(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    let ground = h * 0.86;
    sky(c, p, ground);
    let cx = w * d.between(0.45, 0.55);
    let stone = [236, 229, 214];
    let shadow = mix(stone, p.dark, 0.25);
    let body_w = w * 0.62;
    let left = cx - body_w / 2.0;
    let top = h * 0.42;
    // Dome, drum and flag.
    c.circle(cx, top - h * 0.06, h * 0.16, &paint(mix(p.base, stone, 0.35)));
    c.rect(cx - h * 0.17, top - h * 0.08, h * 0.34, h * 0.1, &paint(shadow));
    let mut mast = PathBuilder::new();
    mast.move_to(cx, top - h * 0.22);
    mast.line_to(cx, top - h * 0.36);
    c.stroke(mast.finish(), &paint(p.dark), 4.0);
    c.polygon(
        &[(cx, top - h * 0.36), (cx + 70.0, top - h * 0.33), (cx, top - h * 0.3)],
        &paint(mix(p.base, [200, 30, 40], 0.6)),
    );
    // Pediment, entablature, columns, steps.
    c.polygon(&[(left - 20.0, top + 10.0), (cx, top - h * 0.12), (left + body_w + 20.0, top + 10.0)], &paint(stone));
    c.rect(left - 20.0, top + 10.0, body_w + 40.0, 28.0, &paint(shadow));
    c.rect(left, top + 38.0, body_w, ground - top - 78.0, &paint(mix(stone, p.dark, 0.12)));
    let columns = 8;
    for i in 0..columns {
        let x = left + 18.0 + i as f32 * (body_w - 58.0) / (columns - 1) as f32;
        c.rect(x, top + 38.0, 22.0, ground - top - 78.0, &paint(stone));
        c.rect(x - 4.0, top + 38.0, 30.0, 10.0, &paint(shadow));
    }
    for step in 0..3 {
        let inset = step as f32 * 24.0;
        let y = ground - 40.0 + step as f32 * 13.0;
        c.rect(
            left - 50.0 + inset,
            y,
            body_w + 100.0 - 2.0 * inset,
            14.0,
            &paint(mix(stone, p.dark, 0.08 * step as f32)),
        );
    }
    c.rect(0.0, ground, w, h - ground, &paint(mix(p.dark, [40, 90, 50], 0.5)));
    // Palm trees on either side.
    for x in [w * 0.06, w * 0.94] {
        let mut trunk = PathBuilder::new();
        trunk.move_to(x, ground);
        trunk.quad_to(x + 10.0, ground - h * 0.25, x - 6.0, ground - h * 0.45);
        c.stroke(trunk.finish(), &paint(mix(p.dark, [90, 60, 30], 0.6)), 12.0);
        for k in 0..6 {
            let angle = k as f32 * std::f32::consts::PI / 3.0 + 0.3;
            let (tx, ty) = (x - 6.0, ground - h * 0.45);
            let mut leaf = PathBuilder::new();
            leaf.move_to(tx, ty);
            leaf.quad_to(
                tx + angle.cos() * 60.0,
                ty + angle.sin() * 20.0 - 40.0,
                tx + angle.cos() * 110.0,
                ty + angle.sin() * 50.0,
            );
            c.stroke(leaf.finish(), &paint(mix(p.dark, [30, 110, 60], 0.6)), 10.0);
        }
    }
}

fn chart(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    c.rect(0.0, 0.0, w, h, &paint(p.paper));
    let (left, right, top, bottom) = (w * 0.1, w * 0.9, h * 0.14, h * 0.84);
    for i in 0..6 {
        let y = top + i as f32 * (bottom - top) / 5.0;
        c.rect(left, y, right - left, 2.0, &paint(mix(p.paper, p.dark, 0.12)));
    }
    let bars = 9;
    let slot = (right - left) / bars as f32;
    let mut level = d.between(0.25, 0.4);
    let mut points = Vec::new();
    for i in 0..bars {
        level = (level + d.between(-0.06, 0.14)).clamp(0.15, 0.95);
        let bh = (bottom - top) * level;
        let x = left + i as f32 * slot + slot * 0.18;
        let colour =
            if i == bars - 1 { p.sun } else { mix(p.base, p.paper, 0.15 * (bars - 1 - i) as f32 / bars as f32) };
        c.rect(x, bottom - bh, slot * 0.64, bh, &paint(colour));
        points.push((x + slot * 0.32, bottom - bh - 40.0));
    }
    let mut line = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            line.move_to(*x, *y);
        } else {
            line.line_to(*x, *y);
        }
    }
    c.stroke(line.finish(), &paint(p.dark), 6.0);
    for (x, y) in &points {
        c.circle(*x, *y, 9.0, &paint(p.dark));
        c.circle(*x, *y, 4.0, &paint(p.paper));
    }
    // The arrow of the trend.
    if let Some((x, y)) = points.last() {
        c.polygon(&[(x + 20.0, y - 10.0), (x + 52.0, y - 42.0), (x + 56.0, y - 2.0)], &paint(p.dark));
    }
    c.rect(left, bottom, right - left, 4.0, &paint(p.dark));
}

fn globe(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    c.rect(0.0, 0.0, w, h, &vertical_gradient(mix(p.dark, [0, 0, 0], 0.4), p.dark, 0.0, h));
    for _ in 0..60 {
        c.circle(d.between(0.0, w), d.between(0.0, h), d.between(1.0, 2.6), &translucent([255, 255, 255], 170));
    }
    let (cx, cy, r) = (w * d.between(0.42, 0.58), h * 0.54, h * 0.4);
    c.circle(cx, cy, r, &paint(mix(p.base, [30, 90, 160], 0.5)));
    // Continents, kept inside the sphere by a mask.
    let Some(mut mask) = Mask::new(w as u32, h as u32) else { return };
    if let Some(sphere) = PathBuilder::from_circle(cx, cy, r) {
        mask.fill_path(&sphere, FillRule::Winding, true, Transform::identity());
    }
    for _ in 0..5 {
        let (lx, ly) = (cx + d.between(-r, r * 0.8), cy + d.between(-r * 0.8, r * 0.7));
        let mut pb = PathBuilder::new();
        let size = d.between(r * 0.2, r * 0.45);
        let n = 9;
        for k in 0..=n {
            let a = k as f32 / n as f32 * std::f32::consts::TAU;
            let rr = size * d.between(0.6, 1.1);
            let (x, y) = (lx + a.cos() * rr * 1.3, ly + a.sin() * rr * 0.8);
            if k == 0 {
                pb.move_to(x, y);
            } else {
                pb.line_to(x, y);
            }
        }
        pb.close();
        c.fill_masked(pb.finish(), &paint(mix(p.light, [120, 170, 90], 0.5)), &mask);
    }
    // Meridians and parallels.
    let grid = translucent([255, 255, 255], 90);
    for k in 1..4 {
        let rx = r * k as f32 / 4.0;
        let mut pb = PathBuilder::new();
        if let Some(bounds) = Rect::from_xywh(cx - rx, cy - r, rx * 2.0, r * 2.0) {
            pb.push_oval(bounds);
        }
        c.stroke(pb.finish(), &grid, 2.0);
    }
    for k in -2..=2 {
        let y = cy + k as f32 * r / 3.0;
        let half = (r * r - (y - cy) * (y - cy)).max(0.0).sqrt();
        c.rect(cx - half, y - 1.0, half * 2.0, 2.0, &grid);
    }
    // An orbit around it.
    let mut orbit = PathBuilder::new();
    if let Some(bounds) = Rect::from_xywh(cx - r * 1.5, cy - r * 0.35, r * 3.0, r * 0.7) {
        orbit.push_oval(bounds);
    }
    c.stroke(orbit.finish(), &paint(p.sun), 4.0);
    c.circle(cx + r * 1.45, cy - r * 0.08, 14.0, &paint(p.sun));
}

fn zellige(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    c.rect(0.0, 0.0, w, h, &paint(p.paper));
    let tile = 120.0;
    let colours = [p.base, p.dark, mix(p.base, p.sun, 0.5), mix(p.base, [20, 110, 90], 0.5)];
    let offset = d.between(0.0, tile);
    let mut y = -tile + offset * 0.3;
    let mut row = 0;
    while y < h + tile {
        let mut x = -tile + offset;
        let mut col = 0;
        while x < w + tile {
            let colour = colours[(row + col * 3) % colours.len()];
            star(c, x, y, tile * 0.46, &paint(colour));
            c.circle(x, y, tile * 0.1, &paint(p.paper));
            x += tile;
            col += 1;
        }
        y += tile;
        row += 1;
    }
    // An arch (a Moroccan door) in front, opening on the pattern.
    let (aw, ax) = (w * 0.3, w * d.between(0.3, 0.7));
    let arch_top = h * 0.18;
    let mut pb = PathBuilder::new();
    pb.move_to(ax - aw / 2.0, h);
    pb.line_to(ax - aw / 2.0, arch_top + aw / 2.0);
    pb.cubic_to(ax - aw / 2.0, arch_top, ax + aw / 2.0, arch_top, ax + aw / 2.0, arch_top + aw / 2.0);
    pb.line_to(ax + aw / 2.0, h);
    pb.close();
    let frame = pb.finish();
    c.stroke(frame.clone(), &paint(p.dark), 34.0);
    c.stroke(frame, &paint(p.sun), 10.0);
}

fn star(c: &mut Canvas, x: f32, y: f32, r: f32, paint: &Paint) {
    // An eight-pointed star: two squares, one turned by 45°.
    let square = |angle: f32| -> Vec<(f32, f32)> {
        (0..4)
            .map(|k| {
                let a = angle + k as f32 * std::f32::consts::FRAC_PI_2;
                (x + a.cos() * r, y + a.sin() * r)
            })
            .collect()
    };
    c.polygon(&square(0.0), paint);
    c.polygon(&square(std::f32::consts::FRAC_PI_4), paint);
}

fn stadium(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    let stands = h * 0.3;
    c.rect(0.0, 0.0, w, stands, &paint(mix(p.dark, [0, 0, 0], 0.3)));
    // The crowd: dots in rows.
    let mut y = 16.0;
    while y < stands - 10.0 {
        let mut x = d.between(0.0, 14.0);
        while x < w {
            let tone = if d.next() > 0.8 { p.sun } else { mix(p.light, p.dark, d.next()) };
            c.circle(x, y, 5.5, &paint(tone));
            x += 16.0;
        }
        y += 16.0;
    }
    let green = [40, 130, 70];
    for i in 0..10 {
        let shade = if i % 2 == 0 { green } else { mix(green, [255, 255, 255], 0.08) };
        c.rect(i as f32 * w / 10.0, stands, w / 10.0 + 1.0, h - stands, &paint(shade));
    }
    let line = paint([240, 240, 235]);
    let mut outline = PathBuilder::new();
    if let Some(bounds) = Rect::from_xywh(w * 0.05, stands + 30.0, w * 0.9, h - stands - 60.0) {
        outline.push_rect(bounds);
    }
    c.stroke(outline.finish(), &line, 5.0);
    c.rect(w / 2.0 - 2.5, stands + 30.0, 5.0, h - stands - 60.0, &line);
    let mut centre = PathBuilder::new();
    centre.push_circle(w / 2.0, stands + (h - stands) / 2.0, h * 0.14);
    c.stroke(centre.finish(), &line, 5.0);
    // The ball, with its patches.
    let (bx, by) = (w * d.between(0.6, 0.8), stands + (h - stands) * d.between(0.35, 0.65));
    c.circle(bx + 8.0, by + 10.0, 34.0, &translucent([0, 0, 0], 60));
    c.circle(bx, by, 34.0, &paint([250, 250, 250]));
    for k in 0..5 {
        let a = k as f32 * std::f32::consts::TAU / 5.0;
        c.circle(bx + a.cos() * 22.0, by + a.sin() * 22.0, 7.0, &paint(p.dark));
    }
    c.circle(bx, by, 9.0, &paint(p.dark));
}

fn quote(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    c.rect(0.0, 0.0, w, h, &paint(p.paper));
    c.rect(0.0, 0.0, w * 0.42, h, &paint(p.base));
    // Two large quotation marks.
    for x in [w * 0.12, w * 0.25] {
        let y = h * 0.4;
        c.circle(x, y, h * 0.09, &paint(p.paper));
        let mut tail = PathBuilder::new();
        tail.move_to(x + h * 0.09, y);
        tail.quad_to(x + h * 0.09, y + h * 0.2, x - h * 0.06, y + h * 0.25);
        tail.quad_to(x + h * 0.02, y + h * 0.12, x - h * 0.02, y + h * 0.08);
        tail.close();
        c.fill(tail.finish(), &paint(p.paper));
    }
    // Lines of a handwritten page, and the pen.
    let mut y = h * 0.2;
    while y < h * 0.82 {
        let len = w * d.between(0.3, 0.46);
        c.rounded(w * 0.5, y, len, 14.0, 7.0, &paint(mix(p.paper, p.dark, 0.25)));
        y += 38.0;
    }
    let (px, py) = (w * 0.78, h * 0.62);
    let mut pen = PathBuilder::new();
    pen.move_to(px, py);
    pen.line_to(px + 150.0, py - 200.0);
    pen.line_to(px + 180.0, py - 180.0);
    pen.line_to(px + 30.0, py + 20.0);
    pen.close();
    c.fill(pen.finish(), &paint(p.dark));
    c.polygon(&[(px, py), (px + 30.0, py + 20.0), (px - 14.0, py + 40.0)], &paint(p.sun));
}

fn interview(c: &mut Canvas, p: &Palette, d: &mut Dice) {
    let (w, h) = (c.w, c.h);
    c.rect(0.0, 0.0, w, h, &vertical_gradient(p.pale, p.light, 0.0, h));
    let bubble = |c: &mut Canvas, x: f32, y: f32, bw: f32, bh: f32, tail_left: bool, colour: [u8; 3]| {
        c.rounded(x, y, bw, bh, 40.0, &paint(colour));
        let tx = if tail_left { x + 60.0 } else { x + bw - 60.0 };
        let dir = if tail_left { -1.0 } else { 1.0 };
        c.polygon(
            &[(tx - 25.0, y + bh - 2.0), (tx + 25.0, y + bh - 2.0), (tx + dir * 40.0, y + bh + 60.0)],
            &paint(colour),
        );
    };
    bubble(c, w * 0.08, h * 0.12, w * 0.46, h * 0.34, true, p.base);
    bubble(c, w * 0.44, h * 0.42, w * 0.46, h * 0.3, false, p.paper);
    for (x, y, n, colour) in [(w * 0.12, h * 0.2, 3, p.paper), (w * 0.48, h * 0.49, 2, mix(p.paper, p.dark, 0.35))] {
        for k in 0..n {
            let len = w * d.between(0.24, 0.36);
            c.rounded(x, y + k as f32 * 40.0, len, 16.0, 8.0, &paint(colour));
        }
    }
    // A microphone.
    let (mx, my) = (w * 0.2, h * 0.78);
    c.rounded(mx - 30.0, my - 110.0, 60.0, 100.0, 30.0, &paint(p.dark));
    c.rect(mx - 5.0, my - 12.0, 10.0, 70.0, &paint(p.dark));
    c.rounded(mx - 45.0, my + 55.0, 90.0, 14.0, 7.0, &paint(p.dark));
}

/// How a drawn writer looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    Short,
    Beard,
    Long,
    Scarf,
}

impl Look {
    pub fn parse(s: &str) -> Look {
        match s {
            "beard" => Look::Beard,
            "long" => Look::Long,
            "scarf" => Look::Scarf,
            _ => Look::Short,
        }
    }
}

/// A writer's portrait, `side` pixels square, as JPEG bytes.
pub fn portrait_jpeg(look: Look, base: [u8; 3], seed: u32, side: u32) -> Vec<u8> {
    let Some(pixmap) = Pixmap::new(side, side) else { return Vec::new() };
    let mut canvas = Canvas { pixmap, w: side as f32, h: side as f32 };
    let mut dice = Dice(seed.wrapping_mul(2_654_435_761).wrapping_add(17));
    portrait(&mut canvas, &Palette::from(base), &mut dice, look);
    to_jpeg(&canvas, side, side)
}

/// Head and shoulders on a plain ground, as papers draw their writers: a jacket over a shirt,
/// a face with short or long hair, a beard or a headscarf, glasses as the dice say.
fn portrait(c: &mut Canvas, p: &Palette, d: &mut Dice, look: Look) {
    let (w, h) = (c.w, c.h);
    c.rect(0.0, 0.0, w, h, &vertical_gradient(p.pale, p.light, 0.0, h));
    const SKIN: [[u8; 3]; 4] = [[236, 196, 160], [214, 166, 124], [184, 132, 92], [140, 96, 64]];
    const HAIR: [[u8; 3]; 4] = [[40, 30, 26], [70, 48, 34], [28, 24, 24], [120, 110, 104]];
    let skin = SKIN[(d.next() * 4.0) as usize % 4];
    let hair = HAIR[(d.next() * 4.0) as usize % 4];
    let (cx, head_y, head_r) = (w * 0.5, h * 0.4, w * 0.17);
    if look == Look::Long {
        // Hair falling behind the shoulders.
        c.rounded(cx - head_r * 1.25, head_y - head_r * 1.1, head_r * 2.5, head_r * 3.0, head_r * 1.1, &paint(hair));
    }
    // Shoulders and jacket, the shirt's collar in a V.
    c.rounded(w * 0.14, h * 0.7, w * 0.72, h * 0.5, w * 0.22, &paint(p.dark));
    c.polygon(&[(cx - w * 0.1, h * 0.7), (cx + w * 0.1, h * 0.7), (cx, h * 0.86)], &paint(p.paper));
    c.rect(cx - w * 0.06, head_y + head_r * 0.6, w * 0.12, h * 0.14, &paint(mix(skin, [0, 0, 0], 0.12)));
    match look {
        Look::Scarf => {
            // A headscarf framing the face and falling on the shoulders.
            c.circle(cx, head_y - head_r * 0.05, head_r * 1.32, &paint(p.base));
            c.rounded(cx - head_r * 1.3, head_y, head_r * 2.6, h * 0.36, head_r, &paint(p.base));
        }
        _ => c.circle(cx, head_y - head_r * 0.16, head_r * 1.08, &paint(hair)),
    }
    // The face, a little taller than wide.
    if let Some(oval) = Rect::from_xywh(cx - head_r * 0.92, head_y - head_r * 0.95, head_r * 1.84, head_r * 2.1) {
        c.fill(PathBuilder::from_oval(oval), &paint(skin));
    }
    if look != Look::Scarf && d.next() < 0.6 {
        // A fringe over the forehead.
        c.rounded(cx - head_r * 0.95, head_y - head_r * 1.2, head_r * 1.9, head_r * 0.55, head_r * 0.3, &paint(hair));
    }
    if look == Look::Beard
        && let Some(oval) = Rect::from_xywh(cx - head_r * 0.8, head_y + head_r * 0.3, head_r * 1.6, head_r * 0.9)
    {
        c.fill(PathBuilder::from_oval(oval), &paint(hair));
    }
    let (eye_y, eye_dx) = (head_y + head_r * 0.05, head_r * 0.38);
    for side in [-1.0, 1.0] {
        c.circle(cx + side * eye_dx, eye_y, head_r * 0.08, &paint([30, 26, 24]));
    }
    if d.next() < 0.4 {
        let frame = paint(mix(p.dark, [0, 0, 0], 0.4));
        for side in [-1.0, 1.0] {
            c.stroke(PathBuilder::from_circle(cx + side * eye_dx, eye_y, head_r * 0.24), &frame, head_r * 0.06);
        }
        c.rect(cx - eye_dx * 0.4, eye_y - head_r * 0.03, eye_dx * 0.8, head_r * 0.06, &frame);
    }
    let lips = if look == Look::Beard { mix(skin, [120, 30, 30], 0.3) } else { mix(skin, [120, 30, 30], 0.45) };
    c.rounded(cx - head_r * 0.22, head_y + head_r * 0.55, head_r * 0.44, head_r * 0.1, head_r * 0.05, &paint(lips));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_look_draws_a_different_portrait() {
        let looks = [Look::Short, Look::Beard, Look::Long, Look::Scarf];
        let drawn: Vec<Vec<u8>> = looks
            .iter()
            .map(|look| {
                image::load_from_memory(&portrait_jpeg(*look, [28, 84, 150], 3, 240)).unwrap().to_rgb8().into_raw()
            })
            .collect();
        for i in 0..drawn.len() {
            for j in i + 1..drawn.len() {
                let differing = drawn[i].iter().zip(&drawn[j]).filter(|(a, b)| a.abs_diff(**b) > 40).count();
                assert!(differing > 300, "{:?} and {:?} look alike", looks[i], looks[j]);
            }
        }
    }

    #[test]
    fn every_scene_draws_a_varied_jpeg() {
        for scene in [
            Scene::City,
            Scene::Parliament,
            Scene::Chart,
            Scene::Globe,
            Scene::Zellige,
            Scene::Stadium,
            Scene::Quote,
            Scene::Interview,
            Scene::Portrait,
        ] {
            let bytes = jpeg(scene, [28, 84, 150], 7, 320, 180);
            assert!(bytes.starts_with(&[0xFF, 0xD8]), "{scene:?} is a JPEG");
            let image = image::load_from_memory(&bytes).unwrap().to_rgb8();
            assert_eq!(image.dimensions(), (320, 180));
            // A scene, not a flat field: many distinct colours.
            let mut colours: Vec<[u8; 3]> = image.pixels().map(|p| [p[0] & 0xF0, p[1] & 0xF0, p[2] & 0xF0]).collect();
            colours.sort_unstable();
            colours.dedup();
            assert!(colours.len() > 12, "{scene:?} has {} colours", colours.len());
        }
        assert_ne!(jpeg(Scene::City, [28, 84, 150], 1, 320, 180), jpeg(Scene::City, [28, 84, 150], 2, 320, 180));
    }
}
