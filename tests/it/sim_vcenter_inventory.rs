//! The vCenter simulator's inventory over HTTP: list filters in both dialects, object gets and
//! not-found errors, tag categories, tags and associations.

use reqwest::StatusCode;
use serde_json::json;
use vnav::sim::VcenterVersion;
use vnav::sim::inventory::vm_moid;

use crate::sim_vcenter_support::*;

#[tokio::test]
async fn filters_combine_like_the_real_server() {
    let s = vc_sim(VcenterVersion::V7_0, 300, None).await;
    let w = vnav::sim::generate::generate(300, 42);
    for d in [D::Api, D::Rest] {
        let c = vc_login(&s.vcenter_url, d).await;
        let all = c.value("/vcenter/vm").await;
        let all = all.as_array().unwrap();
        let (a, b) = (&all[3], &all[7]);
        let names = c.filter(&[
            ("names", a["name"].as_str().unwrap()),
            ("names", b["name"].as_str().unwrap()),
        ]);
        let got = c.ids(&format!("/vcenter/vm{names}"), "vm").await;
        assert_eq!(
            got,
            vec![a["vm"].as_str().unwrap(), b["vm"].as_str().unwrap()]
        );
        let on = c
            .ids(
                &format!("/vcenter/vm{}", c.filter(&[("power_states", "POWERED_ON")])),
                "vm",
            )
            .await;
        let want_on = all
            .iter()
            .filter(|v| v["power_state"] == "POWERED_ON")
            .count();
        assert_eq!(on.len(), want_on);
        let both = c.filter(&[
            ("power_states", "POWERED_OFF"),
            ("power_states", "SUSPENDED"),
        ]);
        let off = c.ids(&format!("/vcenter/vm{both}"), "vm").await;
        assert_eq!(on.len() + off.len(), 300);
        let vms = c.filter(&[("vms", a["vm"].as_str().unwrap()), ("vms", "vm-1")]);
        assert_eq!(c.ids(&format!("/vcenter/vm{vms}"), "vm").await.len(), 1);
        // Containment: cluster, its root pool, its datacenter, its VM folder all hold the VM.
        let v = 3u32;
        let inv = &w.vc;
        let host = &inv.hosts[inv.vm_host[v as usize] as usize];
        let cl = &inv.clusters[host.cluster as usize];
        let dc = &inv.datacenters[cl.dc as usize];
        let moid = vm_moid(&w, v);
        for (key, id) in [
            ("hosts", host.moid.as_str()),
            ("clusters", cl.moid.as_str()),
            (
                "resource_pools",
                inv.pools[cl.root_pool as usize].moid.as_str(),
            ),
            ("datacenters", dc.moid.as_str()),
            ("folders", inv.folders[dc.vm_folder as usize].moid.as_str()),
            (
                "folders",
                inv.folders[inv.vm_folder[v as usize] as usize]
                    .moid
                    .as_str(),
            ),
        ] {
            let got = c
                .ids(&format!("/vcenter/vm{}", c.filter(&[(key, id)])), "vm")
                .await;
            assert!(got.contains(&moid), "{key}={id}");
        }
        let got = c
            .ids(
                &format!(
                    "/vcenter/vm{}",
                    c.filter(&[("hosts", &host.moid), ("names", "nope")])
                ),
                "vm",
            )
            .await;
        assert!(got.is_empty());
        // Other lists filter too.
        let hosts = c
            .ids(
                &format!("/vcenter/host{}", c.filter(&[("clusters", &cl.moid)])),
                "host",
            )
            .await;
        assert_eq!(hosts.len(), cl.hosts.len());
        let ds = c
            .ids(
                &format!(
                    "/vcenter/datastore{}",
                    c.filter(&[
                        ("types", "VMFS"),
                        ("types", "VSAN"),
                        ("types", "NFS"),
                        ("types", "NFS41")
                    ])
                ),
                "datastore",
            )
            .await;
        assert_eq!(ds.len(), inv.datastores.len());
        let nets = c
            .ids(
                &format!(
                    "/vcenter/network{}",
                    c.filter(&[("types", "STANDARD_PORTGROUP")])
                ),
                "network",
            )
            .await;
        assert_eq!(nets.len(), inv.datacenters.len());
        let vmf = c
            .ids(
                &format!(
                    "/vcenter/folder{}",
                    c.filter(&[("type", "VIRTUAL_MACHINE"), ("datacenters", &dc.moid)])
                ),
                "folder",
            )
            .await;
        assert!(vmf.len() >= 2);
        // Bad enum values and unknown filter keys are invalid arguments.
        for q in [
            c.filter(&[("power_states", "ON")]),
            c.filter(&[("colour", "blue")]),
        ] {
            let (st, body) = c.get(&format!("/vcenter/vm{q}")).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{q}");
            assert_eq!(error_kind(&body), "invalid_argument");
        }
    }
}

