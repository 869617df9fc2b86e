//! A cluster's resource pool by name in its details: the cluster's document names its root
//! pool by moid only (`resource_pool: "resgroup-44"`), which an operator cannot read, so the
//! pool's name is read once (`GET /vcenter/resource-pool/{id}`) and kept per endpoint; the
//! moid stays beside it, in parentheses, for the commands that need it.

use crate::api::ApiResult;
use crate::api::labels;
use crate::api::model::Section;

use super::VcenterBackend;

impl VcenterBackend {
    /// The name of a resource pool, read once per session.
    pub(super) async fn pool_name(&self, moid: &str) -> ApiResult<String> {
        if let Some(known) = self
            .pool_names
            .lock()
            .ok()
            .and_then(|m| m.get(moid).cloned())
        {
            return Ok(known);
        }
        let d = self.session.dialect().await;
        let (v, _) = self
            .session
            .get(&d.path(&format!("vcenter/resource-pool/{moid}")))
            .await?;
        let name = v["name"].as_str().unwrap_or(moid).to_string();
        if let Ok(mut m) = self.pool_names.lock() {
            m.insert(moid.to_string(), name.clone());
        }
        Ok(name)
    }

    /// Words the `Resource pool` row of a cluster's section as "Resources (resgroup-44)";
    /// a failed read leaves the moid as it is.
    pub(super) async fn name_pool(&self, section: &mut Section, moid: Option<&str>) {
        let key = labels::field("resource_pool");
        let Some(moid) = moid else { return };
        let Ok(name) = self.pool_name(moid).await else {
            return;
        };
        if let Some((_, v)) = section.rows.iter_mut().find(|(k, _)| *k == key) {
            *v = pool_text(&name, moid);
        }
    }
}

/// "Resources (resgroup-44)"; the moid alone when the name is the moid.
fn pool_text(name: &str, moid: &str) -> String {
    if name == moid {
        moid.to_string()
    } else {
        format!("{name} ({moid})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_reads_by_name_with_its_moid_beside() {
        assert_eq!(
            pool_text("Resources", "resgroup-44"),
            "Resources (resgroup-44)"
        );
        assert_eq!(pool_text("resgroup-44", "resgroup-44"), "resgroup-44");
    }
}
