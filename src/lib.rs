//! vnav: a terminal UI for VMware clouds. See ARCHITECTURE.md for the shape:
//! `api` talks to servers, `app` holds all behaviour, `views` draws, `sim` is the built-in
//! simulator of the APIs.

pub mod allocator;
pub mod api;
pub mod app;
pub mod audit;
pub mod cli;
pub mod colour_depth;
pub mod config;
pub mod inspect;
pub mod logging;
pub mod runtime;
#[cfg(feature = "sim")]
pub mod sim;
pub mod theme;
pub mod views;
