//! The Orchestrator simulator: auth by generation (7 Basic, 8 Basic or bearer, 9 Cloud Director
//! login and no Basic), `/about`, session expiry on the sim clock, the category tree, workflow
//! paging and filters (`total` -1 on 9), and injected faults in vRO's error shape.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use vnav::sim::{DEMO_PASSWORD, Faults, SimOptions, VroOptions, VroVersion};

use crate::sim_support::http;
use crate::sim_vro_support::*;

#[tokio::test]
async fn version_7_takes_basic_only() {
    let s = vro_sim(VroVersion::V7).await;
    let about: serde_json::Value = http()
        .get(format!("{}/vco/api/about", s.vro_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        about["version"].as_str().unwrap().starts_with("7."),
        "{about}"
    );
    let b = vro_basic(&s);
    b.ok("/workflows?maxResult=1").await;
    let mut wrong = b.clone();
    wrong.auth = basic_header(s.vro_user(), "nope");
    let (st, v) = wrong.get("/workflows").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, 401);
    wrong.auth = "Bearer anything".into();
    assert_eq!(wrong.get("/workflows").await.0, StatusCode::UNAUTHORIZED);
    // No bearer logins on 7.
    let r = http()
        .post(format!("{}/csp/gateway/am/api/login", s.vro_url))
        .json(&serde_json::json!({"username": s.vro_user(), "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn version_8_takes_basic_and_a_bearer_token_and_refuses_a_refresh_token_as_one() {
    let s = vro_sim(VroVersion::V8).await;
    assert_eq!(s.vro_user(), vnav::sim::VCENTER_USER);
    let about = vro_basic(&s).ok("/about").await;
    assert!(
        about["version"].as_str().unwrap().starts_with("8."),
        "{about}"
    );
    let bearer = vro_bearer_8(&s).await;
    bearer
        .ok("/categories?categoryType=WorkflowCategory&isRoot=true")
        .await;
    assert!(
        s.live_tokens()
            .iter()
            .any(|t| bearer.auth.ends_with(t.as_str()))
    );
    // A refresh token is not a bearer token.
    let r = http()
        .post(format!(
            "{}/csp/gateway/am/api/login?access_token",
            s.vro_url
        ))
        .json(&serde_json::json!({"username": s.vro_user(), "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let refresh: serde_json::Value = r.json().await.unwrap();
    let mut as_bearer = bearer.clone();
    as_bearer.auth = format!("Bearer {}", refresh["refresh_token"].as_str().unwrap());
    assert_eq!(
        as_bearer.get("/workflows").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Wrong password at the identity service.
    let r = http()
        .post(format!("{}/csp/gateway/am/api/login", s.vro_url))
        .json(&serde_json::json!({"username": s.vro_user(), "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Invalidated tokens are refused, Basic still works.
    s.expire_tokens();
    assert_eq!(bearer.get("/workflows").await.0, StatusCode::UNAUTHORIZED);
    vro_basic(&s).ok("/workflows?maxResult=1").await;
}

#[tokio::test]
async fn version_9_logs_in_like_cloud_director_and_refuses_basic() {
    let s = vro_sim(VroVersion::V9).await;
    assert_eq!(s.vro_user(), vnav::sim::DEMO_USER);
    let b = vro_basic(&s);
    for path in ["/workflows", "/categories", "/about"] {
        let (st, v) = b.get(path).await;
        if path == "/about" {
            // The version is readable before logging in: clients pick their login from it.
            assert_eq!(st, StatusCode::OK);
            assert!(v["version"].as_str().unwrap().starts_with("9."), "{v}");
        } else {
            assert_eq!(st, StatusCode::UNAUTHORIZED, "{path}");
            assert_error(&v, 401);
        }
    }
    let c = vro_bearer_9(&s).await;
    c.ok("/workflows?maxResult=1").await;
    // Tenant login path and wrong passwords are refused.
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vro_url))
        .basic_auth(s.vro_user(), Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions", s.vro_url))
        .basic_auth(s.vro_user(), Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_expire_after_the_session_ttl_on_the_sim_clock() {
    let s = vro_sim_with(
        SimOptions {
            faults: Faults {
                token_ttl_secs: Some(600),
                ..Faults::default()
            },
            ..SimOptions::default()
        },
        VroOptions {
            version: VroVersion::V9,
            ..VroOptions::default()
        },
    )
    .await;
    let c = vro_bearer_9(&s).await;
    c.ok("/workflows?maxResult=1").await;
    s.advance(Duration::from_secs(599));
    c.ok("/workflows?maxResult=1").await;
    s.advance(Duration::from_secs(2));
    let (st, v) = c.get("/workflows?maxResult=1").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, 401);
    vro_bearer_9(&s).await.ok("/workflows?maxResult=1").await;
}

#[tokio::test]
async fn categories_nest_and_hold_every_workflow_once() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let roots = c
        .ok("/categories?categoryType=WorkflowCategory&isRoot=true")
        .await;
    let roots = downs(&roots);
    let names: Vec<String> = roots.iter().map(|l| attr(l, "name").unwrap()).collect();
    assert_eq!(names, ["Library", "Operations", "Tenants"]);
    // Walk the tree by the `down` links, as a client does.
    let mut seen_workflows = HashSet::new();
    // Each with the ids of the categories above it (`path-ids`, the root's first).
    let mut stack: Vec<(String, usize, Vec<Value>)> = roots
        .iter()
        .map(|l| (l["href"].as_str().unwrap().to_string(), 0, vec![]))
        .collect();
    let mut deepest = 0;
    while let Some((href, depth, above)) = stack.pop() {
        assert!(href.ends_with('/'), "{href}");
        let cat = c.ok(&href).await;
        assert_eq!(cat["type"], "WorkflowCategory");
        let mut ids = above.clone();
        ids.push(cat["id"].clone());
        assert_eq!(cat["path-ids"], Value::Array(ids.clone()), "{href}");
        let path = cat["path"].as_str().unwrap();
        assert_eq!(path.split('/').count(), depth + 1, "{path}");
        assert!(path.ends_with(cat["name"].as_str().unwrap()), "{path}");
        deepest = deepest.max(depth);
        for l in downs(&cat) {
            match attr(&l, "type").as_deref() {
                Some("WorkflowCategory") => stack.push((
                    l["href"].as_str().unwrap().to_string(),
                    depth + 1,
                    ids.clone(),
                )),
                Some("Workflow") => {
                    assert!(seen_workflows.insert(attr(&l, "id").unwrap()));
                    assert_eq!(attr(&l, "categoryName").unwrap(), cat["name"]);
                    let cat_id = cat["id"].as_str().unwrap();
                    assert!(
                        attr(&l, "categoryHref")
                            .unwrap()
                            .ends_with(&format!("/{cat_id}/")),
                        "a workflow names its category's id: {l}"
                    );
                }
                other => panic!("unexpected down link {other:?}: {l}"),
            }
        }
    }
    assert_eq!(seen_workflows.len(), 45);
    assert!(
        deepest >= 3,
        "Library/vCenter/Virtual Machine management/Power Management"
    );
    let all = c.ok("/categories?categoryType=WorkflowCategory").await;
    assert!(downs(&all).len() > roots.len());
    let none = c.ok("/categories?categoryType=ActionCategory").await;
    assert_eq!(none["total"], 0);
    let (st, v) = c.get("/categories/nope").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, 404);
}

/// Every workflow, paging by `maxResult` until a short page (the only way on 9).
async fn all_workflows(c: &Vro, filter: &str, page: usize) -> (Vec<String>, Vec<i64>) {
    let (mut ids, mut totals) = (vec![], vec![]);
    for n in 0.. {
        let v = c
            .ok(&format!(
                "/workflows?maxResult={page}&startIndex={}{filter}",
                n * page
            ))
            .await;
        totals.push(v["total"].as_i64().unwrap());
        let links = downs(&v);
        ids.extend(links.iter().map(|l| attr(l, "id").unwrap()));
        if links.len() < page {
            break;
        }
    }
    (ids, totals)
}

#[tokio::test]
async fn workflows_page_with_a_total_on_8_and_total_minus_one_on_9() {
    for version in [VroVersion::V8, VroVersion::V9] {
        let s = vro_sim(version).await;
        let c = if version == VroVersion::V9 {
            vro_bearer_9(&s).await
        } else {
            vro_basic(&s)
        };
        let (ids, totals) = all_workflows(&c, "", 10).await;
        assert_eq!(ids.len(), 45);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 45);
        let want = if version == VroVersion::V9 { -1 } else { 45 };
        assert!(totals.iter().all(|&t| t == want), "{version:?}: {totals:?}");
        // Pages are stable: the same page twice is the same.
        let a = c.ok("/workflows?maxResult=7&startIndex=14").await;
        let b = c.ok("/workflows?maxResult=7&startIndex=14").await;
        assert_eq!(a, b);
        // Past the end: an empty page.
        let end = c.ok("/workflows?maxResult=7&startIndex=45").await;
        assert!(downs(&end).is_empty());
        let (st, v) = c.get("/workflows?maxResult=many").await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        assert_error(&v, 400);
    }
}

#[tokio::test]
async fn workflows_filter_by_name_and_category() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let v = c.ok("/workflows?conditions=name~POWER%20O").await;
    let mut names: Vec<String> = downs(&v).iter().map(|l| attr(l, "name").unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        ["Power off virtual machine", "Power on virtual machine"]
    );
    assert_eq!(v["total"], 2);
    let v = c
        .ok("/workflows?conditions=name=Rotate%20certificate")
        .await;
    assert_eq!(downs(&v).len(), 1);
    for query in [
        "conditions=categoryName=Power%20Management",
        "categoryName=Power%20Management",
    ] {
        let v = c.ok(&format!("/workflows?{query}")).await;
        assert_eq!(v["total"], 2, "{query}");
        assert!(
            downs(&v)
                .iter()
                .all(|l| attr(l, "categoryName").as_deref() == Some("Power Management"))
        );
    }
    let (st, v) = c.get("/workflows?conditions=colour=blue").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error(&v, 400);
}

#[tokio::test]
async fn a_benchmark_sized_catalogue_has_5000_workflows_in_200_categories() {
    let s = vro_sim_with(
        SimOptions::default(),
        VroOptions {
            workflows: 5000,
            categories: 200,
            ..VroOptions::default()
        },
    )
    .await;
    let c = vro_basic(&s);
    let v = c.ok("/workflows?maxResult=1").await;
    assert_eq!(v["total"], 5000);
    let v = c.ok("/categories?categoryType=WorkflowCategory").await;
    assert_eq!(v["total"], 200);
    let (ids, _) = all_workflows(&c, "", 1000).await;
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 5000);
}

#[tokio::test]
async fn json_for_star_accept_and_406_for_xml_only() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let (st, _, v) = c
        .send(Method::GET, "/workflows?maxResult=1", None, "*/*")
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(downs(&v).len(), 1);
    let (st, _, _) = c
        .send(Method::GET, "/workflows", None, "application/xml")
        .await;
    assert_eq!(st, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn injected_faults_answer_in_the_vro_error_shape() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    s.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let (st, v) = c.get("/workflows").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&v, 503);
    s.set_faults(Faults {
        truncate_rate: 1.0,
        ..Faults::default()
    });
    let r = c
        .http
        .get(format!("{}/vco/api/workflows", s.vro_url))
        .header("authorization", &c.auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
    s.set_faults(Faults::default());
    c.ok("/workflows?maxResult=1").await;
    let counts = s.fault_counts();
    assert!(counts.errors >= 1 && counts.truncated >= 1, "{counts:?}");
    // The refused request never reached the server; the truncated one and the last did.
    assert_eq!(s.vro_request_count(), 2);
}

#[tokio::test]
async fn vnav_sim_prints_the_vro_url_and_its_credentials_and_serves_the_generation_asked() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vnav"))
        .args(["sim", "--vms", "20", "--vro-version", "9"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = vec![];
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("credentials vro "))
        && seen.len() < 12
    {
        seen.push(lines.next().unwrap().unwrap());
    }
    let url = seen
        .iter()
        .find_map(|l| l.strip_prefix("vro "))
        .map(str::to_string);
    let creds = seen
        .iter()
        .position(|l| l == &format!("credentials vro {} {DEMO_PASSWORD}", vnav::sim::DEMO_USER));
    let about = match &url {
        Some(u) => http()
            .get(format!("{u}/vco/api/about"))
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap(),
        None => serde_json::Value::Null,
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        url.is_some_and(|u| u.starts_with("http://127.0.0.1:")),
        "{seen:?}"
    );
    assert!(creds.is_some(), "{seen:?}");
    assert!(
        about["version"].as_str().unwrap().starts_with("9."),
        "{about}"
    );
}

#[test]
fn vro_flags_reach_the_options() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: vnav::sim::cli::SimArgs,
    }
    let o = Cli::try_parse_from([
        "vnav",
        "--vro-version",
        "7",
        "--vro-workflows",
        "5000",
        "--vro-categories",
        "200",
    ])
    .unwrap()
    .sim
    .options();
    assert_eq!(o.vro.version, VroVersion::V7);
    assert_eq!((o.vro.workflows, o.vro.categories), (5000, 200));
    let o = Cli::try_parse_from(["vnav"]).unwrap().sim.options();
    assert_eq!(o.vro.version, VroVersion::V8);
    assert_eq!((o.vro.workflows, o.vro.categories), (45, 0));
    assert!(Cli::try_parse_from(["vnav", "--vro-version", "10"]).is_err());
}

/// VCF 9's logout: `DELETE /cloudapi/1.0.0/sessions/current` with the bearer ends the session
/// (204) and the token is refused after; without a live token it is 401; 8.x has no such path.
#[tokio::test]
async fn vcf9_ends_a_session_with_delete_sessions_current() {
    let s = vro_sim(VroVersion::V9).await;
    let c = vro_bearer_9(&s).await;
    let current = format!("{}/cloudapi/1.0.0/sessions/current", s.vro_url);
    assert_eq!(c.get("/workflows?maxResult=1").await.0, StatusCode::OK);
    let (st, _, _) = c.send(Method::DELETE, &current, None, "*/*").await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        c.get("/workflows?maxResult=1").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (st, _, v) = c.send(Method::DELETE, &current, None, "*/*").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, 401);

    let s8 = vro_sim(VroVersion::V8).await;
    let c8 = vro_basic(&s8);
    let (st, _, _) = c8
        .send(
            Method::DELETE,
            &format!("{}/cloudapi/1.0.0/sessions/current", s8.vro_url),
            None,
            "*/*",
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
