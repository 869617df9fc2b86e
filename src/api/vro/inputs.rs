//! A run's typed inputs into the body `POST …/executions` takes: `{"parameters":[{"name",
//! "type","value":{wrapper}}]}`, each value in vRO's wrapper for its declared type. The body
//! carries secure strings in clear (the server needs them): it is built for one request only.

use serde_json::{Value, json};

use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{ParamSpec, ParamType, ParamValue};

/// vRO's own name of a declared type, as the POST must repeat it.
pub fn type_name(ty: &ParamType) -> &str {
    match ty {
        ParamType::String => "string",
        ParamType::SecureString => "SecureString",
        ParamType::Number => "number",
        ParamType::Boolean => "boolean",
        ParamType::Date => "Date",
        ParamType::StringList => "Array/string",
        ParamType::Properties => "Properties",
        ParamType::SdkObject(t) | ParamType::Unsupported(t) => t,
    }
}

fn string(s: &str) -> Value {
    json!({"string": {"value": s}})
}

/// A value in its typed wrapper.
pub fn wrapper(v: &ParamValue) -> Value {
    match v {
        ParamValue::Text(s) => string(s),
        ParamValue::Secret(s) => json!({"secure-string": {"value": s.expose()}}),
        ParamValue::Number(n) => json!({"number": {"value": n}}),
        ParamValue::Bool(b) => json!({"boolean": {"value": b}}),
        ParamValue::Date(d) => json!({"date": {"value": d
            .to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()}}),
        ParamValue::List(l) => {
            json!({"array": {"elements": l.iter().map(|s| string(s)).collect::<Vec<_>>()}})
        }
        ParamValue::Properties(p) => json!({"properties": {"property": p
            .iter()
            .map(|(k, v)| json!({"key": k, "value": string(v)}))
            .collect::<Vec<_>>()}}),
        ParamValue::SdkObject { ty, id } => json!({"sdk-object": {"type": &**ty, "id": id}}),
    }
}

/// The execution body for `inputs`, typed by the workflow's declared `specs`. An input the
/// workflow does not declare, or one of a type vnav cannot send, is refused before anything
/// is sent.
pub fn body(specs: &[ParamSpec], inputs: &[(String, ParamValue)]) -> ApiResult<Value> {
    let mut parameters = Vec::with_capacity(inputs.len());
    for (name, value) in inputs {
        let spec = specs.iter().find(|s| &s.name == name).ok_or_else(|| {
            ApiError::Unsupported(format!("the workflow declares no input named {name}"))
        })?;
        if let ParamType::Unsupported(t) = &spec.ty {
            return Err(ApiError::Unsupported(format!(
                "vnav cannot send a value of type {t} (input {name})"
            )));
        }
        parameters.push(json!({
            "name": name,
            "type": type_name(&spec.ty),
            "scope": "local",
            "value": wrapper(value),
        }));
    }
    Ok(json!({ "parameters": parameters }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::SecretText;
    use crate::api::vro::map;

    #[test]
    fn every_value_goes_out_in_the_wrapper_it_reads_back_as() {
        let values = [
            ParamValue::Text("web-01".into()),
            ParamValue::Number(20.0),
            ParamValue::Bool(true),
            ParamValue::Date(time::macros::datetime!(2026-12-06 10:00 UTC)),
            ParamValue::List(vec!["a".into(), "b".into()]),
            ParamValue::Properties(vec![("ticket".into(), "CHG-1".into())]),
            ParamValue::SdkObject {
                ty: "VC:VirtualMachine".into(),
                id: "vm-12".into(),
            },
        ];
        for v in values {
            assert_eq!(map::value(&wrapper(&v)), Some(v.clone()), "{v:?}");
        }
        let secret = wrapper(&ParamValue::Secret(SecretText::new("s3cret")));
        assert_eq!(secret["secure-string"]["value"], "s3cret");
    }

    #[test]
    fn the_body_types_inputs_by_their_declaration_and_refuses_unknown_ones() {
        let specs = vec![
            ParamSpec::new("vm", ParamType::SdkObject("VC:VirtualMachine".into())),
            ParamSpec::new("pw", ParamType::SecureString),
            ParamSpec::new("odd", ParamType::Unsupported("Array/VC:Host".into())),
        ];
        let b = body(
            &specs,
            &[("pw".into(), ParamValue::Secret(SecretText::new("x")))],
        )
        .unwrap();
        assert_eq!(b["parameters"][0]["type"], "SecureString");
        assert_eq!(b["parameters"][0]["name"], "pw");
        let e = body(&specs, &[("nope".into(), ParamValue::Bool(true))]).unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let e = body(&specs, &[("odd".into(), ParamValue::Bool(true))]).unwrap_err();
        assert!(e.to_string().contains("Array/VC:Host"), "{e}");
    }
}
