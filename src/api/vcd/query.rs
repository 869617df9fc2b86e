//! The vCD query service for list-shaped views. The first page says how many records exist, so
//! the remaining pages are fetched in parallel (bounded) and delivered in order as they land;
//! the tree shows the first page while the rest are still on the wire.

use futures::{StreamExt, stream};

use super::map;
use super::session::Session;
use crate::api::backend::ChildSink;
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{ChildBatch, ListProgress};
use crate::api::xml::Element;

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

pub fn page(root: Element) -> ApiResult<Page> {
    if !root.name.starts_with("QueryResult") {
        return Err(ApiError::parse(format!(
            "expected a query result, got <{}>",
            root.name
        )));
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

async fn fetch(session: &Session, url: &str) -> ApiResult<Page> {
    page(session.get(url).await?.root)
}

/// Streams every record of a query into the sink as tree nodes; returns the request count.
pub async fn walk(
    session: &Session,
    query: &Query,
    paging: Paging,
    label: &str,
    sink: &ChildSink,
) -> ApiResult<u64> {
    walk_pages(session, query, paging, |page, done, total| {
        sink.push(ChildBatch {
            nodes: page.records.iter().filter_map(map::record_node).collect(),
            total: Some(total),
            progress: Some(ListProgress {
                label: label.to_string(),
                done,
                total,
            }),
            by_name: false,
        })
    })
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
    walk_pages(session, query, paging, |page, done, total| {
        out.extend(page.records.iter().filter_map(&map));
        progress(done, total);
    })
    .await?;
    Ok(out)
}

/// Hands every page to `each` in order, with the records delivered so far and the total;
/// returns the request count.
async fn walk_pages(
    session: &Session,
    query: &Query,
    paging: Paging,
    mut each: impl FnMut(Page, u64, u64),
) -> ApiResult<u64> {
    let first = fetch(session, &query.url(session.base(), 1)).await?;
    let total = first.total;
    let mut done = 0u64;
    let mut emit = |page: Page| {
        done += page.records.len() as u64;
        each(page, done.min(total), total);
    };
    let pages = total.div_ceil(first.page_size).max(1);
    let mut requests = 1;
    match paging {
        Paging::FollowLinks => {
            let mut next = first.next.clone();
            emit(first);
            while let Some(url) = next {
                let page = fetch(session, &url).await?;
                requests += 1;
                next = page.next.clone();
                emit(page);
            }
        }
        Paging::Parallel(width) => {
            emit(first);
            let mut rest = stream::iter(2..=pages)
                .map(|n| {
                    let url = query.url(session.base(), n);
                    async move { fetch(session, &url).await }
                })
                .buffered(width.max(1));
            while let Some(page) = rest.next().await {
                requests += 1;
                emit(page?);
            }
        }
    }
    Ok(requests)
}

/// Every record of a (small) query, for lists such as recent tasks.
pub async fn records(session: &Session, query: &Query) -> ApiResult<Vec<Element>> {
    Ok(fetch(session, &query.url(session.base(), 1)).await?.records)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
