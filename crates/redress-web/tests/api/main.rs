//! The HTTP API tested as a client sees it: the real router served on a real port, over a
//! fresh database per test, driven with reqwest.
//!
//! Every test runs on SQLite; the tests made with `on_both_backends!` also run on PostgreSQL
//! when `REDRESS_TEST_POSTGRES_URL` names a database (each run in a schema of its own):
//!
//! ```text
//! REDRESS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo test -p redress-web --test api
//! ```
//!
//! Refused requests are checked twice: the answer (status, and the error's code and field),
//! and that nothing changed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

mod auth;
mod cases_change;
mod cases_list;
mod cases_open;
mod concurrency;
mod fixtures;
mod health;
mod isolation;
mod json_errors;
mod openapi;
mod orders;
mod stores;
mod story;
