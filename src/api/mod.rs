//! Everything remote: the unified model, the Backend trait, the shared HTTP client and one
//! folder per product. Never imports UI crates (a test enforces it).

pub mod backend;
pub mod columns;
pub mod error;
pub mod hedge;
pub mod http;
pub mod identify;
pub mod interned;
pub mod labels;
pub mod model;
pub mod node_id;
pub mod packed;
pub mod session;
pub mod thin_str;
pub mod tls;
pub mod vcd;
pub mod vcenter;
pub mod vro;
pub mod vrops;
pub mod xml;

pub use backend::{Backend, ChildSink, HealthSink, SprawlSink, SprawlUpdate};
pub use error::{ApiError, ApiResult};
