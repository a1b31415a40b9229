//! Media files on disk: written once under a name made of their content hash, never changed,
//! so they can be cached forever, shared between nodes and backed up by plain copying.

pub mod upload;
pub mod variants;

use std::path::{Path, PathBuf};

/// Writes `bytes` under the media directory and returns its storage key,
/// e.g. `3f/3f2a...c9.png`. Writing the same content twice is harmless.
pub fn store_bytes(media_dir: &Path, bytes: &[u8], extension: &str) -> std::io::Result<String> {
    let hash = crate::secrets::hash_bytes(bytes);
    let key = format!("{}/{}.{extension}", &hash[..2], &hash[..32]);
    let path = media_dir.join(&key);
    if path.exists() {
        return Ok(key);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // Write then rename, so a reader or a backup never sees half a file.
    let partial = path.with_extension(format!("{extension}.partial-{}", std::process::id()));
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, &path)?;
    Ok(key)
}

/// The path of a storage key, or `None` when the key tries to leave the media directory.
pub fn path_of(media_dir: &Path, key: &str) -> Option<PathBuf> {
    let safe = !key.is_empty()
        && key.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'));
    safe.then(|| media_dir.join(key))
}

/// The MIME type of a stored file, from its extension (the extension was chosen from the
/// content when the file was stored).
pub fn mime_of(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_the_media_directory() {
        let dir = Path::new("/m");
        assert!(path_of(dir, "ab/abc.png").is_some());
        assert!(path_of(dir, "../etc/passwd").is_none());
        assert!(path_of(dir, "ab//x").is_none());
        assert!(path_of(dir, "").is_none());
    }
}
