//! Metrics: each resource's load profile from the seed, a deterministic 24 h series of
//! 5-minute points per stat key shaped by the VM's power state (read at request time) and the
//! time of day, badge series from the alerts, rolled up on request; `/stats`, `/stats/latest`,
//! their bulk `query` forms, and `/statkeys`.

use axum::response::Response;
use serde_json::{Value, json};

use super::alerts::{self, DEFS, Impact};
use super::ids::unit;
use super::resources::{self, Res};
use super::{ApiError, ApiResult, Req, VropsShared, limits, now_ms, ok};
use crate::sim::world::World;

pub const STEP_MS: i64 = 300_000;
pub const DAY_MS: i64 = 86_400_000;

const WORKLOAD: [&str; 4] = [
    "cpu|usage_average",
    "mem|usage_average",
    "disk|usage_average",
    "net|usage_average",
];
const BADGES: [&str; 3] = ["badge|health", "badge|risk", "badge|efficiency"];

/// The stat keys a resource has.
pub fn keys_of(r: Res) -> Vec<&'static str> {
    match r {
        Res::Vm(_) | Res::Twin(_) | Res::Host(_) | Res::Cluster(_) => {
            WORKLOAD.iter().chain(&BADGES).copied().collect()
        }
        Res::Datastore(_) => ["disk|usage_average"]
            .iter()
            .chain(&BADGES)
            .copied()
            .collect(),
        Res::Adapter | Res::Datacenter(_) => BADGES.to_vec(),
    }
}

/// A resource's usual CPU and memory load, 0–1.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub cpu: f64,
    pub mem: f64,
}

/// Most VMs run at 8–63 % CPU; about 3 % are hot (86–99 %), about 2 % short of memory.
pub fn load(seed: u64, r: Res) -> Load {
    let (k, i) = r.code();
    let u = |salt: u64| unit(seed, &[salt, k as u64, i as u64]);
    if !matches!(r, Res::Vm(_)) {
        return Load {
            cpu: 0.2 + 0.5 * u(1),
            mem: 0.3 + 0.5 * u(2),
        };
    }
    let cpu = if u(3) < 0.03 {
        0.86 + 0.13 * u(4)
    } else {
        0.08 + 0.55 * u(5) * u(5)
    };
    let mem = if u(6) < 0.02 {
        0.89 + 0.09 * u(7)
    } else {
        0.25 + 0.45 * u(8)
    };
    Load { cpu, mem }
}

/// The value of workload `key` for `r` at 5-minute slot `t` (ms, aligned).
fn workload(seed: u64, w: &World, r: Res, key: &str, t: i64) -> f64 {
    if let Res::Vm(v) = r
        && !resources::vm_on(w, v)
    {
        return 0.0;
    }
    let l = load(seed, r);
    let (k, i) = r.code();
    let hour = (t % DAY_MS) as f64 / 3_600_000.0;
    let day = (std::f64::consts::TAU * (hour - 8.0) / 24.0).sin();
    let salt = WORKLOAD.iter().position(|x| *x == key).unwrap_or(0) as u64;
    let noise = unit(seed, &[20 + salt, k as u64, i as u64, (t / STEP_MS) as u64]) - 0.5;
    let v = match key {
        "cpu|usage_average" => 100.0 * (l.cpu * (0.85 + 0.2 * day) + 0.06 * noise),
        "mem|usage_average" => 100.0 * (l.mem * (0.97 + 0.03 * day) + 0.02 * noise),
        "disk|usage_average" => 20.0 + 3000.0 * l.cpu * (0.85 + 0.2 * day) * (1.0 + noise),
        _ => 10.0 + 2000.0 * l.cpu * (0.85 + 0.2 * day) * (1.0 + noise),
    };
    let v = if key.starts_with("disk") || key.starts_with("net") {
        v.max(0.0)
    } else {
        v.clamp(0.5, 100.0)
    };
    (v * 100.0).round() / 100.0
}

