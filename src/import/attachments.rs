//! The first pass's attachments: their files copied from the uploads folder into the media
//! directory, checked as any upload is.

use super::report::{CREATED, Report, UNCHANGED};
use super::{Context, ImportError, ImportOptions};
use crate::jobs::{self, Job};
use crate::store::redirects::{self, RedirectTarget};
use crate::store::{Db, Tx, imports, media as media_store, now_ms};

/// Copies attachments' files from the uploads folder into the media directory (images only;
/// every refusal and missing file is listed in the report), in batches.
pub(super) async fn import_attachments(
    db: &Db,
    ctx: &mut Context,
    options: &ImportOptions,
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut ids: Vec<String> = ctx.attachments.keys().cloned().collect();
    ids.sort_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX));
    for chunk in ids.chunks(100) {
        let mut tx = db.begin().await?;
        for id in chunk {
            let Some(attachment) = ctx.attachments.get(id).cloned() else { continue };
            let known = imports::lookup(&mut tx, &ctx.source, "attachment", id).await?;
            if let Some((media_id, _)) = known
                && let Some(key) = media_store::key_of(db, media_id).await?
            {
                let url = format!("/media/{key}");
                if !ctx.dry_run {
                    point_old_addresses(&mut tx, ctx, id, &attachment.old_url, &url, report).await?;
                }
                remember_upload(ctx, &attachment.old_url, &url);
                if let Some(a) = ctx.attachments.get_mut(id) {
                    a.media_id = Some(media_id);
                    a.new_url = Some(url);
                }
                report.count("media", UNCHANGED);
                continue;
            }
            let path = options.uploads_dir.as_ref().map(|dir| dir.join(&attachment.file));
            let Some(path) = path.filter(|p| !attachment.file.is_empty() && p.is_file()) else {
                report.missing_media.push(format!(
                    "{id}: {}",
                    if attachment.file.is_empty() { &attachment.old_url } else { &attachment.file }
                ));
                continue;
            };
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    report.skip(format!("attachment {id}"), &format!("cannot read {}: {e}", path.display()));
                    continue;
                }
            };
            let name = attachment.file.rsplit('/').next().unwrap_or("").to_string();
            let checked =
                match tokio::task::spawn_blocking(move || crate::media::upload::check(&bytes, &name, 64 * 1024 * 1024))
                    .await
                {
                    Ok(Ok(image)) => image,
                    Ok(Err(refusal)) => {
                        report.skip(
                            format!("attachment {id} ({})", attachment.file),
                            &format!("not imported as an image: {refusal:?}"),
                        );
                        continue;
                    }
                    Err(e) => return Err(ImportError::Io(format!("image check failed: {e}"))),
                };
            report.count("media", CREATED);
            if ctx.dry_run {
                continue;
            }
            let key = crate::media::store_bytes(&options.media_dir, &checked.bytes, checked.extension)
                .map_err(|e| ImportError::Io(format!("cannot write into {}: {e}", options.media_dir.display())))?;
            let media_id = media_store::insert(
                &mut tx,
                &media_store::NewMedia {
                    storage_key: key.clone(),
                    original_name: attachment.file.rsplit('/').next().unwrap_or("").to_string(),
                    mime: checked.mime.to_string(),
                    width: i64::from(checked.width),
                    height: i64::from(checked.height),
                    byte_size: checked.bytes.len() as i64,
                    caption: attachment.caption.clone(),
                    credit: String::new(),
                    alt: attachment.alt.clone(),
                    uploaded_by: None,
                },
            )
            .await?;
            jobs::enqueue(&mut tx, &Job::MakeVariants { media_id }, now_ms(), 8).await?;
            imports::record(&mut tx, &ctx.source, "attachment", id, media_id, &key).await?;
            let url = format!("/media/{key}");
            point_old_addresses(&mut tx, ctx, id, &attachment.old_url, &url, report).await?;
            remember_upload(ctx, &attachment.old_url, &url);
            if let Some(a) = ctx.attachments.get_mut(id) {
                a.media_id = Some(media_id);
                a.new_url = Some(url);
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The old site's addresses of an attachment lead to the imported file: the upload itself
/// (linked from other sites and from shared posts; its resized copies find it too, see
/// `redirects::target`) and its `?attachment_id=` page.
async fn point_old_addresses(
    tx: &mut Tx,
    ctx: &Context,
    id: &str,
    old_url: &str,
    url: &str,
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut old = vec![format!("/?attachment_id={id}")];
    for url in std::iter::once(old_url.to_string()).chain(unscaled(old_url)) {
        old.extend(super::addresses::old_path(&url, &ctx.source).filter(|path| path != "/"));
    }
    for path in old {
        redirects::put(tx, &path, RedirectTarget::Path(url)).await?;
        report.redirects += 1;
    }
    Ok(())
}

/// Where the text's old upload addresses now lead: the attachment's own and, for a picture
/// WordPress scaled down at upload, the original's, which its resized copies come from.
fn remember_upload(ctx: &mut Context, old_url: &str, url: &str) {
    if let Some(original) = unscaled(old_url) {
        ctx.uploads.insert(original, url.to_string());
    }
    ctx.uploads.insert(old_url.to_string(), url.to_string());
}

/// `photo-scaled.jpg` → `photo.jpg`: since WordPress 5.3 a large upload is kept scaled under
/// that name, while its resized copies (`photo-300x200.jpg`) are named after the original.
fn unscaled(url: &str) -> Option<String> {
    let (stem, extension) = url.rsplit_once('.')?;
    let original = stem.strip_suffix("-scaled")?;
    Some(format!("{original}.{extension}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn scaled_uploads_are_named_after_their_original() {
        let url = "https://old.example.com/wp-content/uploads/2023/05/port-scaled.jpg";
        assert_eq!(
            super::unscaled(url).as_deref(),
            Some("https://old.example.com/wp-content/uploads/2023/05/port.jpg")
        );
        assert_eq!(super::unscaled("https://old.example.com/wp-content/uploads/2023/05/port.jpg"), None);
    }
}
