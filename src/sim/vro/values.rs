//! vRO's typed value wrappers (`{"string":{"value":…}}`, `{"sdk-object":{…}}`, …): building
//! them, and checking a posted value against a parameter's declared type the way the server
//! does before it starts a run.

use serde_json::{Value, json};

/// The wrapper key vRO uses for a declared type (`Array/…` → `array`, SDK types → `sdk-object`).
pub fn wrapper_key(ty: &str) -> &'static str {
    match ty {
        "string" => "string",
        "SecureString" => "secure-string",
        "number" => "number",
        "boolean" => "boolean",
        "Date" => "date",
        "Properties" => "properties",
        t if t.starts_with("Array/") => "array",
        _ => "sdk-object",
    }
}

pub fn string(v: &str) -> Value {
    json!({"string": {"value": v}})
}

pub fn number(v: f64) -> Value {
    json!({"number": {"value": v}})
}

pub fn boolean(v: bool) -> Value {
    json!({"boolean": {"value": v}})
}

pub fn sdk_object(ty: &str, id: &str) -> Value {
    json!({"sdk-object": {"type": ty, "id": id}})
}

pub fn array(elements: Vec<Value>) -> Value {
    json!({"array": {"elements": elements}})
}

/// A parameter as a run echoes it: `{"value","type","name","scope"}`. Secure strings are
/// echoed without their value, so a secret sent once is never served back.
pub fn echoed(name: &str, ty: &str, value: &Value) -> Value {
    let value = if ty == "SecureString" {
        json!({"secure-string": {}})
    } else {
        value.clone()
    };
    json!({"value": value, "type": ty, "name": name, "scope": "local"})
}

/// Why `value` is not a valid `ty`, if it is not. `Ok(true)` when it holds something, `Ok(false)`
/// when it is empty (an empty string, array or property list: a mandatory input is missing).
pub fn check(ty: &str, value: &Value) -> Result<bool, String> {
    if value.is_null() {
        // `"value": null` leaves the input unset, like leaving the parameter out.
        return Ok(false);
    }
    let key = wrapper_key(ty);
    let Some(inner) = value.get(key) else {
        let given = value
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_else(|| "nothing".into());
        return Err(format!("expected a {key} value for type {ty}, got {given}"));
    };
    match key {
        "string" | "secure-string" => match &inner["value"] {
            Value::String(s) => Ok(!s.is_empty()),
            Value::Null => Ok(false),
            other => Err(format!("{other} is not a string")),
        },
        "number" => match &inner["value"] {
            Value::Number(_) => Ok(true),
            Value::Null => Ok(false),
            other => Err(format!("{other} is not a number")),
        },
        "boolean" => match &inner["value"] {
            Value::Bool(_) => Ok(true),
            Value::Null => Ok(false),
            other => Err(format!("{other} is not a boolean")),
        },
        "date" => match &inner["value"] {
            Value::String(s) => time::OffsetDateTime::parse(
                s,
                &time::format_description::well_known::Iso8601::DEFAULT,
            )
            .map(|_| true)
            .map_err(|_| format!("'{s}' is not an ISO-8601 date")),
            Value::Null => Ok(false),
            other => Err(format!("{other} is not a date")),
        },
        "array" => {
            let Some(elements) = inner["elements"].as_array() else {
                return Ok(false);
            };
            let of = ty.strip_prefix("Array/").unwrap_or("string");
            for e in elements {
                check(of, e).map_err(|m| format!("array element: {m}"))?;
            }
            Ok(!elements.is_empty())
        }
        "properties" => {
            let Some(props) = inner["property"].as_array() else {
                return Ok(false);
            };
            for p in props {
                if !p["key"].is_string() || !p["value"].is_object() {
                    return Err("each property needs a string key and a typed value".into());
                }
            }
            Ok(!props.is_empty())
        }
        _ => {
            let given = inner["type"].as_str().unwrap_or("");
            if given != ty {
                return Err(format!("an sdk-object of type '{given}' is not a {ty}"));
            }
            match inner["id"].as_str() {
                Some(id) => Ok(!id.is_empty()),
                None => Ok(false),
            }
        }
    }
}

/// The `id` of an sdk-object value, the string of a string value, and so on (for workflows
/// that read their inputs).
pub fn sdk_id(value: &Value) -> Option<&str> {
    value["sdk-object"]["id"].as_str()
}

pub fn as_str(value: &Value) -> Option<&str> {
    value["string"]["value"].as_str()
}

pub fn as_f64(value: &Value) -> Option<f64> {
    value["number"]["value"].as_f64()
}

pub fn as_bool(value: &Value) -> Option<bool> {
    value["boolean"]["value"].as_bool()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_against_their_declared_type() {
        assert_eq!(check("string", &string("x")), Ok(true));
        assert_eq!(check("string", &string("")), Ok(false));
        assert_eq!(check("VC:VirtualMachine", &Value::Null), Ok(false));
        assert!(check("string", &number(1.0)).is_err());
        assert!(check("number", &json!({"number": {"value": "7"}})).is_err());
        assert_eq!(check("boolean", &boolean(false)), Ok(true));
        let d = json!({"date": {"value": "2026-01-02T03:04:05.000Z"}});
        assert_eq!(check("Date", &d), Ok(true));
        assert!(check("Date", &json!({"date": {"value": "tomorrow"}})).is_err());
        assert_eq!(check("Array/string", &array(vec![string("a")])), Ok(true));
        assert!(check("Array/string", &array(vec![number(1.0)])).is_err());
        assert_eq!(check("Array/string", &array(vec![])), Ok(false));
        let p = json!({"properties": {"property": [{"key": "k", "value": string("v")}]}});
        assert_eq!(check("Properties", &p), Ok(true));
        let vm = sdk_object("VC:VirtualMachine", "vm-1");
        assert_eq!(check("VC:VirtualMachine", &vm), Ok(true));
        assert!(check("vCloud:VApp", &vm).is_err());
        let s = json!({"secure-string": {"value": "hush"}});
        assert_eq!(check("SecureString", &s), Ok(true));
        assert_eq!(
            echoed("pw", "SecureString", &s)["value"],
            json!({"secure-string": {}})
        );
    }
}
