//! Media files on disk: written once under a name made of their content hash, never changed,
//! so they can be cached forever, shared between nodes and backed up by plain copying.

pub mod icons;
pub mod portraits;
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

/// Every regular file under `dir`, in a stable order, and apart from them the files still
/// being written (or left half-written).
pub fn walk(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut files, mut partial) = (Vec::new(), Vec::new());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                if is_partial(&entry.path()) { &mut partial } else { &mut files }.push(entry.path());
            }
        }
    }
    files.sort();
    Ok((files, partial))
}

/// Removes the files a crash left half-written (writes take milliseconds: a partial file older
/// than `older_than` is nobody's). Returns how many were removed.
pub fn remove_stale_partials(dir: &Path, older_than: std::time::Duration) -> std::io::Result<usize> {
    if !dir.is_dir() {
        return Ok(0);
    }
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for path in walk(dir)?.1 {
        let age = std::fs::metadata(&path).and_then(|m| m.modified()).ok().and_then(|at| now.duration_since(at).ok());
        if age.is_some_and(|age| age > older_than) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
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
    fn only_partial_files_left_long_ago_are_removed() {
        let dir = std::env::temp_dir().join(format!("gazette-partials-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let stored = store_bytes(&dir, b"picture", "png").unwrap();
        let old = partial_path(&dir.join("ab/old.w320.jpg"));
        let writing = partial_path(&dir.join("ab/new.w320.jpg"));
        std::fs::create_dir_all(old.parent().unwrap()).unwrap();
        std::fs::write(&old, b"half").unwrap();
        std::fs::write(&writing, b"half").unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options().write(true).open(&old).unwrap().set_modified(two_hours_ago).unwrap();

        assert_eq!(remove_stale_partials(&dir, std::time::Duration::from_secs(3600)).unwrap(), 1);
        assert!(!old.exists(), "left by a crash: removed");
        assert!(writing.exists(), "being written now: kept");
        assert!(dir.join(&stored).exists(), "stored files are never touched");
        assert_eq!(walk(&dir).unwrap(), (vec![dir.join(&stored)], vec![writing]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keys_cannot_escape_the_media_directory() {
        let dir = Path::new("/m");
        assert!(path_of(dir, "ab/abc.png").is_some());
        assert!(path_of(dir, "../etc/passwd").is_none());
        assert!(path_of(dir, "ab//x").is_none());
        assert!(path_of(dir, "").is_none());
    }
}
