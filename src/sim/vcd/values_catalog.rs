//! Query record values of catalogs, their items and the vApp templates the items hold (each
//! catalog item is one template), tenant and admin variants alike.

use super::User;
use super::entities::describe;
use super::records::{QType, catalog_item, identity};
use super::tasks::{Tasks, user_ref};
use super::values::b;
use crate::sim::world::{Entity, World};

/// The value of `attr` for catalog `i` (catalog types) or catalog item `i` (the others).
pub fn value(w: &World, tasks: &Tasks, base: &str, t: QType, i: u32, attr: &str) -> Option<String> {
    let (c, item) = match t {
        QType::Catalog | QType::AdminCatalog => (i, None),
        _ => {
            let (c, j) = catalog_item(w, i);
            (c, Some(j))
        }
    };
    let cat = &w.catalogs[c as usize];
    let owner = || user_ref(w, base, User { org: cat.org });
    // Shared by every type: who owns it, where it lives.
    let common = match attr {
        "org" => Some(describe(w, base, Entity::Org(cat.org)).href),
        "orgName" => Some(w.orgs[cat.org as usize].name.clone()),
        "ownerName" => Some(owner().0),
        "owner" => Some(owner().1),
        "catalog" => Some(describe(w, base, Entity::Catalog(c)).href),
        "catalogName" => Some(cat.name.clone()),
        "isPublished" => b(false),
        _ => None,
    };
    if common.is_some() {
        return common;
    }
    let Some(j) = item else {
        return match attr {
            "name" => Some(cat.name.clone()),
            "description" => Some("Templates shared within the organization".into()),
            "isShared" | "isLocal" => b(true),
            "numberOfVAppTemplates" | "numberOfTemplates" => Some(cat.items.len().to_string()),
            "numberOfMedia" => Some("0".into()),
            _ => None,
        };
    };
    let template = || identity(w, tasks, base, QType::VAppTemplate, i);
    let name = cat.items[j].1;
    match attr {
        "name" | "entityName" => Some(name.into()),
        "entity" => Some(template().0),
        "entityType" => Some("vapptemplate".into()),
        "catalogItem" => Some(identity(w, tasks, base, QType::CatalogItem, i).0),
        "status" => Some("RESOLVED".into()),
        "description" => Some(format!("{name} template")),
        "isEnabled" => b(true),
        "isBusy" | "isGoldMaster" | "isDeployed" | "isExpired" => b(false),
        _ => None,
    }
}
