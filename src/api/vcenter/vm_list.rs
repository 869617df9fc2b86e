//! The REST VM list (`GET /api/vcenter/vm`, `/rest/vcenter/vm`) read straight from the answer's
//! bytes into tree nodes. Read as a `serde_json::Value` first, each summary was a map with a
//! `String` per key and value, built and dropped again: at 100,000 VMs (723 lists in the
//! snapshot view) the biggest share of the vCenter client's time (issue 18). Only the fields a
//! VM's node shows are kept; each is read as `Value`'s accessors read it, so the nodes are the
//! ones `map::summary_node` makes of the same answer.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::dialect::Dialect;
use super::map;
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::Node;

/// One field as `Value::as_str` / `as_u64` see it: a string, an unsigned integer, or anything
/// else (read past, not kept).
enum Field<'a> {
    Str(Cow<'a, str>),
    U64(u64),
    Other,
}

impl Field<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Field::Str(s) => Some(s),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            Field::U64(n) => Some(*n),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Any<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Any<'a> {
            type Value = Field<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Field<'a>, E> {
                Ok(Field::Str(Cow::Borrowed(s)))
            }
            // A string with escapes is unescaped into a buffer of the parser's.
            fn visit_str<E>(self, s: &str) -> Result<Field<'a>, E> {
                Ok(Field::Str(Cow::Owned(s.to_string())))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Field<'a>, E> {
                Ok(Field::U64(n))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Field<'a>, E> {
                Ok(u64::try_from(n).map_or(Field::Other, Field::U64))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Field<'a>, E> {
                Ok(Field::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Field<'a>, E> {
                Ok(Field::Other)
            }
            fn visit_unit<E>(self) -> Result<Field<'a>, E> {
                Ok(Field::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
        }
        d.deserialize_any(Any(std::marker::PhantomData))
    }
}

/// A VM's list summary: what its node shows, nothing else kept.
#[derive(Deserialize)]
struct Summary<'a> {
    #[serde(borrow, default)]
    vm: Option<Field<'a>>,
    #[serde(borrow, default)]
    name: Option<Field<'a>>,
    #[serde(borrow, default)]
    power_state: Option<Field<'a>>,
    #[serde(borrow, default)]
    connection_state: Option<Field<'a>>,
    #[serde(borrow, default)]
    cpu_count: Option<Field<'a>>,
    #[serde(rename = "memory_size_MiB", borrow, default)]
    memory: Option<Field<'a>>,
}

impl Summary<'_> {
    /// The node `map::summary_node` makes of the same summary (none without a moid).
    fn node(&self) -> Option<Node> {
        let moid = self.vm.as_ref()?.as_str()?;
        let u64_of = |f: &Option<Field>| f.as_ref().and_then(Field::as_u64);
        let state = (self.power_state.as_ref().and_then(Field::as_str))
            .or(self.connection_state.as_ref().and_then(Field::as_str));
        Some(map::vm_node(
            moid,
            self.name.as_ref().and_then(Field::as_str),
            state,
            u64_of(&self.cpu_count),
            u64_of(&self.memory),
        ))
    }
}

/// The fewest bytes a VM summary takes in a list (`{"vm":"vm-1","name":"a","power_state":"ON"}`
/// and a comma), so a body of `n` bytes holds at most `n / SUMMARY_BYTES` VMs.
const SUMMARY_BYTES: usize = 48;

/// A list's nodes, each summary mapped as soon as it is read: no vector of summaries (each
/// ~200 bytes) grown and dropped first. The vector has room for as many VMs as the body could
/// hold (`Nodes::room`): grown by doubling, each step faulted in a fresh block and copied the
/// nodes over, at 100,000 VMs a tenth of the vCenter client's page faults (issue 18); the room
/// never written is never faulted in.
struct Nodes {
    room: usize,
}

