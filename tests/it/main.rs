//! The integration tests: one binary, driving the real router or the real `gazette` binary
//! against a real database. Every test that touches the database runs on SQLite, and on
//! PostgreSQL too when `GAZETTE_TEST_POSTGRES_URL` is set (CI sets it), each in a fresh
//! database so tests run in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod account;
mod api;
mod architecture;
mod archive;
mod attacks;
mod browser;
mod cache;
mod cli_errors;
mod cluster;
mod comments;
mod crash;
mod diskfull;
mod face;
mod import;
mod jobs;
mod lifecycle;
mod look;
mod moderation;
mod moderation_quality;
mod newsroom;
mod outage;
mod reader;
mod roles;
mod schema;
mod site;
mod soak;
mod theme;
mod xss;
