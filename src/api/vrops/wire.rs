//! The suite-api's resource lists decoded into only what a tree node needs. A page of 1,000
//! resources is ~2 MB of JSON, most of it badges, status states and identifiers vnav does not
//! keep; decoding it whole into `serde_json::Value` cost ~10× its size in short-lived
//! allocations per page, which the allocator kept (135 MB RSS for 100,000 resources, see
//! BENCHMARKS.md). These structs borrow their strings from the page's bytes and skip every
//! other field without allocating. A `&Value` (one resource's details) decodes through the same
//! structs, so a node reads the same wherever it comes from.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

/// A string borrowed from the page when it holds no escapes, owned otherwise. (`Cow<str>`
/// inside an `Option` never borrows with serde's derive; this does.)
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'a> Text<'a> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub total_count: Option<u64>,
}

/// A page of `GET /resources`, `POST /resources/query` or `…/relationships`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcePage<'a> {
    #[serde(borrow, default)]
    pub resource_list: Vec<Resource<'a>>,
    #[serde(default)]
    pub page_info: PageInfo,
}

/// What a node keeps of one resource.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<'a> {
    #[serde(borrow, default)]
    pub identifier: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub resource_key: ResourceKey<'a>,
    #[serde(borrow, default)]
    pub resource_health: Option<Text<'a>>,
    #[serde(default)]
    pub resource_health_value: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceKey<'a> {
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub resource_kind_key: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub resource_identifiers: Vec<Identifier<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier<'a> {
    #[serde(borrow, default)]
    pub identifier_type: IdentifierType<'a>,
    #[serde(borrow, default)]
    pub value: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct IdentifierType<'a> {
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
}

impl Resource<'_> {
    /// The value of the identifier named `name` (`VMEntityObjectID`, `VMEntityVCID`…), when
    /// present and not empty.
    pub fn identifier_value(&self, name: &str) -> Option<&str> {
        self.resource_key
            .resource_identifiers
            .iter()
            .find(|i| i.identifier_type.name.as_ref().map(Text::as_str) == Some(name))
            .and_then(|i| i.value.as_ref())
            .map(Text::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// A page of `GET /alerts` or `POST /alerts/query`: alerts are few (a few percent of the
/// resources), so they stay JSON values for the detail sections that read many of their fields.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertPage {
    #[serde(default)]
    pub alerts: Vec<serde_json::Value>,
    #[serde(default)]
    pub page_info: PageInfo,
}

/// `POST /resources/stats/latest/query`: each resource's latest points of the keys asked for.
#[derive(Debug, Default, Deserialize)]
pub struct LatestStats<'a> {
    #[serde(borrow, default)]
    pub values: Vec<LatestOf<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LatestOf<'a> {
    #[serde(rename = "resourceId", borrow, default)]
    pub resource_id: Option<Text<'a>>,
    #[serde(rename = "stat-list", default)]
    pub stat_list: StatList,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatList {
    #[serde(default)]
    pub stat: Vec<Stat>,
}

/// One key's points (a point the server has no value for is null).
#[derive(Debug, Default, Deserialize)]
pub struct Stat {
    #[serde(default)]
    pub data: Vec<Option<f64>>,
}

impl LatestOf<'_> {
    /// The last point of the first key asked for.
    pub fn last(&self) -> Option<f64> {
        *self.stat_list.stat.first()?.data.last()?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_borrow_from_the_page_unless_escaped() {
        let body = br#"{"resourceList": [{"identifier": "r-1", "badges": [{"type": "HEALTH"}],
            "resourceKey": {"name": "a\"b", "resourceKindKey": "VirtualMachine"}}],
            "pageInfo": {"totalCount": 7, "page": 0}}"#;
        let page: ResourcePage = serde_json::from_slice(body).unwrap();
        assert_eq!(page.page_info.total_count, Some(7));
        let r = &page.resource_list[0];
        assert!(matches!(r.identifier, Some(Text(Cow::Borrowed("r-1")))));
        assert!(matches!(&r.resource_key.name, Some(Text(Cow::Owned(n))) if n == "a\"b"));
        assert_eq!(r.resource_health, None);
    }

    #[test]
    fn a_value_decodes_through_the_same_structs() {
        let v = serde_json::json!({"identifier": "r-2", "resourceKey": {"resourceIdentifiers": [
            {"identifierType": {"name": "VMEntityVCID"}, "value": "vc-1"},
            {"identifierType": {"name": "VMEntityObjectID"}, "value": ""}]}});
        let r = Resource::deserialize(&v).unwrap();
        assert_eq!(r.identifier_value("VMEntityVCID"), Some("vc-1"));
        assert_eq!(
            r.identifier_value("VMEntityObjectID"),
            None,
            "empty is none"
        );
        assert!(serde_json::from_str::<ResourcePage>(r#"{"resourceList": 3}"#).is_err());
    }
}
