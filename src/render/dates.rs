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

/// The Hijri date of the local day of `ms` in `tz`, moved by `offset_days` (a country that
/// sights the crescent itself is often a day behind the Umm al-Qura calendar computed here):
/// « 16 جمادى الآخرة 1448 هـ », "16 joumada al-akhira 1448 H", "16 Jumada al-Akhirah 1448 AH".
pub fn hijri_date(ms: i64, lang: Lang, tz: Tz, offset_days: i32, eastern_digits: bool) -> String {
    use chrono::Datelike;
    use icu_calendar::{Date, cal::Hijri};
    let Some(utc) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return String::new();
    };
    let local = tz.from_utc_datetime(&utc.naive_utc()).date_naive() + chrono::Duration::days(i64::from(offset_days));
    let Ok(iso) = Date::try_new_iso(local.year(), local.month() as u8, local.day() as u8) else {
        return String::new();
    };
    let hijri = iso.to_calendar(Hijri::new_umm_al_qura());
    let month = usize::from(hijri.month().ordinal).clamp(1, 12) - 1;
    let (day, year) = (hijri.day_of_month().0, hijri.year().extended_year());
    let text = match lang {
        Lang::Ar => format!("{day} {} {year} هـ", HIJRI_MONTHS_AR[month]),
        Lang::Fr => format!("{day} {} {year} H", HIJRI_MONTHS_FR[month]),
        Lang::En => format!("{day} {} {year} AH", HIJRI_MONTHS_EN[month]),
    };
    if lang == Lang::Ar && eastern_digits { to_eastern_digits(&text) } else { text }
}

const HIJRI_MONTHS_AR: [&str; 12] = [
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
];
/// As Moroccan French-language papers write them.
const HIJRI_MONTHS_FR: [&str; 12] = [
    "moharram",
    "safar",
    "rabii al-awal",
    "rabii al-akhir",
    "joumada al-oula",
    "joumada al-akhira",
    "rajab",
    "chaabane",
    "ramadan",
    "chaoual",
    "dou al-qiada",
    "dou al-hijja",
];
const HIJRI_MONTHS_EN: [&str; 12] = [
    "Muharram",
    "Safar",
    "Rabi al-Awwal",
    "Rabi al-Akhir",
    "Jumada al-Ula",
    "Jumada al-Akhirah",
    "Rajab",
    "Shaban",
    "Ramadan",
    "Shawwal",
    "Dhu al-Qadah",
    "Dhu al-Hijjah",
];

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
    fn hijri_dates_follow_umm_al_qura_and_the_offset() {
        let tz = chrono_tz::Africa::Casablanca;
        // 1 Ramadan 1445 fell on 11 March 2024 by Umm al-Qura (noon in Casablanca).
        let first_of_ramadan = 1_710_158_400_000;
        assert_eq!(hijri_date(first_of_ramadan, Lang::Ar, tz, 0, false), "1 رمضان 1445 هـ");
        assert_eq!(hijri_date(first_of_ramadan, Lang::Fr, tz, 0, false), "1 ramadan 1445 H");
        assert_eq!(hijri_date(first_of_ramadan, Lang::En, tz, 0, false), "1 Ramadan 1445 AH");
        // A country a day behind still has 29 or 30 Shaban that day.
        let behind = hijri_date(first_of_ramadan, Lang::Ar, tz, -1, false);
        assert!(behind.contains("شعبان 1445"), "{behind}");
        assert_eq!(hijri_date(first_of_ramadan, Lang::Ar, tz, 0, true), "١ رمضان ١٤٤٥ هـ");
        // 27 December 2020 was 12 Jumada al-Ula 1442.
        assert_eq!(hijri_date(SUNDAY, Lang::En, tz, 0, false), "12 Jumada al-Ula 1442 AH");
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
