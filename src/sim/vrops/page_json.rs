//! A page of resources written as JSON straight into one buffer: the bytes `serde_json` writes
//! for `resources::Resource` (keys in the same order), without building a struct, a `String`
//! per link or identifier, or escaping the constant keys and the ids, which cannot need it.
//! A page of 1,000 resources is ~2 MB; built through serde it cost ~13 ms at 300,000 VMs, most
//! of it formatting and escaping what is the same for every resource.

use serde::Serialize;

use super::VropsShared;
use super::alerts;
use super::resources::{ADAPTER_KIND, Res, good_high_colour, good_low_colour, vcid_of};
use crate::sim::world::World;

/// Roughly what one resource takes, so a page is written into one allocation.
const RESOURCE_BYTES: usize = 2300;

/// JSON being written.
pub struct Out(Vec<u8>);

impl Out {
    pub fn with_resources(n: usize) -> Out {
        Out(Vec::with_capacity(n * RESOURCE_BYTES + 1024))
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// JSON text known to be well formed (keys, punctuation, constants).
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// A string value, escaped only when it holds what JSON must escape.
    pub fn str(&mut self, s: &str) -> &mut Self {
        if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            self.value(s)
        } else {
            self.0.push(b'"');
            self.0.extend_from_slice(s.as_bytes());
            self.0.push(b'"');
            self
        }
    }

    /// Any value, as `serde_json` writes it (numbers, `Value`s).
    pub fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> &mut Self {
        // Writing into a Vec fails only on a value serde cannot represent, which these are not.
        let _ = serde_json::to_writer(&mut self.0, v);
        self
    }

    /// A UUID, quoted.
    fn uuid(&mut self, id: &Uuid) -> &mut Self {
        self.0.push(b'"');
        self.0.extend_from_slice(&id.0);
        self.0.push(b'"');
        self
    }

    fn uuid_bare(&mut self, id: &Uuid) -> &mut Self {
        self.0.extend_from_slice(&id.0);
        self
    }
}

/// A UUID's 8-4-4-4-12 lower-case hex (`world::uuid_str`), encoded once and copied into each
/// of the places a resource names it: encoding it nibble by nibble at each place was a fifth
/// of a page's time.
pub struct Uuid([u8; 36]);

impl Uuid {
    pub fn of(id: u128) -> Uuid {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; 36];
        let mut at = 0;
        for (i, byte) in id.to_be_bytes().into_iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                at += 1;
            }
            out[at] = HEX[usize::from(byte >> 4)];
            out[at + 1] = HEX[usize::from(byte & 0xF)];
            at += 2;
        }
        Uuid(out)
    }
}

/// What is the same for every resource of a page: the adapter instance's and the vCenter's
/// UUIDs, encoded once.
pub struct PageIds {
    adapter: Uuid,
    vcenter: Uuid,
}

impl PageIds {
    pub fn new(adapter: u128, w: &World) -> PageIds {
        PageIds {
            adapter: Uuid::of(adapter),
            vcenter: Uuid::of(w.vcenter),
        }
    }
}

