//! RetrieveProperties / RetrievePropertiesEx over SOAP: reads the `specSet` elements into
//! `vim::props` specs and writes the object contents back as XML, a page at a time for the Ex
//! form (`ContinueRetrievePropertiesEx` and `CancelRetrievePropertiesEx` are here too).

use axum::response::Response;

use super::{Elem, VcShared, elems, reply, xml};
use crate::sim::vcenter::vim::props::{self, FilterSpec, PropSpec};
use crate::sim::vcenter::vim::{Fault, Val};

fn first(xml: &str, name: &str) -> Option<String> {
    elems(xml, name).first().map(Elem::value)
}

fn spec(text: &str) -> FilterSpec {
    let props = elems(text, "propSet")
        .iter()
        .map(|ps| PropSpec {
            kind: first(ps.text, "type").unwrap_or_default(),
            all: first(ps.text, "all").is_some_and(|a| a == "true"),
            paths: elems(ps.text, "pathSet").iter().map(Elem::value).collect(),
        })
        .collect();
    let objects = elems(text, "objectSet")
        .iter()
        .filter_map(|os| {
            let obj = elems(os.text, "obj").into_iter().next()?;
            Some((obj.attr("type").unwrap_or("").to_string(), obj.value()))
        })
        .collect();
    FilterSpec { props, objects }
}

pub fn retrieve(s: &VcShared, session: &str, op: &str, body: &str) -> Result<Response, Fault> {
    let specs: Vec<FilterSpec> = elems(body, "specSet")
        .iter()
        .map(|e| spec(e.text))
        .collect();
    let inner = if op == "RetrievePropertiesEx" {
        let options = elems(body, "options");
        let max = options
            .first()
            .and_then(|o| first(o.text, "maxObjects"))
            .and_then(|m| m.trim().parse().ok());
        s.first_page(session, specs, max)?
            .map_or_else(String::new, |r| xml("returnval", &r))
    } else {
        let objects = props::retrieve(s, &specs)?;
        xml("returnval", &Val::List("ObjectContent", objects))
    };
    Ok(reply(op, &inner))
}

/// `ContinueRetrievePropertiesEx` (the next page) or `CancelRetrievePropertiesEx`.
pub fn resume(s: &VcShared, session: &str, op: &str, body: &str) -> Result<Response, Fault> {
    let token = first(body, "token").unwrap_or_default();
    if op == "CancelRetrievePropertiesEx" {
        s.pages().cancel(session, &token)?;
        return Ok(reply(op, ""));
    }
    let page = s.next_page(session, &token)?;
    Ok(reply(op, &xml("returnval", &page)))
}
