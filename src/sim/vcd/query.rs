//! `GET /api/query`: typed queries with FIQL filters, sorting, field selection and paging.
//! The filtered and sorted index is cached per (type, filter, sort, scope) until the world changes,
//! so paging through 100k VMs never re-sorts the world.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;

use super::errors::{VcdError, VcdResult};
use super::fiql::{self, Expr};
use super::records::{self, ALL, QType, identity};
use super::task_history;
use super::values::value;
use super::xml::{DECL, VCLOUD_NS, esc, link, media, respond};
use super::{Ctx, Shared};

type Key = (QType, String, String, u32);

#[derive(Default)]
pub struct Cache {
    generation: u64,
    map: HashMap<Key, Arc<Vec<u32>>>,
}

const MAX_PAGE_SIZE: u64 = 128;
const CACHE_ENTRIES: usize = 64;

struct Params {
    qt: QType,
    format: &'static str,
    page: u64,
    page_size: u64,
    filter: String,
    sort: String,
    fields: Vec<String>,
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Params {
    fn href(&self, base: &str, page: u64, format: &str) -> String {
        let mut q = format!(
            "{base}/api/query?type={}&page={page}&pageSize={}&format={format}",
            self.qt.name(),
            self.page_size
        );
        if !self.filter.is_empty() {
            let _ = write!(q, "&filter={}", enc(&self.filter));
        }
        if let Some(a) = self.sort.strip_prefix('+') {
            let _ = write!(q, "&sortAsc={}", enc(a));
        } else if let Some(a) = self.sort.strip_prefix('-') {
            let _ = write!(q, "&sortDesc={}", enc(a));
        }
        if !self.fields.is_empty() {
            let _ = write!(q, "&fields={}", enc(&self.fields.join(",")));
        }
        q
    }
}

fn parse(query: &str) -> VcdResult<Option<(Params, Option<Expr>)>> {
    let mut p = Params {
        qt: QType::Vm,
        format: "records",
        page: 1,
        page_size: 25,
        filter: String::new(),
        sort: String::new(),
        fields: vec![],
    };
    let mut qt = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let num = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| VcdError::bad_request(format!("Invalid value for {k}: {v}")))
        };
        match k.as_ref() {
            "type" => {
                qt = Some(
                    QType::parse(&v)
                        .ok_or_else(|| VcdError::bad_request(format!("Unknown query type: {v}")))?,
                )
            }
            "format" => {
                p.format = match v.as_ref() {
                    "records" => "records",
                    "idrecords" => "idrecords",
                    "references" => "references",
                    other => {
                        return Err(VcdError::bad_request(format!(
                            "Unknown query format: {other}"
                        )));
                    }
                }
            }
            "page" => p.page = num(&v)?,
            "pageSize" => p.page_size = num(&v)?.clamp(1, MAX_PAGE_SIZE),
            "filter" => p.filter = v.into_owned(),
            "sortAsc" => p.sort = format!("+{v}"),
            "sortDesc" => p.sort = format!("-{v}"),
            "fields" => {
                p.fields = v
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(String::from)
                    .collect()
            }
            _ => {}
        }
    }
    let Some(qt) = qt else { return Ok(None) };
    p.qt = qt;
    let expr = if p.filter.is_empty() {
        None
    } else {
        Some(
            fiql::parse(&p.filter)
                .map_err(|e| VcdError::bad_request(format!("Invalid filter expression: {e}")))?,
        )
    };
    let mut used = vec![];
    if let Some(e) = &expr {
        e.attrs(&mut used);
    }
    if p.sort.len() > 1 {
        used.push(p.sort[1..].to_string());
    }
    used.extend(p.fields.iter().cloned());
    if let Some(bad) = used.iter().find(|a| !qt.has_attr(a)) {
        return Err(VcdError::bad_request(format!(
            "Property '{bad}' does not exist for type {}",
            qt.name()
        )));
    }
    if p.page == 0 {
        return Err(VcdError::bad_request("The page number must be 1 or more"));
    }
    Ok(Some((p, expr)))
}

/// A record's sort value: missing first, then numbers, then text without case.
enum SortKey {
    Missing,
    Num(f64),
    Text(String),
}

impl SortKey {
    fn of(v: Option<String>) -> SortKey {
        let Some(mut v) = v else {
            return SortKey::Missing;
        };
        if let Ok(n) = v.parse::<f64>() {
            return SortKey::Num(n);
        }
        // Lowered in place where it can be (ASCII): one copy less a record.
        if v.is_ascii() {
            v.make_ascii_lowercase();
            SortKey::Text(v)
        } else {
            SortKey::Text(v.to_lowercase())
        }
    }

