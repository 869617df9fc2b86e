//! vCloud `<Error>` responses: one type carries status, minor code and message to the edge.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;

use super::xml::{DECL, VCLOUD_NS, esc, respond};

#[derive(Debug, Clone)]
pub struct VcdError {
    pub status: StatusCode,
    pub minor: &'static str,
    pub message: String,
}

pub type VcdResult<T> = Result<T, VcdError>;

impl VcdError {
    pub fn new(status: StatusCode, minor: &'static str, message: impl Into<String>) -> Self {
        VcdError {
            status,
            minor,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("[ {what} ] is not found or access is denied."),
        )
    }
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ACCESS_TO_RESOURCE_IS_FORBIDDEN",
            "Access is forbidden",
        )
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }
    pub fn busy(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "BUSY_ENTITY",
            format!("The entity {name} is busy completing an operation."),
        )
    }
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "HTTP method not allowed for this resource",
        )
    }

    pub fn to_xml(&self) -> String {
        let mut s = String::from(DECL);
        let _ = writeln!(
            s,
            "<Error xmlns=\"{VCLOUD_NS}\" majorErrorCode=\"{}\" minorErrorCode=\"{}\" message=\"{}\"/>",
            self.status.as_u16(),
            self.minor,
            esc(&self.message)
        );
        s
    }

    pub fn respond(&self, version: &str) -> Response {
        respond(self.status, "error", version, self.to_xml())
    }
}