/// Badge `key` at `t` from the alerts active then.
fn badge(alerts: &[alerts::Alert], key: &str, t: i64) -> f64 {
    let impact = match key {
        "badge|health" => Impact::Health,
        "badge|risk" => Impact::Risk,
        _ => Impact::Efficiency,
    };
    let worst = alerts
        .iter()
        .filter(|a| DEFS[a.def as usize].impact == impact)
        .filter(|a| a.start <= t && a.cancel.is_none_or(|c| t < c))
        .map(|a| match a.level {
            "CRITICAL" => 100.0,
            "IMMEDIATE" => 75.0,
            "WARNING" => 50.0,
            _ => 25.0,
        })
        .fold(0.0, f64::max);
    if impact == Impact::Risk {
        worst
    } else {
        100.0 - worst
    }
}

/// The raw 5-minute points of `key` for `r` in `[begin, end]`, oldest first.
fn points(s: &VropsShared, w: &World, r: Res, key: &str, begin: i64, end: i64) -> Vec<(i64, f64)> {
    let seed = s.seed();
    let first = (begin + STEP_MS - 1).div_euclid(STEP_MS) * STEP_MS;
    let alerts = if key.starts_with("badge|") {
        alerts::on(s, w, r)
    } else {
        vec![]
    };
    (0..)
        .map(|n| first + n * STEP_MS)
        .take_while(|&t| t <= end)
        .map(|t| {
            let v = if key.starts_with("badge|") {
                // The current badge for the latest point, so it matches the resource's badges.
                badge(&alerts, key, t)
            } else {
                workload(seed, w, r, key, t)
            };
            (t, v)
        })
        .collect()
}

/// The newest complete slot.
fn latest_slot() -> i64 {
    now_ms().div_euclid(STEP_MS) * STEP_MS
}

fn stat(key: &str, ts: Vec<i64>, data: Vec<f64>, roll: Option<(&str, i64)>) -> Value {
    let mut v = json!({"timestamps": ts, "statKey": {"key": key}, "data": data});
    if let Some((roll, minutes)) = roll {
        v["rollUpType"] = json!(roll);
        v["intervalUnit"] = json!({"intervalType": "MINUTES", "quantifier": minutes});
    }
    v
}

fn requested_keys(r: Res, asked: &[String]) -> Vec<&'static str> {
    keys_of(r)
        .into_iter()
        .filter(|k| asked.is_empty() || asked.iter().any(|a| a == k))
        .collect()
}

fn latest_of(s: &VropsShared, w: &World, r: Res, asked: &[String], samples: i64) -> Value {
    let end = latest_slot();
    let begin = end - (samples.clamp(1, 288) - 1) * STEP_MS;
    let stats: Vec<Value> = requested_keys(r, asked)
        .into_iter()
        .map(|k| {
            let (ts, data) = points(s, w, r, k, begin, end).into_iter().unzip();
            stat(k, ts, data, None)
        })
        .collect();
    json!({"resourceId": r.id(s.seed()), "stat-list": {"stat": stats}})
}

pub fn latest(s: &VropsShared, r: &Req, id: &str) -> ApiResult<Response> {
    let w = s.vcd.read();
    let res = resources::find(s, &w, id)?;
    let samples = r.int("maxSamples")?.unwrap_or(1);
    ok(json!({"values": [latest_of(s, &w, res, &r.all("statKey"), samples)]}))
}

