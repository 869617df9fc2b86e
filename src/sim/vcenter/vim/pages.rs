//! Paged property reads, as vCenter pages them: a `RetrievePropertiesEx` answers at most a page
//! of objects (the smaller of the client's `options.maxObjects` and the server's own page) and a
//! `token` when more remain; `ContinueRetrievePropertiesEx(token)` answers the next page (and a
//! new token while more remain), `CancelRetrievePropertiesEx(token)` drops the rest. A token is
//! used once, only in the session that got it; any other is an `InvalidProperty` fault naming
//! `token`, as vSphere documents and VMware's vcsim answers.

use std::collections::BTreeMap;

use super::{Fault, Val};

/// Pending results kept at most; past it the oldest are forgotten (a client that walked away
/// without cancelling must not grow the server for ever).
const KEPT: usize = 1024;

struct Pending {
    session: String,
    /// The objects still to hand out, in order.
    rest: Vec<Val>,
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

    /// The `RetrieveResult` of a read's first `page` objects, with a token when more remain;
    /// `None` when nothing matched (vCenter then leaves `returnval` unset).
    pub fn first(&mut self, session: &str, mut objects: Vec<Val>, page: usize) -> Option<Val> {
        if objects.is_empty() {
            return None;
        }
        let rest = objects.split_off(page.min(objects.len()));
        Some(self.result(session, objects, rest, page))
    }

    /// The next page of the read `token` names.
    pub fn next(&mut self, session: &str, token: &str) -> Result<Val, Fault> {
        let mut p = self.take(session, token)?;
        self.continued += 1;
        let rest = p.rest.split_off(p.page.min(p.rest.len()));
        Ok(self.result(session, p.rest, rest, p.page))
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

    fn result(&mut self, session: &str, objects: Vec<Val>, rest: Vec<Val>, page: usize) -> Val {
        let mut fields = vec![];
        if !rest.is_empty() {
            self.next += 1;
            let pending = Pending {
                session: session.to_string(),
                rest,
                page,
            };
            self.pending.insert(self.next, pending);
            if self.pending.len() > KEPT {
                self.pending.pop_first();
            }
            fields.push(("token", Val::Str(self.next.to_string())));
        }
        fields.push(("objects", Val::List("ObjectContent", objects)));
        Val::Obj("RetrieveResult", fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objs(n: i64) -> Vec<Val> {
        (0..n).map(Val::Int).collect()
    }

    fn parts(v: &Val) -> (Option<String>, usize) {
        let Val::Obj("RetrieveResult", fields) = v else {
            panic!("{v:?}")
        };
        let token = fields.iter().find_map(|(n, v)| match (n, v) {
            (&"token", Val::Str(t)) => Some(t.clone()),
            _ => None,
        });
        let count = fields.iter().find_map(|(n, v)| match (n, v) {
            (&"objects", Val::List(_, items)) => Some(items.len()),
            _ => None,
        });
        (token, count.unwrap_or(0))
    }

    #[test]
    fn a_read_pages_until_no_token_and_each_token_works_once() {
        let mut p = Pages::default();
        let (mut token, n) = parts(&p.first("s", objs(250), 100).unwrap());
        let mut total = n;
        let mut used = vec![];
        while let Some(t) = token {
            let (next, n) = parts(&p.next("s", &t).unwrap());
            total += n;
            used.push(t);
            token = next;
        }
        assert_eq!(total, 250);
        assert_eq!(p.counts().continued, 2);
        assert_eq!(p.counts().pending, 0);
        assert_eq!(p.next("s", &used[0]).unwrap_err().kind, "InvalidProperty");
    }

    #[test]
    fn tokens_belong_to_their_session_and_cancel_drops_the_rest() {
        let mut p = Pages::default();
        let (token, n) = parts(&p.first("s", objs(5), 2).unwrap());
        assert_eq!(n, 2);
        let token = token.unwrap();
        assert!(p.next("other", &token).is_err(), "another session's token");
        assert!(p.next("s", "nonsense").is_err());
        p.cancel("s", &token).unwrap();
        assert!(p.next("s", &token).is_err(), "cancelled");
        assert_eq!(p.counts().cancelled, 1);
        assert!(p.first("s", vec![], 2).is_none());
    }

    #[test]
    fn the_client_may_ask_for_smaller_pages_never_larger() {
        assert_eq!(page_size(100, None), 100);
        assert_eq!(page_size(100, Some(0)), 100);
        assert_eq!(page_size(100, Some(10)), 10);
        assert_eq!(page_size(100, Some(5000)), 100);
    }
}
