//! A VM's vSphere tags for its details, through cis tagging (both dialects): the attached tag
//! ids, then each tag's name and its category's name.

use serde_json::Value;

use super::VcenterBackend;
use super::dialect::Dialect;
use crate::api::error::ApiResult;
use crate::api::model::Section;

impl VcenterBackend {
    /// The VM's tags as `category → tag` rows, through cis tagging.
    pub(super) async fn tags_section(&self, vm: &str) -> Section {
        let mut section = Section::new("Tags");
        match self.tags_of(vm).await {
            Ok(tags) if tags.is_empty() => {
                section.row("Tags", "none");
            }
            Ok(tags) => {
                for (category, tag) in tags {
                    section.row(category, tag);
                }
            }
            Err(e) => {
                section.row("unavailable", e.to_string());
            }
        }
        section
    }

    async fn tags_of(&self, vm: &str) -> ApiResult<Vec<(String, String)>> {
        let d = self.session.dialect().await;
        let body = serde_json::json!({"object_id": {"id": vm, "type": "VirtualMachine"}});
        let ids = self
            .session
            .post(
                &d.tagging("tag-association", Some("list-attached-tags")),
                Some(body),
            )
            .await?;
        let mut out = Vec::new();
        for id in ids
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            out.push(self.tag_name(d, id).await?);
        }
        out.sort();
        Ok(out)
    }

    /// `(category name, tag name)` of a tag, read once per session.
    async fn tag_name(&self, d: Dialect, id: &str) -> ApiResult<(String, String)> {
        if let Some(known) = self.tag_names.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(known);
        }
        let (tag, _) = self
            .session
            .get(&d.tagging(&format!("tag/{}", d.id_segment(id)), None))
            .await?;
        let category = match tag["category_id"].as_str() {
            Some(c) => {
                let path = d.tagging(&format!("category/{}", d.id_segment(c)), None);
                let (cat, _) = self.session.get(&path).await?;
                cat["name"].as_str().unwrap_or(c).to_string()
            }
            None => "tag".to_string(),
        };
        let name = (category, tag["name"].as_str().unwrap_or(id).to_string());
        if let Ok(mut m) = self.tag_names.lock() {
            m.insert(id.to_string(), name.clone());
        }
        Ok(name)
    }
}