fn list(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The resources named in a bulk body (unknown ids are skipped, like the real server).
fn bulk_resources(s: &VropsShared, w: &World, body: &Value) -> ApiResult<Vec<Res>> {
    let ids = list(body, "resourceId");
    limits::check_ids(ids.len())?;
    if ids.is_empty() {
        return Err(ApiError::bad_request("resourceId is required"));
    }
    Ok(ids
        .iter()
        .filter_map(|id| resources::resolve(s, w, id))
        .collect())
}

pub fn latest_query(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let body = r.json()?;
    let w = s.vcd.read();
    let rs = bulk_resources(s, &w, &body)?;
    let keys = list(&body, "statKey");
    let samples = body["maxSamples"].as_i64().unwrap_or(1);
    let values: Vec<Value> = rs
        .into_iter()
        .map(|res| latest_of(s, &w, res, &keys, samples))
        .collect();
    ok(json!({ "values": values }))
}

/// How a series request is rolled up.
struct Window {
    begin: i64,
    end: i64,
    roll: String,
    minutes: i64,
}

impl Window {
    fn new(
        begin: Option<i64>,
        end: Option<i64>,
        roll: Option<&str>,
        kind: Option<&str>,
        quantifier: Option<i64>,
    ) -> ApiResult<Window> {
        let now = latest_slot();
        let end = end.unwrap_or(now).min(now);
        // The simulator keeps one day of data.
        let begin = begin.unwrap_or(end - DAY_MS).max(now - DAY_MS);
        let roll = roll.unwrap_or("AVG").to_uppercase();
        if !["SUM", "AVG", "MIN", "MAX", "NONE", "LATEST", "COUNT"].contains(&roll.as_str()) {
            return Err(ApiError::bad_request(format!("Invalid rollUpType {roll}")));
        }
        let unit = match kind.unwrap_or("MINUTES").to_uppercase().as_str() {
            "SECONDS" => 1,
            "MINUTES" => 60,
            "HOURS" => 3600,
            "DAYS" => 86_400,
            "WEEKS" => 7 * 86_400,
            other => {
                return Err(ApiError::bad_request(format!(
                    "Invalid intervalType {other}"
                )));
            }
        };
        let secs = unit * quantifier.unwrap_or(5).max(1);
        // Never finer than the 5-minute collection cycle.
        let minutes = ((secs + 299) / 300 * 5).max(5);
        Ok(Window {
            begin,
            end,
            roll,
            minutes,
        })
    }

    fn apply(&self, pts: Vec<(i64, f64)>) -> (Vec<i64>, Vec<f64>) {
        let width = self.minutes * 60_000;
        let mut buckets: Vec<(i64, Vec<f64>)> = vec![];
        for (t, v) in pts {
            let b = t.div_euclid(width) * width;
            match buckets.last_mut() {
                Some((bt, vs)) if *bt == b => vs.push(v),
                _ => buckets.push((b, vec![v])),
            }
        }
        buckets
            .into_iter()
            .map(|(t, vs)| {
                let n = vs.len() as f64;
                let v = match self.roll.as_str() {
                    "SUM" => vs.iter().sum(),
                    "MIN" => vs.iter().copied().fold(f64::INFINITY, f64::min),
                    "MAX" => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    "LATEST" => *vs.last().unwrap_or(&0.0),
                    "COUNT" => n,
                    _ => vs.iter().sum::<f64>() / n,
                };
                (t, (v * 100.0).round() / 100.0)
            })
            .unzip()
    }

    fn of(&self, s: &VropsShared, w: &World, r: Res, asked: &[String]) -> Value {
        let stats: Vec<Value> = requested_keys(r, asked)
            .into_iter()
            .map(|k| {
                let (ts, data) = self.apply(points(s, w, r, k, self.begin, self.end));
                stat(k, ts, data, Some((&self.roll, self.minutes)))
            })
            .collect();
        json!({"resourceId": r.id(s.seed()), "stat-list": {"stat": stats}})
    }
}

pub fn series(s: &VropsShared, r: &Req, id: &str) -> ApiResult<Response> {
    let win = Window::new(
        r.int("begin")?,
        r.int("end")?,
        r.one("rollUpType"),
        r.one("intervalType"),
        r.int("intervalQuantifier")?,
    )?;
    let w = s.vcd.read();
    let res = resources::find(s, &w, id)?;
    ok(json!({"values": [win.of(s, &w, res, &r.all("statKey"))]}))
}

pub fn query(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let body = r.json()?;
    let win = Window::new(
        body["begin"].as_i64(),
        body["end"].as_i64(),
        body["rollUpType"].as_str(),
        body["intervalType"].as_str(),
        body["intervalQuantifier"].as_i64(),
    )?;
    let w = s.vcd.read();
    let rs = bulk_resources(s, &w, &body)?;
    let keys = list(&body, "statKey");
    let values: Vec<Value> = rs
        .into_iter()
        .map(|res| win.of(s, &w, res, &keys))
        .collect();
    ok(json!({ "values": values }))
}

pub fn keys(s: &VropsShared, id: &str) -> ApiResult<Response> {
    let w = s.vcd.read();
    let res = resources::find(s, &w, id)?;
    let keys: Vec<Value> = keys_of(res)
        .into_iter()
        .map(|k| json!({"key": k}))
        .collect();
    ok(json!({ "stat-key": keys }))
}