impl<'de> de::DeserializeSeed<'de> for Nodes {
    type Value = Vec<Node>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<Node>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Nodes {
    type Value = Vec<Node>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Node>, A::Error> {
        let mut nodes = Vec::with_capacity(self.room);
        while let Some(summary) = seq.next_element::<Summary>()? {
            nodes.extend(summary.node());
        }
        Ok(nodes)
    }
}

/// `/rest` wraps every payload in `{"value": …}`: the list under `value`, other keys read past.
struct Wrapped(Nodes);

impl<'de> Visitor<'de> for Wrapped {
    type Value = Vec<Node>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with a value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Node>, A::Error> {
        let mut nodes = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match (key == "value", nodes.is_none()) {
                (true, true) => {
                    nodes = Some(map.next_value_seed(Nodes { room: self.0.room })?);
                }
                (true, false) => return Err(de::Error::duplicate_field("value")),
                (false, _) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        nodes.ok_or_else(|| de::Error::missing_field("value"))
    }
}

/// The nodes of one VM list answer, in the server's order.
pub fn nodes(dialect: Dialect, body: &[u8]) -> ApiResult<Vec<Node>> {
    let bad = |e: serde_json::Error| ApiError::parse(format!("vCenter VM list: {e}"));
    let seed = Nodes {
        room: body.len() / SUMMARY_BYTES,
    };
    let mut d = serde_json::Deserializer::from_slice(body);
    let nodes = match dialect {
        Dialect::Api => de::DeserializeSeed::deserialize(seed, &mut d),
        Dialect::Rest => de::Deserializer::deserialize_map(&mut d, Wrapped(seed)),
    }
    .and_then(|nodes| d.end().map(|()| nodes))
    .map_err(bad)?;
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// The nodes `map::summary_node` makes of the same answer read as a `Value`.
    fn by_value(dialect: Dialect, body: &[u8]) -> Vec<Node> {
        let v: Value = serde_json::from_slice(body).unwrap();
        let v = dialect.unwrap(v);
        let items = v.as_array().cloned().unwrap_or_default();
        (items.iter())
            .filter_map(|i| map::summary_node(map::VM, i))
            .collect()
    }

    fn sample(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/vcenter/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn real_lists_read_as_the_value_reading() {
        for (file, dialect) in [
            ("api_vcenter_vm_list.json", Dialect::Api),
            ("rest_vcenter_vm_list.json", Dialect::Rest),
        ] {
            let body = sample(file);
            let typed = nodes(dialect, &body).unwrap();
            assert!(!typed.is_empty(), "{file}");
            assert_eq!(typed, by_value(dialect, &body), "{file}");
            // The room made for the nodes held every one of them: no step of growth.
            assert!(body.len() / SUMMARY_BYTES >= typed.len(), "{file}");
        }
    }

    /// `/rest`'s wrapper: other keys read past; no list, two lists or bytes after it refused.
    #[test]
    fn the_rest_wrapper_holds_one_list() {
        let read = |body: &str| nodes(Dialect::Rest, body.as_bytes());
        let one = read(r#"{"note": {"a": [1]}, "value": [{"vm": "vm-1"}], "more": null}"#);
        assert_eq!(one.unwrap().len(), 1);
        for bad in [
            r#"{"note": 1}"#,
            r#"{"value": [], "value": []}"#,
            r#"{"value": []} []"#,
            r#"[{"vm": "vm-1"}]"#,
        ] {
            assert!(matches!(read(bad), Err(ApiError::Parse(_))), "{bad}");
        }
    }

    /// Escapes, missing and `null` fields, numbers that are no u64, values of other types and
    /// unknown fields holding objects: each read as `Value`'s accessors read it.
    #[test]
    fn odd_summaries_read_as_the_value_reading() {
        let items = r#"[
            {"vm": "vm-1", "name": "a \"quoted\" \\ name\u00e9\n", "power_state": "POWERED_ON",
             "cpu_count": 2, "memory_size_MiB": 4096},
            {"vm": "vm-2", "name": null, "power_state": null, "connection_state": "DISCONNECTED",
             "cpu_count": -1, "memory_size_MiB": 1.5},
            {"vm": "vm-3", "name": 7, "cpu_count": "2", "memory_size_MiB": 99999999999,
             "extra": {"nested": [1, {"deep": true}]}, "tags": ["x", null]},
            {"vm": "vm-4"},
            {"name": "no moid"},
            {"vm": 5, "name": "numeric moid"},
            {"vm": "vm-\u0036", "power_state": {"odd": 1}, "cpu_count": true}
        ]"#;
        let rest = format!(r#"{{"value": {items}}}"#);
        for (dialect, body) in [(Dialect::Api, items), (Dialect::Rest, rest.as_str())] {
            let typed = nodes(dialect, body.as_bytes()).unwrap();
            assert_eq!(typed.len(), 5, "{dialect:?}");
            let ids: Vec<String> = typed.iter().map(|n| n.id.to_string()).collect();
            let moids = ["vm-1", "vm-2", "vm-3", "vm-4", "vm-6"];
            let want: Vec<String> = moids.map(|m| map::node_id(map::VM, m)).into();
            assert_eq!(ids, want, "{dialect:?}");
            assert_eq!(typed, by_value(dialect, body.as_bytes()), "{dialect:?}");
        }
        assert_eq!(nodes(Dialect::Api, b"[]").unwrap(), Vec::new());
    }

    /// A body cut short is a parse error, which the session asks again for.
    #[test]
    fn a_cut_body_is_a_parse_error() {
        let body = sample("api_vcenter_vm_list.json");
        let cut = &body[..body.len() / 2];
        assert!(matches!(nodes(Dialect::Api, cut), Err(ApiError::Parse(_))));
        assert!(matches!(nodes(Dialect::Rest, b""), Err(ApiError::Parse(_))));
    }
}
