//! A small swagger 2.0 checker for the vCenter and Aria Operations spec tests: walks
//! `definitions` through `$ref`, reports missing required properties, properties outside a
//! definition, wrong JSON types and values outside an enum (minus an allow-list of newer
//! additions, property names the real server spells differently from its spec, and properties
//! whose real type differs from the spec's).

use std::path::Path;

use serde_json::Value;

pub fn load(name: &str) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vcenter/specs");
    let file = dir.join(format!("vsphere-7.0.3_{name}.json"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).expect("spec is JSON")
}

/// The Aria Operations suite-api spec (swagger 2.0 in YAML), read once.
pub fn load_vrops() -> &'static Value {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/vrops/specs/aria-operations-8.18.4_external.swagger.yaml");
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        serde_norway::from_str(&text).expect("spec is YAML")
    })
}

pub struct Checker<'a> {
    pub spec: &'a Value,
    pub allow: &'a [&'a str],
    /// (name the server sends, name in the spec), e.g. `stat-list` for `stats`.
    pub renames: &'a [(&'a str, &'a str)],
    /// Properties whose type the real server does not send as specified (only their type goes
    /// unchecked).
    pub loose: &'a [&'a str],
    pub errors: Vec<String>,
}

impl<'a> Checker<'a> {
    pub fn new(spec: &'a Value, allow: &'a [&'a str]) -> Self {
        Checker {
            spec,
            allow,
            renames: &[],
            loose: &[],
            errors: vec![],
        }
    }

    fn spec_name<'k>(&self, k: &'k str) -> &'k str
    where
        'a: 'k,
    {
        self.renames
            .iter()
            .find(|(real, _)| *real == k)
            .map_or(k, |(_, spec)| spec)
    }

    fn resolve<'b>(&'b self, mut schema: &'b Value) -> &'b Value {
        while let Some(r) = schema["$ref"].as_str() {
            let name = r.trim_start_matches("#/definitions/");
            schema = &self.spec["definitions"][name];
            assert!(!schema.is_null(), "dangling $ref {r}");
        }
        schema
    }

    pub fn check(&mut self, schema: &Value, v: &Value, at: &str) {
        let schema = self.resolve(schema).clone();
        if let Some(values) = schema["enum"].as_array() {
            let ok = v
                .as_str()
                .is_some_and(|s| values.iter().any(|e| e == s) || self.allow.contains(&s));
            if !ok {
                self.errors.push(format!("{at}: {v} not in enum"));
            }
            return;
        }
        let kind = schema["type"]
            .as_str()
            .unwrap_or(if schema.get("properties").is_some() {
                "object"
            } else {
                "any"
            });
        match kind {
            "object" => self.object(&schema, v, at),
            "array" => match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check(&schema["items"], item, &format!("{at}[{i}]"));
                    }
                }
                None => self.errors.push(format!("{at}: expected array, got {v}")),
            },
            "string" if !v.is_string() => {
                self.errors.push(format!("{at}: expected string, got {v}"))
            }
            "integer" if !(v.is_i64() || v.is_u64()) => {
                self.errors.push(format!("{at}: expected integer, got {v}"))
            }
            "boolean" if !v.is_boolean() => {
                self.errors.push(format!("{at}: expected boolean, got {v}"))
            }
            "number" if !v.is_number() => {
                self.errors.push(format!("{at}: expected number, got {v}"))
            }
            _ => {}
        }
    }

    fn object(&mut self, schema: &Value, v: &Value, at: &str) {
        let Some(obj) = v.as_object() else {
            self.errors.push(format!("{at}: expected object, got {v}"));
            return;
        };
        if let Some(extra) = schema.get("additionalProperties") {
            for (k, x) in obj {
                self.check(extra, x, &format!("{at}.{k}"));
            }
            return;
        }
        // An object with neither properties nor additionalProperties is free-form.
        let Some(props) = schema["properties"].as_object().cloned() else {
            return;
        };
        for r in schema["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !obj.keys().any(|k| self.spec_name(k) == r) {
                self.errors.push(format!("{at}: required {r} missing"));
            }
        }
        for (k, x) in obj {
            match props.get(self.spec_name(k)) {
                Some(_) if self.loose.contains(&k.as_str()) => {}
                Some(p) => self.check(p, x, &format!("{at}.{k}")),
                None if self.allow.contains(&k.as_str()) => {}
                None => self
                    .errors
                    .push(format!("{at}: {k} is not in the definition")),
            }
        }
    }
}
