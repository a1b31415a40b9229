//! Imports point one way: command line → operations → routes → pages → web toolkit → use cases
//! and services → application state → store and formats → domain. This test reads the
//! `use crate::…`, `super::…` and inline `crate::…` paths of every file under `src/` and fails,
//! naming the file and the path, when a module imports from a layer above its own, from a
//! sibling group of its layer it must not know (reader and newsroom pages; the store and the
//! formats), or when files import each other in a loop. `ARCHITECTURE.md` draws the same
//! table; this is the copy a machine checks.
//!
//! Two liberties, both Rust's own idiom: a module may use what its parent module file defines
//! (`super::`, the shared vocabulary of its children), and test modules (`#[cfg(test)]`) may
//! borrow fixtures from anywhere: neither ships an upward dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, top first. A layer is a list of groups; a module may import from its own group
/// and from every layer below, never from above or from another group of its layer. A module
/// belongs to the longest prefix that names it.
const LAYERS: &[(&str, &[&[&str]])] = &[
    ("command line", &[&["main", "cli"]]),
    ("operations", &[&["lib", "serve", "backup", "bench", "check", "command", "demo", "import", "export", "fuzzing"]]),
    ("routes", &[&["web"]]),
    ("pages", &[&["web/reader"], &["web/newsroom"], &["web/api"], &["web/ops"]]),
    ("web toolkit", &[&["web/layers", "web/server", "web/client", "web/chrome", "web/lang", "web/pager"]]),
    ("use cases and services", &[&["actions", "jobs", "notify", "cluster"]]),
    ("application state", &[&["app", "cache", "counters", "error", "mail"]]),
    ("store and formats", &[&["store", "media"], &["render", "i18n", "wxr"]]),
    ("domain", &[&["news", "config", "secrets", "metrics", "progress", "headers", "urls", "compress"]]),
];

/// Where a module sits: (layer, group), by the longest prefix that names it.
fn place(module: &str) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize, usize)> = None;
    for (layer, (_, groups)) in LAYERS.iter().enumerate() {
        for (group, prefixes) in groups.iter().enumerate() {
            for prefix in prefixes.iter() {
                let names = module == *prefix || module.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
                if names && best.is_none_or(|(_, _, len)| prefix.len() > len) {
                    best = Some((layer, group, prefix.len()));
                }
            }
        }
    }
    best.map(|(layer, group, _)| (layer, group))
}

/// The source without comments, string literals' contents and `#[cfg(test)]` items.
fn code_of(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map(|e| e + 2).unwrap_or(rest.len());
        } else if let Some(raw) = rest.strip_prefix("r#\"") {
            i += 3 + raw.find("\"#").map(|e| e + 2).unwrap_or(raw.len());
            out.push_str("\"\"");
        } else if let Some(len) = char_literal(rest) {
            out.push_str("' '");
            i += len;
        } else if rest.starts_with('"') {
            // Skip the literal's contents: a message may mention `crate::x`.
            let mut j = 1;
            while j < rest.len() {
                match rest.as_bytes()[j] {
                    b'\\' => j += 2,
                    b'"' => break,
                    _ => j += 1,
                }
            }
            out.push_str("\"\"");
            i += (j + 1).min(rest.len());
        } else if let Some(item) = rest.strip_prefix("#[cfg(test)]") {
            i += "#[cfg(test)]".len() + skip_item(item);
        } else {
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The length of a character literal at the start of `text` (`'"'`, `'\''`, `'é'`), if one
/// is there rather than a lifetime.
fn char_literal(text: &str) -> Option<usize> {
    let body = text.strip_prefix('\'')?;
    let len = if let Some(escaped) = body.strip_prefix('\\') {
        2 + escaped.get(1..)?.find('\'')?
    } else {
        body.chars().next()?.len_utf8()
    };
    (body[len..].starts_with('\'')).then_some(len + 2)
}

/// The length of the item that starts `text`: up to its `;`, or its braces' end.
fn skip_item(text: &str) -> usize {
    let mut depth = 0;
    for (at, ch) in text.char_indices() {
        match ch {
            ';' if depth == 0 => return at + 1,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Every path a `use` declaration names, its braces expanded.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).trim().to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut parts, mut depth, mut current) = (Vec::new(), 0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p).into_iter().map(|e| format!("{prefix}{e}")))
        .collect()
}

/// The module of `src/` a path names from `module`, if it names one.
fn resolve(module: &str, path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").map(str::trim).filter(|p| !p.is_empty() && *p != "self").collect();
    let own: Vec<&str> = if matches!(module, "lib" | "main") { Vec::new() } else { module.split('/').collect() };
    let mut full: Vec<&str> = Vec::new();
    let mut rest = &parts[..];
    match parts.first().copied() {
        Some("crate") => rest = &parts[1..],
        Some("super") => {
            full = own.clone();
            while rest.first() == Some(&"super") {
                full.pop();
                rest = &rest[1..];
            }
        }
        // A relative path: a child module of this one.
        Some(first) if modules.contains(&[own.as_slice(), &[first]].concat().join("/")) => full = own.clone(),
        _ => return None,
    }
    full.extend_from_slice(rest);
    (1..=full.len()).rev().map(|n| full[..n].join("/")).find(|candidate| modules.contains(candidate))
}