#[tokio::test]
async fn object_gets_and_not_found() {
    let s = vc_sim(VcenterVersion::V8_0, 100, None).await;
    let w = vnav::sim::generate::generate(100, 42);
    let inv = &w.vc;
    for d in [D::Api, D::Rest] {
        let c = vc_login(&s.vcenter_url, d).await;
        let dc = c
            .value(&format!("/vcenter/datacenter/{}", inv.datacenters[0].moid))
            .await;
        assert_eq!(
            dc["vm_folder"],
            inv.folders[inv.datacenters[0].vm_folder as usize].moid
        );
        let cl = c
            .value(&format!("/vcenter/cluster/{}", inv.clusters[0].moid))
            .await;
        let pool = c
            .value(&format!(
                "/vcenter/resource-pool/{}",
                cl["resource_pool"].as_str().unwrap()
            ))
            .await;
        assert_eq!(pool["name"], "Resources");
        assert_eq!(pool["resource_pools"].as_array().unwrap().len(), 1);
        let ds = c
            .value(&format!("/vcenter/datastore/{}", inv.datastores[0].moid))
            .await;
        assert_eq!(ds["accessible"], true);
        for path in [
            "/vcenter/vm/vm-1",
            "/vcenter/cluster/domain-c999999",
            "/vcenter/datastore/host-1",
        ] {
            let (st, body) = c.get(path).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(error_kind(&body), "not_found");
        }
    }
}

#[tokio::test]
async fn tags_categories_and_associations() {
    let s = vc_sim(VcenterVersion::V8_0, 100, None).await;
    let w = vnav::sim::generate::generate(100, 42);
    let vm = vm_moid(&w, 0);
    for d in [D::Api, D::Rest] {
        let c = vc_login(&s.vcenter_url, d).await;
        let (cat_path, tag_path, assoc, act) = match d {
            D::Api => (
                "/cis/tagging/category",
                "/cis/tagging/tag",
                "/cis/tagging/tag-association",
                "action",
            ),
            D::Rest => (
                "/com/vmware/cis/tagging/category",
                "/com/vmware/cis/tagging/tag",
                "/com/vmware/cis/tagging/tag-association",
                "~action",
            ),
        };
        let id = |x: &str| match d {
            D::Api => x.replace(':', "%3A"),
            D::Rest => format!("id:{x}"),
        };
        let cats = c.value(cat_path).await;
        assert_eq!(cats.as_array().unwrap().len(), 2);
        let cat0 = cats[0].as_str().unwrap();
        assert!(cat0.starts_with("urn:vmomi:InventoryServiceCategory:"));
        let cat = c.value(&format!("{cat_path}/{}", id(cat0))).await;
        assert_eq!(cat["name"], "Environment");
        let tags = c.value(tag_path).await;
        assert!(tags.as_array().unwrap().len() > 5);
        let (st, attached) = c
            .post(
                &format!("{assoc}?{act}=list-attached-tags"),
                Some(json!({"object_id": {"type": "VirtualMachine", "id": vm}})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let attached = c.unwrap(attached);
        assert_eq!(attached.as_array().unwrap().len(), 2);
        let t = attached[0].as_str().unwrap();
        assert!(t.starts_with("urn:vmomi:InventoryServiceTag:"));
        let tag = c.value(&format!("{tag_path}/{}", id(t))).await;
        assert_eq!(tag["category_id"], cat0);
        let (st, objs) = c
            .post(
                &format!("{assoc}/{}?{act}=list-attached-objects", id(t)),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            c.unwrap(objs)
                .as_array()
                .unwrap()
                .contains(&json!({"type": "VirtualMachine", "id": vm}))
        );
    }
}
