//! Every real vRO sample (`tests/fixtures/vro/samples`) against the simulator's answer to the
//! same request: the same field names at each level, the same `rel`s and list attributes, the
//! same value wrappers, and dates of the same kind for the generation the sample came from.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::VroVersion;
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::Power;

use crate::sim_vro_support::*;

fn sample(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/vro/samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// The union of the keys of every object in a list.
fn item_keys(v: &Value) -> BTreeSet<String> {
    v.as_array().unwrap().iter().flat_map(keys).collect()
}

fn rels(links: &Value) -> BTreeSet<String> {
    links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap().to_string())
        .collect()
}

fn attribute_names(link: &Value) -> BTreeSet<String> {
    link["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

fn same<T: std::fmt::Debug + PartialEq>(what: &str, real: T, sim: T) {
    assert_eq!(real, sim, "{what}: real (left) vs simulator (right)");
}

fn vm_input() -> Value {
    let w = vnav::sim::generate::generate(100, 42);
    let v = w.vms.iter().position(|v| v.power == Power::On).unwrap() as u32;
    param(
        "vm",
        "VC:VirtualMachine",
        json!({"sdk-object": {"type": "VC:VirtualMachine", "id": vm_moid(&w, v)}}),
    )
}

#[tokio::test]
async fn workflow_list_get_and_presentation_have_the_real_shapes() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let real = sample("vco_workflows_list.json");
    let sim = c
        .ok("/workflows?conditions=name=Power%20off%20virtual%20machine")
        .await;
    same("list keys", keys(&real), keys(&sim));
    same(
        "link keys",
        item_keys(&real["link"]),
        item_keys(&sim["link"]),
    );
    same(
        "list attributes",
        attribute_names(&real["link"][0]),
        attribute_names(&sim["link"][0]),
    );
    let id = attr(&sim["link"][0], "id").unwrap();
    let got = c.ok(&format!("/workflows/{id}")).await;
    for name in ["vco_workflow_get.json", "vco_workflow_get_library.json"] {
        let real = sample(name);
        same(name, keys(&real), keys(&got));
        same(
            "workflow rels",
            rels(&real["relations"]["link"]),
            rels(&got["relations"]["link"]),
        );
        for side in ["input-parameters", "output-parameters"] {
            let sim_keys = item_keys(&got[side]);
            let real_keys = item_keys(&real[side]);
            assert!(
                sim_keys.is_subset(&real_keys),
                "{name} {side}: {sim_keys:?}"
            );
        }
    }
    let real = sample("vco_workflow_presentation.json");
    let rotate = s.vro_workflow_id("Rotate certificate").unwrap();
    let sim = c.ok(&format!("/workflows/{rotate}/presentation")).await;
    same("presentation keys", keys(&real), keys(&sim));
    same(
        "presentation rels",
        rels(&real["relations"]["link"]),
        rels(&sim["relations"]["link"]),
    );
    let (real_step, sim_step) = (&real["steps"][0]["step"], &sim["steps"][0]["step"]);
    same("step keys", keys(real_step), keys(sim_step));
    same(
        "element keys",
        item_keys(&real_step["elements"]),
        item_keys(&sim_step["elements"]),
    );
    let fields = |step: &Value| {
        step["elements"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["id"].as_str().unwrap().to_string(), f.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (real_fields, sim_fields) = (fields(real_step), fields(sim_step));
    let real_field_keys = item_keys(&Value::Array(real_fields.values().cloned().collect()));
    for (id, f) in &sim_fields {
        let mut k = keys(f);
        // The default value: a key the captured presentation has no instance of.
        k.remove("value");
        same(&format!("field {id} keys"), real_field_keys.clone(), k);
    }
    // The same hints, spelled the same: a mandatory constraint and a drop-down of typed values.
    same(
        "mandatory constraint",
        &real_fields["businessUnit"]["constraints"],
        &sim_fields["hostname"]["constraints"],
    );
    same(
        "drop-down decorator keys",
        item_keys(&real_fields["businessUnit"]["decorators"]),
        item_keys(&sim_fields["validityDays"]["decorators"]),
    );
    assert_eq!(
        sim_fields["validityDays"]["decorators"][0]["@type"],
        "drop-down"
    );
    assert_eq!(
        sim_fields["validityDays"]["value"],
        json!({"number": {"value": 365.0}})
    );
}

#[tokio::test]
async fn a_vro_8_run_starts_with_the_real_answer() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let real = sample("vco_execution_start_running_vro8.json");
    let id = s.vro_workflow_id("Apply guest OS patches").unwrap();
    let (st, _, sim) = c.run(&id, json!([vm_input()])).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    same("start keys", keys(&real), keys(&sim));
    same("state", &real["state"], &sim["state"]);
    // 8.x dates: ISO-8601 with an offset, to the millisecond.
    let (r, m) = (
        real["start-date"].as_str().unwrap(),
        sim["start-date"].as_str().unwrap(),
    );
    same("date length", r.len(), m.len());
    same("date offset", &r[r.len() - 6..], &m[m.len() - 6..]);
}

#[tokio::test]
async fn a_vro_7_run_its_list_and_its_logs_have_the_real_shapes() {
    // The captured executions and logs come from a 5.5–6.x server: epoch-ms dates, `/logs`,
    // which is what generation 7 serves.
    let s = vro_sim(VroVersion::V7).await;
    let c = vro_basic(&s);
    let id = s.vro_workflow_id("Extend disk").unwrap();
    let location = c
        .started(
            &id,
            json!([
                vm_input(),
                param("growGb", "number", json!({"number": {"value": 10}})),
                param("diskIndex", "number", json!({"number": {"value": 0}})),
            ]),
        )
        .await;
    s.advance(Duration::from_secs(31));
    let (_, _, sim) = c.send(Method::GET, &location, None, "*/*").await;
    let real = sample("vco_execution_completed.json");
    same("execution keys", keys(&real), keys(&sim));
    same(
        "execution rels",
        rels(&real["relations"]["link"]),
        rels(&sim["relations"]["link"]),
    );
    for k in ["start-date", "end-date"] {
        assert!(real[k].is_i64() && sim[k].is_i64(), "{k}: {sim}");
    }
    for side in ["input-parameters", "output-parameters"] {
        same(side, item_keys(&real[side]), item_keys(&sim[side]));
    }
    // Value wrappers per type, as the real run wrote them.
    let wrapper = |params: &Value, ty: &str| {
        params
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["type"] == ty)
            .map(|p| {
                (
                    keys(&p["value"]),
                    keys(p["value"].as_object().unwrap().values().next().unwrap()),
                )
            })
    };
    for ty in ["string", "number"] {
        same(
            ty,
            wrapper(&real["output-parameters"], ty),
            wrapper(&sim["output-parameters"], ty),
        );
    }
    let real = sample("vco_workflow_executions_list.json");
    let sim = c.ok(&format!("/workflows/{id}/executions/")).await;
    same("list keys", keys(&real), keys(&sim));
    same(
        "list relations keys",
        keys(&real["relations"]),
        keys(&sim["relations"]),
    );
    same(
        "list rels",
        rels(&real["relations"]["link"]),
        rels(&sim["relations"]["link"]),
    );
    let downs_real = downs(&real);
    let downs_sim = downs(&sim);
    same(
        "run attributes",
        attribute_names(&downs_real[0]),
        attribute_names(&downs_sim[0]),
    );
    same("run link keys", keys(&downs_real[0]), keys(&downs_sim[0]));
    let real = sample("vco_execution_logs.json");
    let sim = c.ok(&format!("{location}logs/")).await;
    same("logs keys", keys(&real), keys(&sim));
    let entries = |v: &Value| {
        v["logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| keys(&e["entry"]))
            .collect::<BTreeSet<_>>()
    };
    same("log entry keys", entries(&real), entries(&sim));
    assert!(sim["logs"][0]["entry"]["time-stamp"].is_i64());
}
