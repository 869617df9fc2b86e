//! vAPI standard errors in both dialects: `/rest` wraps them as `{"type": "com.vmware.vapi.std.
//! errors.X", "value": {"messages": …}}`, `/api` as `{"error_type": "X", "messages": …}`, each
//! with the HTTP status the 7.0.3 specification gives that error in that dialect.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{Dialect, json_response};

#[derive(Debug, Clone)]
pub struct VcError {
    /// Lower-case vAPI error name, e.g. `not_found`.
    pub kind: &'static str,
    pub rest_status: StatusCode,
    pub api_status: StatusCode,
    pub message: String,
    pub id: String,
}

pub type VcResult<T> = Result<T, VcError>;

impl VcError {
    fn new(kind: &'static str, rest: u16, api: u16, id: &str, message: impl Into<String>) -> Self {
        VcError {
            kind,
            rest_status: StatusCode::from_u16(rest).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            api_status: StatusCode::from_u16(api).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message: message.into(),
            id: id.into(),
        }
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            "not_found",
            404,
            404,
            "com.vmware.vapi.std.errors.not_found",
            format!("Object {what} not found."),
        )
    }
    pub fn no_operation(path: &str) -> Self {
        Self::new(
            "operation_not_found",
            404,
            404,
            "vapi.method.input.invalid.interface",
            format!("No operation is served at {path}."),
        )
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            "unauthenticated",
            401,
            401,
            "vapi.security.authentication.invalid",
            "Unable to authenticate user",
        )
    }
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(
            "invalid_argument",
            400,
            400,
            "vapi.bindings.typeconverter.invalid.argument",
            message,
        )
    }
    /// Lists over the server's cap: 400 in `/rest`, 500 in `/api` (per the specification).
    /// `what` is the service (`vm`, `host`, `resource_pool`…), `noun` its plural in words.
    pub fn too_many(what: &str, noun: &str) -> Self {
        Self::new(
            "unable_to_allocate_resource",
            400,
            500,
            &format!("com.vmware.api.vcenter.{what}.too_many_{what}s"),
            format!("Too many {noun}. Add more filter criteria to reduce the number."),
        )
    }
    pub fn already_in_desired_state(message: impl Into<String>) -> Self {
        Self::new(
            "already_in_desired_state",
            400,
            400,
            "com.vmware.api.vcenter.vm.power.already_in_desired_state",
            message,
        )
    }
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::new(
            "not_allowed_in_current_state",
            400,
            400,
            "com.vmware.api.vcenter.vm.not_allowed_in_current_state",
            message,
        )
    }
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(
            "service_unavailable",
            503,
            503,
            "com.vmware.api.vcenter.vm.guest.tools_not_running",
            message,
        )
    }
    pub fn resource_busy(message: impl Into<String>) -> Self {
        Self::new(
            "resource_busy",
            400,
            500,
            "com.vmware.api.vcenter.vm.resource_busy",
            message,
        )
    }

    pub fn body(&self, d: Dialect) -> serde_json::Value {
        let messages = json!([{
            "args": [],
            "default_message": self.message,
            "id": self.id,
        }]);
        match d {
            Dialect::Rest => json!({
                "type": format!("com.vmware.vapi.std.errors.{}", self.kind),
                "value": {"messages": messages},
            }),
            Dialect::Api => json!({
                "error_type": self.kind.to_uppercase(),
                "messages": messages,
            }),
        }
    }

    pub fn respond(&self, d: Dialect) -> Response {
        let status = match d {
            Dialect::Rest => self.rest_status,
            Dialect::Api => self.api_status,
        };
        json_response(status, &self.body(d))
    }
}
