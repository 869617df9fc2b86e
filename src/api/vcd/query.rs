//! The vCD query service for list-shaped views. The first page says how many records exist, so
//! the remaining pages are fetched in parallel (bounded) and delivered in order as they land;
//! the tree shows the first page while the rest are still on the wire.

use std::collections::BTreeMap;

use futures::{FutureExt, StreamExt, stream};

use super::map;
use super::session::Session;
use crate::api::backend::ChildSink;
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{ChildBatch, ListProgress, Node};
use crate::api::xml::{self, Attrs, Element, Visit};

/// The server maximum; fewer, larger pages mean fewer round trips.
pub const PAGE_SIZE: u32 = 128;

#[derive(Clone, Debug)]
pub struct Query {
    pub kind: String,
    pub filter: Option<String>,
    pub sort_asc: Option<String>,
    pub sort_desc: Option<String>,
    /// Only these record attributes (plus href): smaller pages, less to parse.
    pub fields: Option<&'static str>,
    pub page_size: u32,
    /// A query the server linked to (its href names the type and filter); pages are asked for
    /// by setting `page` and `pageSize` on it.
    pub href: Option<String>,
}

impl Query {
    pub fn new(kind: &str) -> Query {
        Query {
            kind: kind.to_string(),
            filter: None,
            sort_asc: Some("name".into()),
            sort_desc: None,
            fields: None,
            page_size: PAGE_SIZE,
            href: None,
        }
    }

    /// The query behind a server's link, followed and paged as it is.
    pub fn link(href: String) -> Query {
        Query {
            sort_asc: None,
            href: Some(href),
            ..Query::new("")
        }
    }

    pub fn fields(mut self, fields: &'static str) -> Query {
        self.fields = Some(fields);
        self
    }

    pub fn filter(mut self, fiql: impl Into<String>) -> Query {
        self.filter = Some(fiql.into());
        self
    }

    pub fn url(&self, base: &str, page: u64) -> String {
        if let Some(href) = &self.href {
            return self.paged_link(href, page);
        }
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("type", &self.kind)
            .append_pair("format", "records")
            .append_pair("page", &page.to_string())
            .append_pair("pageSize", &self.page_size.to_string());
        if let Some(f) = &self.filter {
            q.append_pair("filter", f);
        }
        if let Some(s) = &self.sort_asc {
            q.append_pair("sortAsc", s);
        }
        if let Some(s) = &self.sort_desc {
            q.append_pair("sortDesc", s);
        }
        if let Some(f) = self.fields {
            q.append_pair("fields", f);
        }
        format!("{base}/api/query?{}", q.finish())
    }
}

impl Query {
    fn paged_link(&self, href: &str, page: u64) -> String {
        let Ok(mut url) = url::Url::parse(href) else {
            // Not absolute: asked for as it is, and the server's answer says what is wrong.
            return href.to_string();
        };
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "page" && k != "pageSize")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("page", &page.to_string())
            .append_pair("pageSize", &self.page_size.to_string());
        url.to_string()
    }
}

/// How to walk the pages: in parallel from the total, or one by one following `nextPage`
/// (what most tools do; kept for the benchmark that compares the two).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    Parallel(usize),
    FollowLinks,
}

pub struct Page {
    pub records: Vec<Element>,
    pub total: u64,
    pub page_size: u64,
    pub next: Option<String>,
}

fn not_a_query_result(root: &str) -> ApiError {
    ApiError::parse(format!("expected a query result, got <{root}>"))
}

pub fn page(root: Element) -> ApiResult<Page> {
    if !root.name.starts_with("QueryResult") {
        return Err(not_a_query_result(&root.name));
    }
    let number = |k: &str| root.attr(k).and_then(|v| v.parse::<u64>().ok());
    let total = number("total").unwrap_or(0);
    let page_size = number("pageSize").unwrap_or(PAGE_SIZE as u64).max(1);
    let next = root
        .children_named("Link")
        .find(|l| l.attr("rel") == Some("nextPage"))
        .and_then(|l| l.attr("href"))
        .map(str::to_string);
    let records = root
        .children
        .into_iter()
        .filter(|c| c.name.ends_with("Record") || c.name.ends_with("Reference"))
        .collect();
    Ok(Page {
        records,
        total,
        page_size,
        next,
    })
}

