//! Paged property reads, as vCenter pages them: a `RetrievePropertiesEx` answers at most a page
//! of objects (the smaller of the client's `options.maxObjects` and the server's own page) and a
//! `token` when more remain; `ContinueRetrievePropertiesEx(token)` answers the next page (and a
//! new token while more remain), `CancelRetrievePropertiesEx(token)` drops the rest. A token is
//! used once, only in the session that got it; any other is an `InvalidProperty` fault naming
//! `token`, as vSphere documents and VMware's vcsim answers. The objects still to hand out are
//! kept unbuilt (`props::Item::Later`) and computed when their page is asked for.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::props::{FilterSpec, Item};
use super::{Fault, Val};

/// Pending results kept at most; past it the oldest are forgotten (a client that walked away
/// without cancelling must not grow the server for ever).
const KEPT: usize = 1024;

struct Pending {
    session: String,
    /// The objects still to hand out, in order.
    rest: Vec<Item>,
    /// What the read asked, to build them.
    specs: Arc<[FilterSpec]>,
    page: usize,
}

/// Each session's unfinished reads, and how many continuations and cancels were asked.
#[derive(Default)]
pub struct Pages {
    next: u64,
    pending: BTreeMap<u64, Pending>,
    pub continued: u64,
    pub cancelled: u64,
}

/// What the simulator's paging has seen, for tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageCounts {
    pub continued: u64,
    pub cancelled: u64,
    /// Results with objects still to hand out.
    pub pending: usize,
}

fn unknown(token: &str) -> Fault {
    Fault::new(
        "InvalidProperty",
        format!(
            "The token '{token}' names no unfinished RetrievePropertiesEx of this session \
             (each token is used once)."
        ),
    )
    .with("name", Val::str("token"))
}

/// The page a read gets: the client's `maxObjects` when it asks for fewer than the server
/// answers at once (0 or none: the server's page).
pub fn page_size(server_page: usize, max_objects: Option<i64>) -> usize {
    let server = server_page.max(1);
    match max_objects {
        Some(m) if m > 0 => (m as usize).min(server),
        _ => server,
    }
}

impl Pages {
    pub fn counts(&self) -> PageCounts {
        PageCounts {
            continued: self.continued,
            cancelled: self.cancelled,
            pending: self.pending.len(),
        }
    }

    /// A read's first `page` objects and, when more remain, the token that continues it;
    /// `None` when nothing matched (vCenter then leaves `returnval` unset).
    pub fn first(
        &mut self,
        session: &str,
        objects: Vec<Item>,
        specs: Arc<[FilterSpec]>,
        page: usize,
    ) -> Option<(Vec<Item>, Option<String>)> {
        if objects.is_empty() {
            return None;
        }
        Some(self.cut(session, objects, specs, page))
    }

    /// The next page of the read `token` names, its token when more remain, and the specs to
    /// build its objects with.
    pub fn next(&mut self, session: &str, token: &str) -> Result<Next, Fault> {
        let p = self.take(session, token)?;
        self.continued += 1;
        let specs = p.specs.clone();
        let (objects, token) = self.cut(session, p.rest, p.specs, p.page);
        Ok((objects, token, specs))
    }

    pub fn cancel(&mut self, session: &str, token: &str) -> Result<(), Fault> {
        self.take(session, token)?;
        self.cancelled += 1;
        Ok(())
    }

    fn take(&mut self, session: &str, token: &str) -> Result<Pending, Fault> {
        let key = token.trim().parse::<u64>().map_err(|_| unknown(token))?;
        match self.pending.get(&key) {
            Some(p) if p.session == session => Ok(self.pending.remove(&key).expect("present")),
            _ => Err(unknown(token)),
        }
    }

    /// `objects`' first `page`, keeping the rest under a new token.
    fn cut(
        &mut self,
        session: &str,
        mut objects: Vec<Item>,
        specs: Arc<[FilterSpec]>,
        page: usize,
    ) -> (Vec<Item>, Option<String>) {
        let rest = objects.split_off(page.min(objects.len()));
        if rest.is_empty() {
            return (objects, None);
        }
        self.next += 1;
        let pending = Pending {
            session: session.to_string(),
            rest,
            specs,
            page,
        };
        self.pending.insert(self.next, pending);
        if self.pending.len() > KEPT {
            self.pending.pop_first();
        }
        (objects, Some(self.next.to_string()))
    }
}

/// A continued page: its objects, the token when more remain, the read's specs.
pub type Next = (Vec<Item>, Option<String>, Arc<[FilterSpec]>);

/// The `RetrieveResult` of one page.
pub fn result(token: Option<String>, objects: Vec<Val>) -> Val {
    let mut fields = vec![];
    if let Some(token) = token {
        fields.push(("token", Val::Str(token)));
    }
    fields.push(("objects", Val::List("ObjectContent", objects)));
    Val::Obj("RetrieveResult", fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objs(n: i64) -> Vec<Item> {
        (0..n).map(|i| Item::Built(Val::Int(i))).collect()
    }

    fn first(p: &mut Pages, s: &str, n: i64, page: usize) -> Option<(Option<String>, usize)> {
        let (items, token) = p.first(s, objs(n), Arc::new([]), page)?;
        Some((token, items.len()))
    }

    fn cont(p: &mut Pages, s: &str, token: &str) -> Result<(Option<String>, usize), Fault> {
        let (items, token, _) = p.next(s, token)?;
        Ok((token, items.len()))
    }

    #[test]
    fn a_read_pages_until_no_token_and_each_token_works_once() {
        let mut p = Pages::default();
        let (mut token, n) = first(&mut p, "s", 250, 100).unwrap();
        let mut total = n;
        let mut used = vec![];
        while let Some(t) = token {
            let (next, n) = cont(&mut p, "s", &t).unwrap();
            total += n;
            used.push(t);
            token = next;
        }
        assert_eq!(total, 250);
        assert_eq!(p.counts().continued, 2);
        assert_eq!(p.counts().pending, 0);
        assert_eq!(
            cont(&mut p, "s", &used[0]).unwrap_err().kind,
            "InvalidProperty"
        );
    }

    #[test]
    fn tokens_belong_to_their_session_and_cancel_drops_the_rest() {
        let mut p = Pages::default();
        let (token, n) = first(&mut p, "s", 5, 2).unwrap();
        assert_eq!(n, 2);
        let token = token.unwrap();
        assert!(
            cont(&mut p, "other", &token).is_err(),
            "another session's token"
        );
        assert!(cont(&mut p, "s", "nonsense").is_err());
        p.cancel("s", &token).unwrap();
        assert!(cont(&mut p, "s", &token).is_err(), "cancelled");
        assert_eq!(p.counts().cancelled, 1);
        assert!(first(&mut p, "s", 0, 2).is_none());
    }

    #[test]
    fn the_client_may_ask_for_smaller_pages_never_larger() {
        assert_eq!(page_size(100, None), 100);
        assert_eq!(page_size(100, Some(0)), 100);
        assert_eq!(page_size(100, Some(10)), 10);
        assert_eq!(page_size(100, Some(5000)), 100);
    }
}
