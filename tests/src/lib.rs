//! Helpers for end-to-end tests that drive real binaries.

pub mod terraform;
