//! Commands that talk to the servers from the shell, without the TUI: the endpoint options
//! they share with the interactive vnav (`endpoints`), the output formats (`output`), and one
//! module per command (`dump`, `ls`) over one tree walk (`walk`).

pub mod dump;
pub mod endpoints;
pub mod ls;
pub mod open_context;
pub mod output;
pub mod rows;
pub mod snapshots;
pub mod walk;
