//! Tests of the whole binary: the real `redress` process, and checks of the tree itself.

// These tests drive a real server on the system's clock, so their fixtures are dated from it
// too; none waits on it.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod backup;
mod chaos;
mod durability;
mod follow_through;
mod import;
mod mail;
mod messaging;
mod payments;
mod platforms;
mod server;
mod tidy;
