//! Metadata documents: a few typed entries per entity (owner, cost centre, environment ...).

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;

use super::entities::{describe, vapp_path};
use super::errors::{VcdError, VcdResult};
use super::xml::{DECL, VCLOUD_NS, XSI_NS, esc, link, media, respond};
use super::{Ctx, Shared, resolve};
use crate::sim::names::{APPS, ENVS, PEOPLE};
use crate::sim::world::{Entity, World};

enum Val {
    S(String),
    N(i64),
    B(bool),
}

fn entries(w: &World, e: Entity) -> Vec<(&'static str, Val)> {
    match e {
        Entity::Vm(v) => {
            let vm = &w.vms[v as usize];
            let a = &w.vapps[vm.vapp as usize];
            vec![
                (
                    "owner",
                    Val::S(PEOPLE[a.owner as usize % PEOPLE.len()].into()),
                ),
                ("cost-center", Val::S(format!("CC-{}", vm.cost_center))),
                ("env", Val::S(ENVS[a.env as usize].into())),
                ("backup", Val::B(!vm.id.is_multiple_of(3))),
            ]
        }
        Entity::VApp(i) => {
            let a = &w.vapps[i as usize];
            vec![
                ("app", Val::S(APPS[a.app as usize].into())),
                ("env", Val::S(ENVS[a.env as usize].into())),
                (
                    "owner",
                    Val::S(PEOPLE[a.owner as usize % PEOPLE.len()].into()),
                ),
            ]
        }
        Entity::Org(i) => vec![("customer-id", Val::N(100_000 + i as i64))],
        Entity::Vdc(i) => vec![("cluster", Val::S(w.vdcs[i as usize].cluster.clone()))],
        _ => vec![],
    }
}

/// `GET <entity>/metadata`.
pub fn metadata(s: &Shared, ctx: &Ctx, kind: &str, id: &str) -> VcdResult<Response> {
    let w = s.read();
    let e = match kind {
        "vApp" => vapp_path(&w, ctx, id)?,
        "org" | "vdc" | "catalog" | "network" => resolve(&w, ctx, id, |_| Some(0))?.0,
        _ => return Err(VcdError::not_found(id)),
    };
    let d = describe(&w, &s.base, e);
    let expected = match kind {
        "org" => "org",
        "vdc" => "vdc",
        "catalog" => "catalog",
        "network" => "orgNetwork",
        _ => d.kind,
    };
    if d.kind != expected {
        return Err(VcdError::not_found(id));
    }
    let mut out = String::from(DECL);
    let _ = writeln!(
        out,
        "<Metadata xmlns=\"{VCLOUD_NS}\"{XSI_NS} type=\"{}\" href=\"{}/metadata\">",
        media("metadata"),
        d.href
    );
    link(&mut out, "up", d.kind, "", &d.href);
    for (key, val) in entries(&w, e) {
        let _ = writeln!(
            out,
            "<MetadataEntry type=\"{}\" href=\"{}/metadata/{key}\">",
            media("metadata.value"),
            d.href
        );
        link(
            &mut out,
            "up",
            "metadata",
            "",
            &format!("{}/metadata", d.href),
        );
        let (t, v) = match val {
            Val::S(s) => ("MetadataStringValue", esc(&s).into_owned()),
            Val::N(n) => ("MetadataNumberValue", n.to_string()),
            Val::B(b) => ("MetadataBooleanValue", b.to_string()),
        };
        let _ = writeln!(
            out,
            "<Key>{key}</Key>\n<TypedValue xsi:type=\"{t}\"><Value>{v}</Value></TypedValue>\n</MetadataEntry>"
        );
    }
    out.push_str("</Metadata>\n");
    Ok(respond(StatusCode::OK, "metadata", &ctx.version, out))
}
