//! Alert definitions with their symptoms and recommendations, read once per endpoint and kept:
//! an alert names only its definition, while its description, symptoms and recommendations live
//! in `GET /alertdefinitions`, `GET /symptomdefinitions` and `GET /recommendations`. A
//! resource's alerts ask for the definitions not yet held in one call (by id, `IDS_PER_GET` at
//! most), then for the symptoms and the recommendations those name in one more each; a
//! definition read is never read again, and one that does not exist is remembered too. Calls
//! that need definitions at once wait for the one read in progress instead of each sending
//! their own. A symptom whose definition cannot be read is named by its id.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::map;
use super::session::Session;
use crate::api::error::ApiResult;

/// Ids in one GET's query string: keeps the URL well under the 8 KB servers accept (an id is
/// ~60 characters with its `&id=`).
const IDS_PER_GET: usize = 100;

/// One definition, the texts of its recommendations (the most important first) and its
/// symptoms in words by id.
#[derive(Debug, Default)]
pub struct Definition {
    pub json: Value,
    pub recommendations: Vec<String>,
    pub symptoms: HashMap<String, String>,
}

impl Definition {
    pub fn description(&self) -> String {
        map::text(&self.json["description"])
            .trim_matches('"')
            .to_string()
    }

    /// The first recommendation, or "" when it has none.
    pub fn top_recommendation(&self) -> &str {
        self.recommendations.first().map_or("", String::as_str)
    }
}

#[derive(Default)]
struct Held {
    defs: HashMap<String, Arc<Definition>>,
    /// Ids the server does not know: not asked again.
    unknown: HashSet<String>,
}

#[derive(Default)]
pub struct Definitions {
    held: Mutex<Held>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DefinitionList {
    #[serde(default)]
    alert_definitions: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SymptomList {
    #[serde(default)]
    symptom_definitions: Vec<Value>,
}

#[derive(Deserialize)]
struct RecommendationList {
    #[serde(default)]
    recommendations: Vec<Value>,
}

impl Definitions {
    /// The definitions of `ids` the server has, reading those not held yet.
    pub async fn get(
        &self,
        session: &Session,
        ids: &[&str],
    ) -> ApiResult<HashMap<String, Arc<Definition>>> {
        let mut held = self.held.lock().await;
        let mut missing: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !id.is_empty())
            .filter(|id| !held.defs.contains_key(*id) && !held.unknown.contains(*id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let read = read(session, &missing).await?;
            for id in missing {
                match read.get(id) {
                    Some(d) => {
                        held.defs.insert(id.to_string(), d.clone());
                    }
                    None => {
                        held.unknown.insert(id.to_string());
                    }
                }
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| Some((id.to_string(), held.defs.get(*id)?.clone())))
            .collect())
    }
}

/// The definitions `ids` name, with their recommendations' texts.
async fn read(session: &Session, ids: &[&str]) -> ApiResult<HashMap<String, Arc<Definition>>> {
    let mut defs = Vec::new();
    for chunk in ids.chunks(IDS_PER_GET) {
        let mut q: Vec<(&str, String)> = chunk.iter().map(|id| ("id", id.to_string())).collect();
        q.extend([
            ("page", "0".to_string()),
            ("pageSize", chunk.len().to_string()),
        ]);
        let body = session.get_body("/alertdefinitions", &q).await?;
        let list: DefinitionList = super::decode(&body)?;
        defs.extend(list.alert_definitions);
    }
    let symptoms = symptoms(session, &defs).await;
    let mut rec_ids: Vec<String> = defs.iter().flat_map(map::recommendation_ids).collect();
    rec_ids.sort_unstable();
    rec_ids.dedup();
    let mut texts = HashMap::new();
    for chunk in rec_ids.chunks(IDS_PER_GET) {
        let q: Vec<(&str, String)> = chunk.iter().map(|id| ("id", id.clone())).collect();
        let body = session.get_body("/recommendations", &q).await?;
        let list: RecommendationList = super::decode(&body)?;
        texts.extend(
            list.recommendations
                .iter()
                .map(|r| (map::text(&r["id"]), map::text(&r["description"]))),
        );
    }
    Ok(defs
        .into_iter()
        .filter_map(|json| {
            let id = json["id"].as_str()?.to_string();
            let recommendations = map::recommendation_ids(&json)
                .into_iter()
                .map(|r| texts.get(&r).cloned().unwrap_or(r))
                .collect();
            let symptoms = map::symptom_ids(&json)
                .into_iter()
                .filter_map(|s| Some((s.clone(), symptoms.get(&s)?.clone())))
                .collect();
            Some((
                id,
                Arc::new(Definition {
                    json,
                    recommendations,
                    symptoms,
                }),
            ))
        })
        .collect())
}

/// The symptoms the definitions name, in words by id. They only explain an alert, so a server
/// that will not say leaves them named by their ids rather than failing the alert's details.
async fn symptoms(session: &Session, defs: &[Value]) -> HashMap<String, String> {
    let mut ids: Vec<String> = defs.iter().flat_map(map::symptom_ids).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(IDS_PER_GET) {
        let mut q: Vec<(&str, String)> = chunk.iter().map(|id| ("id", id.clone())).collect();
        q.extend([
            ("page", "0".to_string()),
            ("pageSize", chunk.len().to_string()),
        ]);
        let list = (session.get_body("/symptomdefinitions", &q).await)
            .and_then(|body| super::decode::<SymptomList>(&body));
        match list {
            Ok(list) => out.extend(
                list.symptom_definitions
                    .iter()
                    .filter_map(map::symptom_text),
            ),
            Err(e) => {
                tracing::info!(target: "vnav::vrops", error = %e, "symptom definitions not readable");
                break;
            }
        }
    }
    out
}
