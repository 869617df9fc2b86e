//! Orchestrator (vRO) `/vco/api`: workflows by category, their declared inputs as a described
//! action, and executions as tasks. `map.rs` reads the JSON the server answers.

pub mod map;
pub mod session;
