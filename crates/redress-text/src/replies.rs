//! Suggested replies (in progress).