fn ident(out: &mut Out, name: &str, unique: bool, value: impl FnOnce(&mut Out)) {
    out.raw(r#"{"identifierType":{"dataType":"STRING","isPartOfUniqueness":"#)
        .raw(if unique { "true" } else { "false" })
        .raw(r#","name":""#)
        .raw(name)
        .raw(r#""},"value":"#);
    value(out);
    out.raw("}");
}

fn badge(out: &mut Out, colour: &str, score: f64, kind: &str) {
    out.raw(r#"{"color":""#)
        .raw(colour)
        .raw(r#"","score":"#)
        .value(&score)
        .raw(r#","type":""#)
        .raw(kind)
        .raw(r#""}"#);
}

/// The links every resource carries: (path after its id, or none for the alerts link), name,
/// rel; in the order `resources::resource` lists them.
const LINKS: [(Option<&str>, &str, &str); 6] = [
    (Some(""), "linkToSelf", "SELF"),
    (Some("/relationships"), "relationsOfResource", "RELATED"),
    (Some("/properties"), "propertiesOfResource", "RELATED"),
    (None, "alertsOfResource", "RELATED"),
    (Some("/statkeys"), "statKeysOfResource", "RELATED"),
    (Some("/stats/latest"), "latestStatsOfResource", "RELATED"),
];

/// Resource `r`, as `serde_json::to_vec(&resources::resource(s, w, r))` writes it.
pub fn resource(out: &mut Out, s: &VropsShared, w: &World, r: Res, ids: &PageIds) {
    let id = &Uuid::of(r.uuid(s.seed()));
    let b = alerts::badges(s, w, r);
    out.raw(r#"{"badges":["#);
    badge(out, good_low_colour(b.risk), b.risk, "RISK");
    out.raw(",");
    badge(out, good_high_colour(b.health), b.health, "HEALTH");
    out.raw(",");
    badge(
        out,
        good_high_colour(b.efficiency),
        b.efficiency,
        "EFFICIENCY",
    );
    out.raw(r#"],"creationTime":"#)
        .value(&super::resources::creation_ms(s, w, r))
        .raw(r#","dtEnabled":true,"identifier":"#)
        .uuid(id)
        .raw(r#","links":["#);
    for (n, (tail, name, rel)) in LINKS.into_iter().enumerate() {
        if n > 0 {
            out.raw(",");
        }
        out.raw(r#"{"href":""#);
        match tail {
            Some(tail) => out.raw("/suite-api/api/resources/").uuid_bare(id).raw(tail),
            None => out.raw("/suite-api/api/alerts?resourceId=").uuid_bare(id),
        };
        out.raw(r#"","name":""#)
            .raw(name)
            .raw(r#"","rel":""#)
            .raw(rel)
            .raw(r#""}"#);
    }
    out.raw(r#"],"relatedResources":[],"resourceHealth":""#)
        .raw(good_high_colour(b.health))
        .raw(r#"","resourceHealthValue":"#)
        .value(&b.health)
        .raw(r#","resourceKey":{"adapterKindKey":""#)
        .raw(ADAPTER_KIND)
        .raw(r#"","name":"#);
    let name = super::resources::name_of(w, r);
    out.str(name).raw(r#","resourceIdentifiers":["#);
    identifiers(out, s, w, r, name, ids);
    out.raw(r#"],"resourceKindKey":""#)
        .raw(r.kind())
        .raw(r#""},"resourceStatusStates":[{"adapterInstanceId":"#)
        .uuid(&ids.adapter)
        .raw(
            r#","resourceState":"STARTED","resourceStatus":"DATA_RECEIVING","statusMessage":""}]}"#,
        );
}

fn identifiers(out: &mut Out, s: &VropsShared, w: &World, r: Res, name: &str, ids: &PageIds) {
    let vcid = |out: &mut Out| match vcid_of(s, r) {
        Some(second) => {
            out.str(second);
        }
        None => {
            out.uuid(&ids.vcenter);
        }
    };
    match r {
        Res::Adapter => {
            ident(out, "AUTODISCOVERY", false, |o| {
                o.raw(r#""true""#);
            });
            out.raw(",");
            ident(out, "VCURL", true, |o| {
                o.str(&format!("{}/sdk", s.vcenter_url));
            });
            out.raw(",");
            ident(out, "VMEntityVCID", false, vcid);
        }
        Res::Vm(i) | Res::Twin(i) => {
            let vm = &w.vms[i as usize];
            ident(out, "isPingEnabled", false, |o| {
                o.raw(r#""""#);
            });
            out.raw(",");
            ident(out, "VMEntityInstanceUUID", false, |o| {
                o.uuid(&Uuid::of(vm.id));
            });
            out.raw(",");
            ident(out, "VMEntityName", false, |o| {
                o.str(name);
            });
            out.raw(",");
            ident(out, "VMEntityObjectID", true, |o| {
                o.raw(r#""vm-"#).value(&vm.moref).raw(r#"""#);
            });
            out.raw(",");
            ident(out, "VMEntityVCID", true, vcid);
            out.raw(",");
            ident(out, "VMServiceMonitoringEnabled", false, |o| {
                o.raw(r#""""#);
            });
        }
        _ => {
            ident(out, "VMEntityName", false, |o| {
                o.str(name);
            });
            out.raw(",");
            let moid = super::resources::moid(w, r).unwrap_or_default();
            ident(out, "VMEntityObjectID", true, |o| {
                o.str(&moid);
            });
            out.raw(",");
            ident(out, "VMEntityVCID", true, vcid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Uuid;
    use crate::sim::world::uuid_str;

    #[test]
    fn a_uuid_encoded_once_reads_as_the_world_writes_it() {
        for id in [0, 1, u128::MAX, 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210] {
            assert_eq!(std::str::from_utf8(&Uuid::of(id).0).unwrap(), uuid_str(id));
        }
    }
}
