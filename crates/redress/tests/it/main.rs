//! Tests of the whole binary: the real `redress` process, and checks of the tree itself.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod durability;
mod import;
mod payments;
mod platforms;
mod server;
mod tidy;
