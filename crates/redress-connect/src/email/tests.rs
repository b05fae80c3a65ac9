//! Tests placeholder