async fn fetch(session: &Session, url: String) -> ApiResult<Page> {
    page(session.get(&url).await?.root)
}

/// What `walk` keeps of a page: its records as tree nodes, read straight from its bytes (no
/// tree of elements built and dropped: at 100,000 VMs that was a third of the vCD client's
/// CPU, issue 18). It reads what `page` reads, and maps each record as `map::record_node`
/// maps the same record of the tree.
pub struct NodePage {
    pub nodes: Vec<Node>,
    /// Records on the page (a record that makes no node counts too, as in `Page`).
    pub records: u64,
    pub total: u64,
    pub page_size: u64,
    pub next: Option<String>,
}

/// A record (a child of the page's root) as `map::record_node` reads it.
struct Open<'x, 'a> {
    name: &'x str,
    attrs: &'x Attrs<'a>,
}

impl map::Record for Open<'_, '_> {
    fn name(&self) -> &str {
        self.name
    }

    fn attr(&self, name: &str) -> Option<&str> {
        (self.attrs.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| &**v)
    }
}

/// The most records a page is given room for ahead (vCD's pages hold at most 128 unless its
/// administrator raises that).
const MAX_PAGE_ROOM: u64 = 1024;

#[derive(Default)]
struct PageReader {
    /// The root's name when it is not a query result.
    other_root: Option<String>,
    total: Option<u64>,
    page_size: Option<u64>,
    /// The first `Link rel="nextPage"` under the root (its href, if it has one).
    next: Option<Option<String>>,
    nodes: Vec<Node>,
    records: u64,
}

impl Visit for PageReader {
    fn open(&mut self, depth: usize, name: &str, attrs: &Attrs<'_>, _empty: bool) {
        let el = Open { name, attrs };
        use map::Record;
        match depth {
            0 => {
                if !name.starts_with("QueryResult") {
                    self.other_root = Some(name.to_string());
                }
                let number = |k: &str| el.attr(k).and_then(|v| v.parse::<u64>().ok());
                self.total = number("total");
                self.page_size = number("pageSize");
                // Room for a page's records at once rather than by doubling (each step a fresh
                // block faulted in, issue 18); bounded, as the count comes from the server.
                let room = self.page_size.unwrap_or(0).min(MAX_PAGE_ROOM);
                self.nodes.reserve(room as usize);
            }
            1 if name.ends_with("Record") || name.ends_with("Reference") => {
                self.records += 1;
                self.nodes.extend(map::record_node(&el));
            }
            1 if name == "Link" && self.next.is_none() && el.attr("rel") == Some("nextPage") => {
                self.next = Some(el.attr("href").map(str::to_string));
            }
            _ => {}
        }
    }
}

/// A query page's records as nodes (`NodePage`); the root's name, when it is not a query
/// result, comes back apart so that the caller refuses it without asking again.
pub fn node_page(body: &[u8]) -> ApiResult<Result<NodePage, String>> {
    let mut r = PageReader::default();
    xml::read(body, &mut r)?;
    if let Some(root) = r.other_root {
        return Ok(Err(root));
    }
    Ok(Ok(NodePage {
        nodes: r.nodes,
        records: r.records,
        total: r.total.unwrap_or(0),
        page_size: r.page_size.unwrap_or(PAGE_SIZE as u64).max(1),
        next: r.next.flatten(),
    }))
}

async fn fetch_nodes(session: &Session, url: String) -> ApiResult<NodePage> {
    (session.get_with(&url, node_page).await?).map_err(|root| not_a_query_result(&root))
}

