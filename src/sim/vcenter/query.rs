//! List filters from the query string: `/rest` spells them `filter.names.1=a&filter.names.2=b`,
//! `/api` spells them `names=a&names=b`; values of one key are OR-ed, keys AND-ed.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use super::errors::{VcError, VcResult};
use super::{Dialect, Req};

#[derive(Default, Debug)]
pub struct Filters {
    map: HashMap<String, Vec<String>>,
}

impl Filters {
    /// Collects the filter keys of `r`; a key outside `allowed` is an `invalid_argument`.
    pub fn parse(r: &Req, allowed: &[&str]) -> VcResult<Filters> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in &r.query {
            if k == "action" || k == "~action" {
                continue;
            }
            let key = match r.d {
                Dialect::Rest => k.strip_prefix("filter.").ok_or_else(|| {
                    VcError::invalid_argument(format!("Unexpected query parameter {k}"))
                })?,
                Dialect::Api => k.as_str(),
            };
            let key = match key.rsplit_once('.') {
                Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
                _ => key,
            };
            if !allowed.contains(&key) {
                return Err(VcError::invalid_argument(format!(
                    "Unexpected filter field {key}"
                )));
            }
            map.entry(key.to_string()).or_default().push(v.clone());
        }
        Ok(Filters { map })
    }

    /// How many distinct filter keys were given.
    pub fn key_count(&self) -> usize {
        self.map.len()
    }

    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.map.get(key).map(Vec::as_slice)
    }

    /// The values of `key` resolved by `f`; values that resolve to nothing match nothing.
    pub fn set<T: Eq + Hash>(
        &self,
        key: &str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Option<HashSet<T>> {
        self.values(key)
            .map(|vs| vs.iter().filter_map(|v| f(v)).collect())
    }

    /// Values of an enumerated filter; an unknown value is an `invalid_argument`.
    pub fn enums(&self, key: &str, allowed: &[&str]) -> VcResult<Option<HashSet<String>>> {
        let Some(vs) = self.values(key) else {
            return Ok(None);
        };
        for v in vs {
            if !allowed.contains(&v.as_str()) {
                return Err(VcError::invalid_argument(format!(
                    "Invalid value {v} for filter field {key}"
                )));
            }
        }
        Ok(Some(vs.iter().cloned().collect()))
    }

    pub fn boolean(&self, key: &str) -> VcResult<Option<bool>> {
        match self.values(key).and_then(|v| v.last()).map(String::as_str) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(v) => Err(VcError::invalid_argument(format!(
                "Invalid boolean {v} for filter field {key}"
            ))),
        }
    }
}

/// Whether `x` passes an optional set filter.
pub fn pass<T: Eq + Hash>(set: &Option<HashSet<T>>, x: &T) -> bool {
    set.as_ref().is_none_or(|s| s.contains(x))
}

/// Whether any of `xs` passes an optional set filter (for containment chains).
pub fn pass_any<T: Eq + Hash>(set: &Option<HashSet<T>>, mut xs: impl Iterator<Item = T>) -> bool {
    match set {
        None => true,
        Some(s) => xs.any(|x| s.contains(&x)),
    }
}
