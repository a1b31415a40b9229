//! Turning page structs into HTML: templates (embedded, overridable by a theme folder),
//! interface strings, dates, Markdown and static assets.

pub mod assets;
pub mod dates;
pub mod markdown;
pub mod whitespace;

use std::path::PathBuf;
use std::sync::Arc;

use minijinja::value::Kwargs;
use minijinja::{Environment, Error as TemplateError, ErrorKind, State, Value};
use rust_embed::RustEmbed;

use crate::i18n::Catalog;
use crate::news::Lang;
use assets::Assets;
use dates::DateStyle;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct EmbeddedTemplates;

/// The template engine, built once at start and shared.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

impl Templates {
    /// Templates come from `theme_dir/templates/` first, then from the binary. HTML and XML
    /// templates escape every value unless it is marked safe.
    pub fn new(theme_dir: Option<PathBuf>, catalog: Arc<Catalog>, assets: Arc<Assets>) -> Templates {
        let mut env = Environment::new();
        env.set_loader(move |name| {
            if name.contains("..") {
                return Ok(None);
            }
            if let Some(dir) = &theme_dir {
                let path = dir.join("templates").join(name);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        TemplateError::new(ErrorKind::TemplateNotFound, format!("{}: {e}", path.display()))
                    });
                }
            }
            Ok(EmbeddedTemplates::get(name).map(|file| String::from_utf8_lossy(&file.data).into_owned()))
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.set_formatter(escape_without_slashes);
        let strings = catalog.clone();
        env.add_function("t", move |state: &State, key: &str, kwargs: Kwargs| {
            let lang = page_lang(state);
            let args: Vec<(String, String)> = kwargs
                .args()
                .map(|k| (k.to_string(), kwargs.get::<Value>(k).map(|v| v.to_string()).unwrap_or_default()))
                .collect();
            let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Ok::<_, TemplateError>(strings.text(lang, key, &refs))
        });
        let strings = catalog;
        env.add_function("tn", move |state: &State, key: &str, count: i64| {
            let lang = page_lang(state);
            let n = localized_number(state, lang, count);
            Ok::<_, TemplateError>(strings.plural(lang, key, count, &n, &[]))
        });
        env.add_filter("date", |state: &State, ms: Option<i64>, style: Option<&str>| {
            let Some(ms) = ms else { return String::new() };
            let lang = page_lang(state);
            dates::format_date(
                ms,
                lang,
                page_tz(state),
                DateStyle::parse(style.unwrap_or("")),
                eastern_digits(state, lang),
            )
        });
        env.add_filter("hijri", |state: &State, ms: Option<i64>| {
            let Some(ms) = ms else { return String::new() };
            let lang = page_lang(state);
            let offset = state.lookup("hijri_offset").and_then(|v| i32::try_from(v).ok()).unwrap_or(0);
            dates::hijri_date(ms, lang, page_tz(state), offset, eastern_digits(state, lang))
        });
        env.add_filter("isodate", |state: &State, ms: Option<i64>| match ms {
            Some(ms) => dates::iso_date(ms, page_tz(state)),
            None => String::new(),
        });
        env.add_filter("excerpt", |text: &str, max: Option<usize>| {
            crate::news::excerpt::excerpt(text, max.unwrap_or(200))
        });
        env.add_function("asset", move |name: &str| assets.url(name));
        Templates { env }
    }

    /// Renders a template with a serializable context.
    pub fn render<S: serde::Serialize>(&self, name: &str, context: S) -> Result<String, TemplateError> {
        let html = self.env.get_template(name)?.render(minijinja::value::Serde(context))?;
        // Reader pages go out without the templates' indentation (newsroom pages show text
        // with `white-space: pre-wrap` and are few).
        Ok(if name.starts_with("pages/") { whitespace::collapse_indentation(&html) } else { html })
    }
}

/// HTML-escapes `& < > " '` like minijinja, but leaves `/` alone: escaping it buys nothing in
/// attribute values that are quoted, and it made every URL a third longer.
fn escape_without_slashes(out: &mut minijinja::Output, state: &mut State, value: &Value) -> Result<(), TemplateError> {
    if matches!(state.auto_escape(), minijinja::AutoEscape::Html)
        && !value.is_safe()
        && let Some(text) = value.as_str()
    {
        let escaped = crate::news::text::escape_html(text);
        return out.write_str(&escaped).map_err(|_| TemplateError::new(ErrorKind::WriteFailure, "cannot write"));
    }
    minijinja::escape_formatter(out, state, value)
}

fn page_lang(state: &State) -> Lang {
    state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or(Lang::Fr)
}

fn page_tz(state: &State) -> chrono_tz::Tz {
    state.lookup("tz").and_then(|v| v.as_str().and_then(|s| s.parse().ok())).unwrap_or(chrono_tz::Africa::Casablanca)
}

fn eastern_digits(state: &State, lang: Lang) -> bool {
    lang == Lang::Ar && state.lookup("arabic_digits").is_some_and(|v| v.as_str() == Some("eastern"))
}

fn localized_number(state: &State, lang: Lang, n: i64) -> String {
    let text = n.to_string();
    if eastern_digits(state, lang) { dates::to_eastern_digits(&text) } else { text }
}