/// A page as `walk_pages` sees it.
trait Paged {
    fn len(&self) -> u64;
    fn total(&self) -> u64;
    fn page_size(&self) -> u64;
    fn next(&self) -> Option<String>;
}

impl Paged for Page {
    fn len(&self) -> u64 {
        self.records.len() as u64
    }
    fn total(&self) -> u64 {
        self.total
    }
    fn page_size(&self) -> u64 {
        self.page_size
    }
    fn next(&self) -> Option<String> {
        self.next.clone()
    }
}

impl Paged for NodePage {
    fn len(&self) -> u64 {
        self.records
    }
    fn total(&self) -> u64 {
        self.total
    }
    fn page_size(&self) -> u64 {
        self.page_size
    }
    fn next(&self) -> Option<String> {
        self.next.clone()
    }
}

/// Streams every record of a query into the sink as tree nodes; returns the request count.
pub async fn walk(
    session: &Session,
    query: &Query,
    paging: Paging,
    label: &str,
    sink: &ChildSink,
) -> ApiResult<u64> {
    walk_pages(
        session,
        query,
        paging,
        fetch_nodes,
        |page: NodePage, done, total| {
            sink.push(ChildBatch {
                nodes: page.nodes,
                total: Some(total),
                progress: Some(ListProgress {
                    label: label.to_string(),
                    done,
                    total,
                }),
                by_name: false,
            })
        },
    )
    .await
}

/// Every record of a query mapped to `T`, in order; `progress(done, total)` after each page.
pub async fn collect<T>(
    session: &Session,
    query: &Query,
    paging: Paging,
    progress: impl Fn(u64, u64),
    map: impl Fn(&Element) -> Option<T>,
) -> ApiResult<Vec<T>> {
    let mut out = Vec::new();
    walk_pages(session, query, paging, fetch, |page: Page, done, total| {
        out.extend(page.records.iter().filter_map(&map));
        progress(done, total);
    })
    .await?;
    Ok(out)
}

/// Hands every page to `each` in order, with the records delivered so far and the total;
/// returns the request count.
async fn walk_pages<'s, P: Paged, F: Future<Output = ApiResult<P>>>(
    session: &'s Session,
    query: &Query,
    paging: Paging,
    fetch: impl Fn(&'s Session, String) -> F,
    mut each: impl FnMut(P, u64, u64),
) -> ApiResult<u64> {
    let first = fetch(session, query.url(session.base(), 1)).await?;
    let total = first.total();
    let mut done = 0u64;
    let mut emit = |page: P| {
        done += page.len();
        each(page, done.min(total), total);
    };
    let pages = total.div_ceil(first.page_size()).max(1);
    let mut requests = 1;
    match paging {
        Paging::FollowLinks => {
            let mut next = first.next();
            emit(first);
            while let Some(url) = next {
                let page = fetch(session, url).await?;
                requests += 1;
                next = page.next();
                emit(page);
            }
        }
        Paging::Parallel(width) => {
            emit(first);
            // Pages answered out of order wait here for the ones before them, so a slow page
            // holds back only the emitting, never the next requests: with `buffered`, one slow
            // answer left its finished successors holding slots (the walk ran at 1.4–1.7× its
            // floor where each request took ~22 ms).
            let mut rest = stream::iter(2..=pages)
                .map(|n| fetch(session, query.url(session.base(), n)).map(move |p| (n, p)))
                .buffer_unordered(width.max(1));
            let mut waiting = BTreeMap::new();
            let mut due = 2;
            while let Some((n, page)) = rest.next().await {
                requests += 1;
                waiting.insert(n, page?);
                while let Some(page) = waiting.remove(&due) {
                    emit(page);
                    due += 1;
                }
            }
        }
    }
    Ok(requests)
}

