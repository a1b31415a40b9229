//! What an import did, counted per kind of item, and how it is printed.

use std::collections::BTreeMap;
use std::fmt;

use crate::wxr::content::ShortcodeCounts;

/// What an import did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Report {
    pub source: String,
    pub dry_run: bool,
    /// Per kind (article, page, section, tag, author, media, comment): created, updated, unchanged.
    pub counts: BTreeMap<&'static str, [u64; 3]>,
    /// Skipped items per reason, and the first few of them by id.
    pub skipped: BTreeMap<String, u64>,
    pub skipped_examples: Vec<String>,
    /// Attachments whose file was not in the uploads folder.
    pub missing_media: Vec<String>,
    pub shortcodes: ShortcodeCounts,
    pub redirects: u64,
    pub subscriptions: u64,
    /// Articles whose links to the old site now point at the imported pages.
    pub relinked: u64,
    /// Items of the second pass committed.
    pub items_done: u64,
    /// The last source item committed (post id), for the "how far" line.
    pub last_committed: Option<String>,
    pub seconds: f64,
}

pub(super) const CREATED: usize = 0;
pub(super) const UPDATED: usize = 1;
pub(super) const UNCHANGED: usize = 2;

/// What a run does to a source item: it was never imported, it changed since, or not.
pub(super) fn change_of(known: &Option<(i64, String)>, fingerprint: &str) -> usize {
    match known {
        Some((_, old)) if old == fingerprint => UNCHANGED,
        Some(_) => UPDATED,
        None => CREATED,
    }
}

impl Report {
    pub(super) fn count(&mut self, kind: &'static str, what: usize) {
        self.counts.entry(kind).or_default()[what] += 1;
    }

    pub(super) fn skip(&mut self, what: String, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
        if self.skipped_examples.len() < 50 {
            self.skipped_examples.push(format!("{what}: {reason}"));
        }
    }

    /// Counts of one kind: (created, updated, unchanged).
    pub fn of(&self, kind: &str) -> (u64, u64, u64) {
        self.counts.get(kind).map(|c| (c[0], c[1], c[2])).unwrap_or_default()
    }

    pub(super) fn progress_line(&self) -> String {
        match &self.last_committed {
            Some(id) => format!("{} items were imported, up to item {id}, in whole batches", self.items_done),
            None => "nothing from the items was imported".to_string(),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would import (dry run, nothing written)" } else { "imported" };
        writeln!(f, "{verb} from {} in {:.1} s", self.source, self.seconds)?;
        for (kind, [created, updated, unchanged]) in &self.counts {
            writeln!(f, "  {kind:<10} {created} new, {updated} updated, {unchanged} unchanged")?;
        }
        writeln!(f, "  old addresses answering with a 301: {}", self.redirects)?;
        if self.relinked > 0 {
            writeln!(f, "  articles whose links to the old site were pointed here: {}", self.relinked)?;
        }
        if self.subscriptions > 0 {
            writeln!(f, "  comment subscriptions waiting for confirmation: {}", self.subscriptions)?;
        }
        for (name, n) in &self.shortcodes.converted {
            writeln!(f, "  shortcode [{name}] converted: {n}")?;
        }
        for (name, n) in &self.shortcodes.removed {
            writeln!(f, "  shortcode [{name}] removed: {n}")?;
        }
        for (reason, n) in &self.skipped {
            writeln!(f, "  skipped ({reason}): {n}")?;
        }
        for example in &self.skipped_examples {
            writeln!(f, "    {example}")?;
        }
        if !self.missing_media.is_empty() {
            writeln!(f, "  media files not found in the uploads folder: {}", self.missing_media.len())?;
            for missing in self.missing_media.iter().take(100) {
                writeln!(f, "    {missing}")?;
            }
        }
        Ok(())
    }
}

/// Adds a committed batch's counts to the report.
pub(super) fn merge(report: &mut Report, batch: Report, items: u64, last: Option<String>) {
    for (kind, counts) in batch.counts {
        let entry = report.counts.entry(kind).or_default();
        for i in 0..3 {
            entry[i] += counts[i];
        }
    }
    for (reason, n) in batch.skipped {
        *report.skipped.entry(reason).or_default() += n;
    }
    for example in batch.skipped_examples {
        if report.skipped_examples.len() < 50 {
            report.skipped_examples.push(example);
        }
    }
    report.shortcodes.add(&batch.shortcodes);
    report.redirects += batch.redirects;
    report.subscriptions += batch.subscriptions;
    report.items_done += items;
    if last.is_some() {
        report.last_committed = last;
    }
}
