//! Dates as a newspaper prints them, in each language, in the site's time zone.
//!
//! French: "dimanche 27 décembre 2020 à 10:48". Arabic: Moroccan month names (دجنبر),
//! with Western or Eastern digits as the site chooses. English: "Sunday 27 December 2020 at 10:48".

use chrono::{DateTime, Locale, TimeZone, Utc};
use chrono_tz::Tz;

use crate::news::Lang;

/// How much of a date to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateStyle {
    /// "dimanche 27 décembre 2020 à 10:48"
    LongWithTime,
    /// "dimanche 27 décembre 2020"
    Long,
    /// "27/12/2020"
    Short,
    /// "27/12/2020 - 10:48"
    ShortWithTime,
    /// "10:48"
    Time,
}

impl DateStyle {
    pub fn parse(s: &str) -> DateStyle {
        match s {
            "long" => DateStyle::Long,
            "short" => DateStyle::Short,
            "short_time" => DateStyle::ShortWithTime,
            "time" => DateStyle::Time,
            _ => DateStyle::LongWithTime,
        }
    }
}

/// Formats unix milliseconds for readers of `lang` in time zone `tz`.
pub fn format_date(ms: i64, lang: Lang, tz: Tz, style: DateStyle, eastern_digits: bool) -> String {
    let Some(utc) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return String::new();
    };
    let local = tz.from_utc_datetime(&utc.naive_utc());
    let (locale, pattern) = match (lang, style) {
        (Lang::Fr, DateStyle::LongWithTime) => (Locale::fr_FR, "%A %-d %B %Y à %H:%M"),
        (Lang::Fr, DateStyle::Long) => (Locale::fr_FR, "%A %-d %B %Y"),
        (Lang::Ar, DateStyle::LongWithTime) => (Locale::ar_MA, "%A %-d %B %Y على الساعة %H:%M"),
        (Lang::Ar, DateStyle::Long) => (Locale::ar_MA, "%A %-d %B %Y"),
        (Lang::En, DateStyle::LongWithTime) => (Locale::en_GB, "%A %-d %B %Y at %H:%M"),
        (Lang::En, DateStyle::Long) => (Locale::en_GB, "%A %-d %B %Y"),
        (_, DateStyle::Short) => (Locale::fr_FR, "%d/%m/%Y"),
        (_, DateStyle::ShortWithTime) => (Locale::fr_FR, "%d/%m/%Y - %H:%M"),
        (_, DateStyle::Time) => (Locale::fr_FR, "%H:%M"),
    };
    let text = local.format_localized(pattern, locale).to_string();
    if lang == Lang::Ar && eastern_digits { to_eastern_digits(&text) } else { text }
}

/// The machine-readable form for `<time datetime>` and feeds: RFC 3339 in the site's zone.
pub fn iso_date(ms: i64, tz: Tz) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(utc) => tz.from_utc_datetime(&utc.naive_utc()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        None => String::new(),
    }
}

/// Days since 1970-01-01 of the local date in `tz`: the key of daily counters.
pub fn local_day(ms: i64, tz: Tz) -> i64 {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(utc) => {
            let local = tz.from_utc_datetime(&utc.naive_utc()).date_naive();
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            (local - epoch).num_days()
        }
        None => 0,
    }
}

/// 0-9 to ٠-٩.
pub fn to_eastern_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x0660 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2020-12-27 10:48 in Casablanca (UTC+1 that day) is 09:48 UTC.
    const SUNDAY: i64 = 1_609_062_480_000;

    #[test]
    fn french_long_form_matches_the_reference() {
        let tz = chrono_tz::Africa::Casablanca;
        assert_eq!(
            format_date(SUNDAY, Lang::Fr, tz, DateStyle::LongWithTime, false),
            "dimanche 27 décembre 2020 à 10:48"
        );
    }

    #[test]
    fn arabic_uses_moroccan_months_and_optional_eastern_digits() {
        let tz = chrono_tz::Africa::Casablanca;
        let western = format_date(SUNDAY, Lang::Ar, tz, DateStyle::Long, false);
        assert!(western.contains("دجنبر"), "{western}");
        assert!(western.contains("27"));
        let eastern = format_date(SUNDAY, Lang::Ar, tz, DateStyle::Long, true);
        assert!(eastern.contains("٢٧"), "{eastern}");
    }

    #[test]
    fn english_and_local_day() {
        let tz = chrono_tz::Africa::Casablanca;
        assert_eq!(
            format_date(SUNDAY, Lang::En, tz, DateStyle::LongWithTime, false),
            "Sunday 27 December 2020 at 10:48"
        );
        assert_eq!(local_day(SUNDAY, tz), 18_623);
    }
}
