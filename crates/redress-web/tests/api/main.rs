//! The HTTP API tested as a client sees it: the real router served on a real port, over a
//! fresh database per test, driven with reqwest.
//!
//! Every test runs on SQLite. The tests that reach storage (stores, orders, opening, listing and
//! changing cases, isolation, concurrency and the end-to-end story) are made with
//! `on_both_backends!` and also run on PostgreSQL when `REDRESS_TEST_POSTGRES_URL` names a
//! database, each in a schema of its own that is dropped afterwards; without it their
//! `::postgres` variants pass without doing anything:
//!
//! ```text
//! REDRESS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo test -p redress-web --test api
//! ```
//!
//! Refused requests are checked twice: the answer (status, and the error's code and field),
//! and that nothing changed.

// These tests drive a real server on the system's clock, so their fixtures are dated from it
// too; none waits on it.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

mod analytics;
mod assistant;
mod auth;
mod browser;
mod cases_change;
mod cases_list;
mod cases_open;
mod channels;
mod chat_answers;
mod chat_assistant;
mod chat_live;
mod concurrency;
mod desk_live;
mod fixtures;
mod follow_through;
mod hardening;
mod health;
mod incidents;
mod isolation;
mod json_errors;
mod money;
mod money_defects;
mod openapi;
mod orders;
mod platforms;
mod portal;
mod portal_flow;
mod privacy;
mod settings;
mod settlement;
mod stores;
mod story;
mod understanding;
mod workspace;