    /// A total order (NaN, from a name such as "nan", sorts as numbers do by `total_cmp`), so
    /// an unstable sort may use it.
    fn order(&self, other: &SortKey) -> std::cmp::Ordering {
        match (self, other) {
            (SortKey::Num(a), SortKey::Num(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            SortKey::Missing => 0,
            SortKey::Num(_) => 1,
            SortKey::Text(_) => 2,
        }
    }
}

pub fn handle(s: &Shared, ctx: &Ctx, query: &str) -> VcdResult<Response> {
    let Some((p, expr)) = parse(query)? else {
        return Ok(query_list(s, ctx));
    };
    if p.qt.system_only() && !ctx.user.is_system() {
        return Err(VcdError::forbidden());
    }
    let w = s.read();
    let mut tasks = s.tasks();
    // A task query naming its object also lists the object's seeded past tasks.
    let past = match (&p.qt, expr.as_ref().and_then(|e| e.equals("object"))) {
        (QType::Task | QType::AdminTask, Some(href)) => task_history::entity_of(&w, href)
            .filter(|&e| ctx.user.is_system() || w.org_of(e) == ctx.user.org)
            .map(|e| tasks.history(&w, s.opts.seed, s.started, e))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let tasks = tasks;
    let val = |i: u32, a: &str| value(&w, &tasks, &s.base, p.qt, i, a, ctx.now);
    let compute = || {
        let mut items = records::scope(&w, &tasks, p.qt, ctx.user);
        items.extend(&past);
        if let Some(e) = &expr {
            items.retain(|&i| e.matches(&|a| val(i, a)));
        }
        if p.sort.len() > 1 {
            let attr = &p.sort[1..];
            // Ties keep the scope's order (a stable sort's answer) through their place in it,
            // so the faster unstable sort gives the same index.
            let mut keyed: Vec<(SortKey, u32, u32)> = items
                .iter()
                .enumerate()
                .map(|(at, &i)| (SortKey::of(val(i, attr)), at as u32, i))
                .collect();
            keyed.sort_unstable_by(|a, b| a.0.order(&b.0).then(a.1.cmp(&b.1)));
            if p.sort.starts_with('-') {
                keyed.reverse();
            }
            items = keyed.into_iter().map(|(_, _, i)| i).collect();
        }
        Arc::new(items)
    };
    let index = if p.qt.moves_with_time() {
        compute()
    } else {
        let key = (p.qt, p.filter.clone(), p.sort.clone(), ctx.user.org);
        let mut cache = s.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.generation != w.generation || cache.map.len() >= CACHE_ENTRIES {
            cache.map.clear();
            cache.generation = w.generation;
        }
        match cache.map.get(&key) {
            Some(hit) => hit.clone(),
            None => {
                let fresh = compute();
                cache.map.insert(key, fresh.clone());
                fresh
            }
        }
    };
    let total = index.len() as u64;
    let last = total.div_ceil(p.page_size).max(1);
    if p.page > last {
        return Err(VcdError::bad_request(format!(
            "The requested page {} is out of range (last page is {last})",
            p.page
        )));
    }
    let kind = format!("query.{}", p.format);
    let (root, child) = match p.format {
        "references" => (
            format!("{}References", p.qt.reference()),
            format!("{}Reference", p.qt.reference()),
        ),
        _ => ("QueryResultRecords".to_string(), p.qt.record().to_string()),
    };
    let mut out = String::from(DECL);
    let _ = writeln!(
        out,
        "<{root} xmlns=\"{VCLOUD_NS}\" total=\"{total}\" page=\"{}\" pageSize=\"{}\" name=\"{}\" type=\"{}\" href=\"{}\">",
        p.page,
        p.page_size,
        p.qt.name(),
        media(&kind),
        esc(&p.href(&s.base, p.page, p.format))
    );
    let page_link = |out: &mut String, rel: &str, page: u64| {
        link(out, rel, &kind, "", &p.href(&s.base, page, p.format))
    };
    if p.page > 1 {
        page_link(&mut out, "firstPage", 1);
        page_link(&mut out, "previousPage", p.page - 1);
    }
    if p.page < last {
        page_link(&mut out, "nextPage", p.page + 1);
        page_link(&mut out, "lastPage", last);
    }
    for f in ["records", "idrecords", "references"]
        .into_iter()
        .filter(|f| *f != p.format)
    {
        link(
            &mut out,
            "alternate",
            &format!("query.{f}"),
            "",
            &p.href(&s.base, p.page, f),
        );
    }
    let start = ((p.page - 1) * p.page_size) as usize;
    let end = (start + p.page_size as usize).min(index.len());
    for &i in &index[start.min(end)..end] {
        let (href, urn, name, ekind) = identity(&w, &tasks, &s.base, p.qt, i);
        if p.format == "references" {
            let _ = writeln!(
                out,
                "<{child} type=\"{}\" name=\"{}\" id=\"{urn}\" href=\"{href}\"/>",
                media(ekind),
                esc(&name)
            );
            continue;
        }
        let _ = write!(out, "<{child}");
        let attrs: Vec<&str> = if p.fields.is_empty() {
            p.qt.attrs().to_vec()
        } else {
            p.fields.iter().map(String::as_str).collect()
        };
        for a in attrs.into_iter().filter(|a| *a != "href" && *a != "id") {
            if let Some(v) = val(i, a) {
                let _ = write!(out, " {a}=\"{}\"", esc(&v));
            }
        }
        if p.format == "idrecords" {
            let _ = write!(out, " id=\"{urn}\"");
        }
        let _ = writeln!(out, " href=\"{href}\"/>");
    }
    let _ = writeln!(out, "</{root}>");
    Ok(respond(StatusCode::OK, &kind, &ctx.version, out))
}

fn query_list(s: &Shared, ctx: &Ctx) -> Response {
    let mut out = String::from(DECL);
    let _ = writeln!(
        out,
        "<QueryList xmlns=\"{VCLOUD_NS}\" type=\"{}\" href=\"{}/api/query\">",
        media("query.queryList"),
        s.base
    );
    for qt in ALL
        .iter()
        .filter(|q| ctx.user.is_system() || !q.system_only())
    {
        for f in ["references", "records", "idrecords"] {
            let href = format!("{}/api/query?type={}&format={f}", s.base, qt.name());
            link(&mut out, "down", &format!("query.{f}"), qt.name(), &href);
        }
    }
    out.push_str("</QueryList>\n");
    respond(StatusCode::OK, "query.queryList", &ctx.version, out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::response::Response;

    use tokio::time::Instant;

    use super::super::actions::Op;
    use super::super::tasks::Request;
    use super::super::{Ctx, Shared, User};
    use super::handle;
    use crate::sim::SimOptions;
    use crate::sim::faults::FaultState;
    use crate::sim::world::Entity;

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// How an admin client lists what runs now: `adminTask` in idrecords, newest first, only
    /// running ones. Task states are read at `now`, so the clock is the test's.
    #[tokio::test]
    async fn sysadmin_running_tasks_newest_first_in_idrecords() {
        let opts = SimOptions {
            task_seconds: 100.0,
            ..SimOptions::default()
        };
        let world = crate::sim::generate::generate(50, 42);
        let faults = Arc::new(FaultState::new(0, Default::default()));
        let s = Shared::new(
            ("http://sim".into(), "http://vc".into()),
            opts.clone(),
            world,
            faults,
        );
        let t0 = Instant::now();
        let wall = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let mut ids = vec![];
        // Started 50 s, 10 s and 1 s before `now` (the last still queued), and one long done.
        for (i, ago) in [50u64, 10, 1, 500].into_iter().enumerate() {
            let mut tasks = s.tasks();
            let at = tasks.create(
                Request {
                    op: Op::PowerOff,
                    target: Entity::Vm(i as u32),
                    memory: false,
                },
                User { org: 0 },
                1,
                &opts,
                t0,
            );
            let t = &mut tasks.list[at];
            t.start = t0 + Duration::from_secs(500) - Duration::from_secs(ago);
            t.start_wall = wall - time::Duration::seconds(ago as i64);
            ids.push(format!(
                "urn:vcloud:task:{}",
                crate::sim::world::uuid_str(t.id)
            ));
        }
        let ctx = |org| Ctx {
            version: "39.0".into(),
            user: User { org },
            now: t0 + Duration::from_secs(500),
        };
        let q = "type=adminTask&format=idrecords&sortDesc=startDate&filter=status==RUNNING";
        let doc = body(handle(&s, &ctx(0), q).unwrap()).await;
        let found: Vec<&str> = doc
            .lines()
            .filter(|l| l.starts_with("<AdminTaskRecord "))
            .map(|l| {
                let at = l.find(" id=\"").unwrap() + 5;
                &l[at..at + l[at..].find('"').unwrap()]
            })
            .collect();
        assert_eq!(found, [&ids[1], &ids[0]], "{doc}");
        assert!(doc.contains("total=\"2\""), "{doc}");
        // Tenants have the task type, not the admin one.
        assert!(handle(&s, &ctx(1), q).is_err());
        assert!(handle(&s, &ctx(1), "type=task&filter=status==RUNNING").is_ok());
    }
}
