//! Gazette: a self-hosted news publishing platform in one binary.
//!
//! The modules, from the outside in:

/// What people do to the paper's content, one function per use case (audit and refresh inside).
pub mod actions;
/// The application state shared by the router, the jobs and the tests.
pub mod app;
/// `gazette backup` and `gazette restore`.
pub mod backup;
/// `gazette bench`: render and search timings for the benchmark.
pub mod bench;
/// The rendered-page cache: compressed once, invalidated by tags.
pub mod cache;
/// `gazette check`: configuration and database health.
pub mod check;
/// The command line: subcommands, exit codes, one-line errors.
pub mod cli;
pub mod cluster;
/// What every command shares: the failure that ends it, opening the database.
pub mod command;
/// Gzip and brotli for response bodies.
pub mod compress;
/// Configuration from file, environment and flags; the example file is generated from it.
pub mod config;
/// Read and like counters, batched in memory.
pub mod counters;
/// `gazette demo`: the sample newspaper.
pub mod demo;
/// One error type, rendered as an HTML page or a JSON body.
pub mod error;
/// `gazette export`: everything as WXR (for WordPress) or as JSON files.
pub mod export;
/// The invariants the fuzz targets (`fuzz/`) check, also run by the unit tests.
#[doc(hidden)]
pub mod fuzzing;
/// The security headers every answer carries.
pub mod headers;
/// Interface strings in French, Arabic and English.
pub mod i18n;
/// `gazette import wxr`: a WordPress or WMaker site with its comments, media and old addresses.
pub mod import;
/// Durable background jobs: enqueue with the write, claim with a lease, retry with backoff.
pub mod jobs;
/// Outgoing e-mail over SMTP, sent by jobs.
pub mod mail;
/// Media files on disk, content-addressed.
pub mod media;
/// Prometheus metrics.
pub mod metrics;
/// Domain types and pure rules: languages, roles, statuses, slugs, excerpts.
pub mod news;
/// The mails about comments: confirmation, notifications, refusals, erasure, digest.
pub mod notify;
/// A progress bar for long commands.
pub mod progress;
/// Templates, dates per language, Markdown and sanitizing, static assets.
pub mod render;
/// Passwords, tokens, keyed hashes.
pub mod secrets;
/// `gazette serve`: start, serve, stop in order.
pub mod serve;
/// Every query, for SQLite and PostgreSQL; migrations; the dialect differences.
pub mod store;
/// Addresses as text: percent-encoding and decoding.
pub mod urls;
/// The HTTP surface: route table, layers, reader pages, API, operations endpoints.
pub mod web;
/// WordPress eXtended RSS: a streaming reader, the content conversion, a writer.
pub mod wxr;
