//! The sample shop `redress demo` starts with (being written).