/// Every record of a (small) query, for lists such as recent tasks.
pub async fn records(session: &Session, query: &Query) -> ApiResult<Vec<Element>> {
    Ok(fetch(session, query.url(session.base(), 1)).await?.records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    use crate::api::vcd::session::Credentials;

    /// A page as `walk` reads it, or its error's text.
    type Read = Result<Result<(Vec<Node>, u64, u64, u64, Option<String>), String>, String>;

    /// What `walk` kept of a page when it built the page's tree first.
    fn by_tree(body: &[u8]) -> Read {
        let root = xml::parse(body).map_err(|e| e.to_string())?;
        if !root.name.starts_with("QueryResult") {
            return Ok(Err(root.name.to_string()));
        }
        let p = page(root).map_err(|e| e.to_string())?;
        let nodes = p.records.iter().filter_map(map::record_node).collect();
        let n = p.records.len() as u64;
        Ok(Ok((nodes, n, p.total, p.page_size, p.next)))
    }

    fn by_reader(body: &[u8]) -> Read {
        let p = node_page(body).map_err(|e| e.to_string())?;
        Ok(p.map(|p| (p.nodes, p.records, p.total, p.page_size, p.next)))
    }

    fn sample(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/vcd/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    const SAMPLES: [&str; 8] = [
        "query_vm_records.xml",
        "query_vm_records_skyscape_page.xml",
        "query_catalog_records.xml",
        "query_catalog_references.xml",
        "query_admin_role_records.xml",
        "admin_vm_record_ns7_jaxb_skeleton.xml",
        "query_list.xml",
        "entity_vm.xml",
    ];

    #[test]
    fn real_pages_read_as_their_trees_do() {
        let mut records = 0;
        for name in SAMPLES {
            let body = sample(name);
            let read = by_reader(&body);
            assert_eq!(read, by_tree(&body), "{name}");
            records += read.ok().and_then(Result::ok).map_or(0, |p| p.0.len());
        }
        assert!(records >= 20, "the samples hold records: {records}");
    }

    /// Escapes, namespaces, repeated attributes, records with children, text and CDATA,
    /// `nextPage` links with and without an href, odd paging numbers, other roots and broken
    /// bodies: each read (or refused, with the same words) as its tree is.
    #[test]
    fn odd_pages_read_as_their_trees_do() {
        let pages: &[&str] = &[
            r#"<QueryResultRecords total="3" pageSize="0"><Link rel="nextPage"/><Link rel="nextPage" href="b"/><VMRecord href="h/vm-1" name="a &amp; &#x41;" status="POWERED_ON" name="second" guestOs="x&lt;y" numberOfCpus="2" memoryMB="4096" containerName="c"/></QueryResultRecords>"#,
            r#"<q:QueryResultRecords xmlns:q="urn:x" total="-1"><q:AdminVMRecord q:href="h/vm-2" q:name="n" xmlns:o="urn:o"><Link rel="down" href="x"/>text<![CDATA[<raw>]]></q:AdminVMRecord><Other href="h/x"/><OrgVdcRecord href="h/vdc" name="v" isEnabled="false"><Inner><VMRecord href="deep"/></Inner></OrgVdcRecord></q:QueryResultRecords>"#,
            r#"<QueryResultReferences total="2"><VAppReference href="h/vapp-1" name="x"/><CatalogReference name="no href"/><HostRecord href="h/host" isInMaintenanceMode="false" connectionState="DISCONNECTED"/></QueryResultReferences>"#,
            r#"<QueryResultRecords/>"#,
            r#"<Link rel="nextPage" href="x"/>"#,
            r#"<VApp href="h/vapp"><VMRecord href="h/vm"/></VApp>"#,
            r#"<QueryResultRecords><VMRecord href="h/vm" name="&bogus;"/></QueryResultRecords>"#,
            r#"<QueryResultRecords>&bogus;</QueryResultRecords>"#,
            r#"<QueryResultRecords><VMRecord href="h/vm""#,
            r#"<QueryResultRecords><VMRecord href="h/vm"/>"#,
            r#"<QueryResultRecords></QueryResultRecords><QueryResultRecords/>"#,
            r#"<QueryResultRecords><A></B></QueryResultRecords>"#,
            "",
            "not xml",
            "<QueryResultRecords a='1' a='2' b=x/>",
        ];
        for p in pages {
            assert_eq!(by_reader(p.as_bytes()), by_tree(p.as_bytes()), "{p}");
        }
        let deep = "<a>".repeat(xml::MAX_DEPTH + 1) + &"</a>".repeat(xml::MAX_DEPTH + 1);
        assert_eq!(by_reader(deep.as_bytes()), by_tree(deep.as_bytes()));
        assert!(by_reader(deep.as_bytes()).is_err());
    }

    proptest! {
        /// A real page cut short or with a byte changed anywhere: read, or refused, as its
        /// tree is.
        #[test]
        fn damaged_pages_read_as_their_trees_do(
            cut in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"<>&;\"'/= x\xff\xc3#".to_vec()),
            which in 0..SAMPLES.len(),
        ) {
            let mut body = sample(SAMPLES[which]);
            let i = at.index(body.len());
            body[i] = byte;
            body.truncate(cut.index(body.len() + 1));
            prop_assert_eq!(by_reader(&body), by_tree(&body));
        }
    }

    #[test]
    fn urls_encode_fiql() {
        let q = Query::new("vApp").filter("vdc==https://h/api/vdc/1;name==a b*");
        let url = q.url("https://h", 2);
        assert_eq!(
            url,
            "https://h/api/query?type=vApp&format=records&page=2&pageSize=128\
             &filter=vdc%3D%3Dhttps%3A%2F%2Fh%2Fapi%2Fvdc%2F1%3Bname%3D%3Da+b*&sortAsc=name"
        );
    }

    #[test]
    fn linked_queries_keep_their_terms_and_get_paged() {
        let q = Query::link("https://h/api/query?type=orgVdc&filter=orgName%3D%3DA&page=9".into());
        assert_eq!(
            q.url("https://ignored", 2),
            "https://h/api/query?type=orgVdc&filter=orgName%3D%3DA&page=2&pageSize=128"
        );
    }

    /// A page of the walk test: its number and the total the first page announces.
    struct Numbered(u64);

    impl Paged for Numbered {
        fn len(&self) -> u64 {
            1
        }
        fn total(&self) -> u64 {
            12
        }
        fn page_size(&self) -> u64 {
            1
        }
        fn next(&self) -> Option<String> {
            None
        }
    }

    /// Page 2 is answered only once the last page has been asked for (or after 5 s): the walk
    /// must keep its slots busy past a page that is slow to answer, and still hand every page
    /// over in order.
    #[tokio::test]
    async fn a_slow_page_holds_back_no_request_and_pages_come_in_order() {
        use std::sync::Mutex;
        use tokio::sync::Notify;
        let http = crate::api::http::Http::new(Default::default()).unwrap();
        let creds = Credentials {
            user: "u".into(),
            password: String::new().into(),
        };
        let session = Session::new(http, "https://h", creds);
        let last_asked = Notify::new();
        let released_by_timeout = Mutex::new(false);
        let fetch = |_: &Session, url: String| {
            let n: u64 = url
                .split("page=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let (last_asked, timed_out) = (&last_asked, &released_by_timeout);
            async move {
                if n == 12 {
                    last_asked.notify_one();
                }
                if n == 2 {
                    let wait = tokio::time::timeout(Duration::from_secs(5), last_asked.notified());
                    *timed_out.lock().unwrap() = wait.await.is_err();
                }
                Ok(Numbered(n))
            }
        };
        let mut seen = Vec::new();
        let requests = walk_pages(
            &session,
            &Query::new("vm"),
            Paging::Parallel(3),
            fetch,
            |p, _, _| seen.push(p.0),
        )
        .await
        .unwrap();
        assert!(
            !*released_by_timeout.lock().unwrap(),
            "the walk waited on page 2"
        );
        assert_eq!(seen, (1..=12).collect::<Vec<_>>());
        assert_eq!(requests, 12);
    }
}
