//! vnav's integration tests: one binary, one module per area.

mod app_actions;
mod app_ui;
mod support;
