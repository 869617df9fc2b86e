//! The entity resolver: `GET /api/entity/urn:vcloud:TYPE:UUID` answers with a link to the entity.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;

use super::entities::describe;
use super::errors::{VcdError, VcdResult};
use super::xml::{DECL, VCLOUD_NS, esc, link, media, respond};
use super::{Ctx, Shared, resolve};
use crate::sim::world::parse_uuid;

/// `GET /api/entity/urn:vcloud:TYPE:UUID`.
pub fn entity(s: &Shared, ctx: &Ctx, urn: &str) -> VcdResult<Response> {
    let mut parts = urn.splitn(4, ':');
    let (Some("urn"), Some("vcloud"), Some(kind), Some(uuid)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VcdError::bad_request(format!("Invalid entity URN: {urn}")));
    };
    let (href, media_kind) = if kind == "task" {
        let id = parse_uuid(uuid).ok_or_else(|| VcdError::not_found(urn))?;
        let w = s.read();
        s.tasks()
            .visible(&w, ctx, id)
            .ok_or_else(|| VcdError::not_found(urn))?;
        (format!("{}/api/task/{uuid}", s.base), "task")
    } else {
        let w = s.read();
        let (e, _) = resolve(&w, ctx, uuid, |_| Some(0))?;
        let d = describe(&w, &s.base, e);
        if !d.urn.starts_with(&format!("urn:vcloud:{kind}:")) {
            return Err(VcdError::not_found(urn));
        }
        (d.href, d.kind)
    };
    let mut out = String::from(DECL);
    let _ = writeln!(
        out,
        "<Entity xmlns=\"{VCLOUD_NS}\" name=\"{0}\" id=\"{0}\" type=\"{1}\" href=\"{2}/api/entity/{0}\">",
        esc(urn),
        media("entity"),
        s.base
    );
    link(&mut out, "alternate", media_kind, "", &href);
    out.push_str("</Entity>\n");
    Ok(respond(StatusCode::OK, "entity", &ctx.version, out))
}
