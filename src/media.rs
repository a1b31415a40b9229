//! Media files on disk: written once under a name made of their content hash, never changed,
//! so they can be cached forever, shared between nodes and backed up by plain copying.

pub mod upload;
pub mod variants;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
    let partial = partial_path(&path);
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, &path)?;
    Ok(key)
}

/// What every file being written carries in its name until it is renamed into place.
const PARTIAL_MARK: &str = ".partial";

/// Where a media file is written before it is renamed to `path`: unique to this process and
/// this write, so two writers of the same file (two requests, two nodes) never share one.
pub fn partial_path(path: &Path) -> PathBuf {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!("{PARTIAL_MARK}-{}-{}", std::process::id(), WRITES.fetch_add(1, Ordering::Relaxed)));
    path.with_file_name(name)
}

/// Whether `path` is a file still being written (or left half-written by a crash): a backup
/// skips it, since it may be renamed away while being read and is never a stored file.
pub fn is_partial(path: &Path) -> bool {
    path.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.contains(PARTIAL_MARK))
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