/// module → (imported module → the path as written).
fn imports(sources: &BTreeMap<String, String>) -> BTreeMap<String, BTreeMap<String, String>> {
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, source) in sources {
        let code = code_of(source);
        let mut found: BTreeMap<String, String> = BTreeMap::new();
        let mut note = |path: String| {
            if let Some(target) = resolve(module, &path, &modules)
                && target != *module
            {
                found.entry(target).or_insert(path);
            }
        };
        let mut rest = code.as_str();
        while let Some(at) = rest.find("use ") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + 4..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let end = rest.find(';').unwrap_or(rest.len());
            for path in expand(&rest[..end]) {
                note(path);
            }
        }
        for anchor in ["crate::", "super::"] {
            let mut rest = code.as_str();
            while let Some(at) = rest.find(anchor) {
                let before = rest[..at].chars().next_back();
                let tail = &rest[at..];
                let len = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    note(tail[..len].trim_end_matches(':').to_string());
                }
                rest = &tail[len.max(1)..];
            }
        }
        graph.insert(module.clone(), found);
    }
    graph
}

fn is_ancestor(ancestor: &str, module: &str) -> bool {
    ancestor == "lib" || module.strip_prefix(ancestor).is_some_and(|rest| rest.starts_with('/'))
}

/// Every breach of the rule, as lines a person can act on.
fn breaches(sources: &BTreeMap<String, String>) -> Vec<String> {
    let graph = imports(sources);
    let mut found = Vec::new();
    for module in graph.keys() {
        if place(module).is_none() {
            found.push(format!("src/{module}.rs is in no layer: add it to LAYERS in tests/it/architecture.rs"));
        }
    }
    for (module, targets) in &graph {
        let Some((layer, group)) = place(module) else { continue };
        for (target, path) in targets {
            if is_ancestor(target, module) {
                continue;
            }
            let Some((target_layer, target_group)) = place(target) else { continue };
            if target_layer < layer {
                found.push(format!(
                    "src/{module}.rs imports {path}: layer '{}' is above its own, '{}'",
                    LAYERS[target_layer].0, LAYERS[layer].0
                ));
            } else if target_layer == layer && target_group != group {
                found.push(format!(
                    "src/{module}.rs imports {path}: a sibling of layer '{}' it must not know (share it through a lower layer)",
                    LAYERS[layer].0
                ));
            }
        }
    }
    for cycle in cycles(&graph) {
        found.push(format!("files import each other in a loop: {}", cycle.join(" → ")));
    }
    found
}

/// The loops of the import graph (its strongly connected parts), a module's use of its own
/// ancestors left out.
fn cycles(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<Vec<String>> {
    let names: Vec<&String> = graph.keys().collect();
    let index_of: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|m| {
            graph[*m].keys().filter(|t| !is_ancestor(t, m)).filter_map(|t| index_of.get(t.as_str()).copied()).collect()
        })
        .collect();
    // Tarjan's algorithm, iteratively.
    let n = names.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut loops) = (Vec::new(), 0, Vec::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some((v, edge)) = work.pop() {
            if edge == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(edge) {
                work.push((v, edge + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                let mut part = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    part.push(names[w].clone());
                    if w == v {
                        break;
                    }
                }
                if part.len() > 1 {
                    part.sort();
                    loops.push(part);
                }
            }
            if let Some((parent, _)) = work.last() {
                low[*parent] = low[*parent].min(low[v]);
            }
        }
    }
    loops
}

fn read_sources(dir: &Path, root: &Path, into: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_sources(&path, root, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = path.strip_prefix(root).unwrap().with_extension("").to_string_lossy().replace('\\', "/");
            into.insert(module, std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn imports_point_down_and_never_loop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    read_sources(&root, &root, &mut sources);
    assert!(sources.len() > 100, "read {} files of src/", sources.len());
    let graph = imports(&sources);
    // The reader sees the imports it must: a sample of known edges.
    assert!(graph["web/reader/article"].contains_key("store/articles"));
    assert!(graph["store/articles"].contains_key("store/search"), "super::search:: paths are read");
    let found = breaches(&sources);
    assert!(found.is_empty(), "imports that break the layering:\n{}", found.join("\n"));
}

#[test]
fn the_guard_catches_an_upward_import_a_sibling_and_a_loop() {
    let fake = |files: &[(&str, &str)]| -> BTreeMap<String, String> {
        files.iter().map(|(m, s)| (m.to_string(), s.to_string())).collect()
    };
    let upward = fake(&[("store/a", "use crate::web::layers::X;"), ("web/layers", "pub struct X;")]);
    assert!(breaches(&upward).iter().any(|b| b.contains("src/store/a.rs imports crate::web::layers::X")));
    let sibling =
        fake(&[("web/newsroom/x", "fn f() { crate::web::reader::y::g() }"), ("web/reader/y", "pub fn g() {}")]);
    assert!(breaches(&sibling).iter().any(|b| b.contains("must not know")), "{:?}", breaches(&sibling));
    let looped =
        fake(&[("store/a", "use super::b::B;"), ("store/b", "use crate::store::a::{self, A};"), ("store", "")]);
    assert!(breaches(&looped).iter().any(|b| b.contains("loop")), "{:?}", breaches(&looped));
    let tests_only = fake(&[("store/a", "#[cfg(test)]\nmod tests { use crate::web::layers::X; }"), ("web/layers", "")]);
    assert!(breaches(&tests_only).is_empty(), "test modules may borrow fixtures");
    let unplaced = fake(&[("newthing", "")]);
    assert!(breaches(&unplaced)[0].contains("in no layer"));
}
