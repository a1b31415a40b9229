//! Static files (CSS, fonts, images of the theme): embedded, overridable by the theme folder,
//! served under content-hashed names so browsers and CDNs may keep them forever. Text files
//! are also kept compressed (brotli 11, gzip 9), made once on first demand: the cost is paid
//! by one request, not by every start of the server.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct EmbeddedStatic;

/// One static file.
#[derive(Clone, Debug)]
pub struct Asset {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// Brotli and gzip bodies of a text file, made on first demand.
    compressed: Arc<OnceLock<Option<Compressed>>>,
}

#[derive(Debug)]
pub struct Compressed {
    pub brotli: Vec<u8>,
    pub gzip: Vec<u8>,
}

impl Asset {
    /// The compressed bodies, for text files (fonts and pictures are compressed already).
    pub fn compressed(&self) -> Option<&Compressed> {
        self.compressed
            .get_or_init(|| {
                is_text(self.content_type).then(|| Compressed {
                    brotli: crate::compress::brotli_at(&self.bytes, 11),
                    gzip: crate::compress::gzip_at(&self.bytes, 9),
                })
            })
            .as_ref()
    }
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/") || content_type.starts_with("image/svg") || content_type.contains("json")
}

/// Every static file, by hashed name and by plain name.
#[derive(Debug, Default)]
pub struct Assets {
    by_hashed: HashMap<String, Asset>,
    hashed_name: HashMap<String, String>,
}

impl Assets {
    /// Loads the embedded files, replaced by any file of the same name in `theme_dir/static/`.
    pub fn load(theme_dir: Option<PathBuf>) -> Assets {
        let mut assets = Assets::default();
        let mut stylesheets = Vec::new();
        for name in EmbeddedStatic::iter() {
            let name = name.to_string();
            let themed = theme_dir.as_ref().map(|d| d.join("static").join(&name)).filter(|p| p.is_file());
            let bytes = match themed.and_then(|p| std::fs::read(p).ok()) {
                Some(bytes) => bytes,
                None => match EmbeddedStatic::get(&name) {
                    Some(file) => file.data.into_owned(),
                    None => continue,
                },
            };
            if name.ends_with(".css") {
                stylesheets.push((name, bytes));
            } else {
                assets.insert(&name, bytes);
            }
        }
        // Stylesheets name fonts and images by their plain path; point them at the hashed
        // names, then hash the stylesheet itself, so a new font also renames the CSS.
        for (name, bytes) in stylesheets {
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            for (plain, hashed) in &assets.hashed_name {
                text = text.replace(&format!("/static/{plain}"), &format!("/static/{hashed}"));
            }
            assets.insert(&name, text.into_bytes());
        }
        assets
    }

    fn insert(&mut self, name: &str, bytes: Vec<u8>) {
        let hash = &crate::secrets::hash_bytes(&bytes)[..12];
        let hashed = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
            None => format!("{name}.{hash}"),
        };
        let content_type = content_type(name);
        self.hashed_name.insert(name.to_string(), hashed.clone());
        self.by_hashed.insert(hashed, Asset { bytes, content_type, compressed: Arc::default() });
    }

    /// The URL of a static file, e.g. `/static/site.3f2a1b9c0d4e.css`.
    pub fn url(&self, name: &str) -> String {
        match self.hashed_name.get(name) {
            Some(hashed) => format!("/static/{hashed}"),
            None => format!("/static/{name}"),
        }
    }

    /// The file behind a hashed name.
    pub fn get(&self, hashed: &str) -> Option<&Asset> {
        self.by_hashed.get(hashed)
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
