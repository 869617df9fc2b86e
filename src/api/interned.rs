//! Texts that repeat across 100,000s of nodes, held once for the whole process: a node keeps a
//! small handle instead of its own copy. `Label` (2 bytes) names a status ("POWERED_ON"); `Sym`
//! (one thin pointer) is a VM fact that repeats (guest OS, vApp or host, owner). Both sets only
//! grow: they hold each distinct value once, a few thousand at most, for the life of the
//! process (a node that names a value keeps it readable without any count). `Prefix` (2 bytes)
//! is the part of a node id before its UUID (see `node_id`).

use foldhash::HashMap;
use std::cell::Cell;
use std::fmt;
use std::ops::Deref;
use std::sync::{LazyLock, Mutex, RwLock};

/// A status label: its index in the process's set of labels. Reads as the `str` it names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Label(u16);

/// A set of texts, each held once, named by a 2-byte index. The sets hash texts a server sent
/// with foldhash, not std's SipHash: every listed VM passes through them, a set is seeded at
/// random like SipHash's, and a set is bounded (its `cap`, or a few thousand distinct facts),
/// so a server choosing colliding texts could slow only a small set (issue 18).
struct Texts {
    texts: Vec<&'static str>,
    index: HashMap<&'static str, u16>,
    /// How many texts the set may hold.
    cap: usize,
}

impl Texts {
    fn new(first: &[&'static str], cap: usize) -> RwLock<Texts> {
        let texts = first.to_vec();
        let index = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (*t, i as u16))
            .collect();
        RwLock::new(Texts { texts, index, cap })
    }
}

/// How many texts each thread remembers in front of the shared sets.
const RECENT: usize = 64;

/// Which of a thread's memo slots `text` goes in.
fn slot(text: &str) -> usize {
    use std::hash::BuildHasher;
    (foldhash::fast::FixedState::with_seed(0).hash_one(text) as usize) % RECENT
}

thread_local! {
    /// The last texts this thread found in a set (the set's address, the text, its index):
    /// each listed VM asks for a few that repeat (its status, its id's prefix), and a hit here
    /// takes no lock that the other client threads also take. A set's indices never change, so
    /// a memo never goes stale; a server choosing texts that share a slot only makes misses.
    static RECENT_INDEX: [Cell<(usize, &'static str, u16)>; RECENT] =
        const { [const { Cell::new((0, "", 0)) }; RECENT] };
}

/// The index of `text` in `set`, added on first sight; None once the set is full.
fn index_of(set: &RwLock<Texts>, text: &str) -> Option<u16> {
    let (at, key) = (slot(text), std::ptr::from_ref(set) as usize);
    let (set_at, known, i) = RECENT_INDEX.with(|r| r[at].get());
    if set_at == key && known == text {
        return Some(i);
    }
    let i = index_of_shared(set, text)?;
    let text = text_at(set, i);
    RECENT_INDEX.with(|r| r[at].set((key, text, i)));
    Some(i)
}

fn index_of_shared(set: &RwLock<Texts>, text: &str) -> Option<u16> {
    if let Some(i) = read(set).index.get(text).copied() {
        return Some(i);
    }
    let mut texts = set.write().unwrap_or_else(|e| e.into_inner());
    if let Some(&i) = texts.index.get(text) {
        return Some(i);
    }
    if texts.texts.len() >= texts.cap {
        return None;
    }
    let i = u16::try_from(texts.texts.len()).ok()?;
    let text: &'static str = Box::leak(text.into());
    texts.texts.push(text);
    texts.index.insert(text, i);
    Some(i)
}

/// The text at index `i` of `set` ("" if there is none).
fn text_at(set: &RwLock<Texts>, i: u16) -> &'static str {
    read(set).texts.get(usize::from(i)).copied().unwrap_or("")
}

/// Index 0 is the empty label (`Label::NONE`); index 1 stands for any label past the last
/// index (65,535 distinct status texts: never seen, but no panic if it were).
static LABELS: LazyLock<RwLock<Texts>> =
    LazyLock::new(|| Texts::new(&["", "(other)"], usize::from(u16::MAX)));

/// A panic elsewhere while a set was locked leaves it whole (only inserts happen under the
/// lock), so it is read on.
fn read(set: &RwLock<Texts>) -> std::sync::RwLockReadGuard<'_, Texts> {
    set.read().unwrap_or_else(|e| e.into_inner())
}

impl Label {
    pub const NONE: Label = Label(0);

    pub fn new(text: &str) -> Label {
        if text.is_empty() {
            return Label::NONE;
        }
        Label(index_of(&LABELS, text).unwrap_or(1))
    }

    pub fn as_str(self) -> &'static str {
        text_at(&LABELS, self.0)
    }
}

/// The part of an id before its UUID ("https://vcd.example.com/api/vApp/vm-"): one per
/// endpoint and kind of object, held once (see `node_id`). A server that makes up a new prefix
/// for every object fills the set, after which ids are kept whole.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Prefix(u16);

/// Far more than endpoints × kinds; bounds what a strange server can make the process keep.
const PREFIXES: usize = 4096;

static PREFIX_SET: LazyLock<RwLock<Texts>> = LazyLock::new(|| Texts::new(&[], PREFIXES));

impl Prefix {
    /// The one copy of `text`, or None when the set is full.
    pub fn new(text: &str) -> Option<Prefix> {
        index_of(&PREFIX_SET, text).map(Prefix)
    }

    pub fn as_str(self) -> &'static str {
        text_at(&PREFIX_SET, self.0)
    }
}

impl Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Label {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Label> for &str {
    fn eq(&self, other: &Label) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<String> for Label {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

/// A value shared by every node that has it: a thin pointer to the one copy, so it costs a
/// node 8 bytes and reading it takes no lock. Equal when the texts are.
#[derive(Clone, Copy)]
pub struct Sym(&'static &'static str);

static SYMS: LazyLock<Mutex<HashMap<&'static str, &'static &'static str>>> =
    LazyLock::new(Default::default);

thread_local! {
    /// The last values this thread interned, in front of `SYMS` as `RECENT_INDEX` is in front
    /// of the label sets: a listed VM's guest OS, vApp and owner mostly repeat.
    static RECENT_SYMS: [Cell<Option<&'static &'static str>>; RECENT] =
        const { [const { Cell::new(None) }; RECENT] };
}

impl Sym {
    /// The one copy of `text`, made on first sight.
    pub fn new(text: &str) -> Sym {
        static EMPTY: &str = "";
        if text.is_empty() {
            return Sym(&EMPTY);
        }
        let at = slot(text);
        if let Some(s) = RECENT_SYMS.with(|r| r[at].get()).filter(|s| **s == text) {
            return Sym(s);
        }
        let s = Sym::shared(text);
        RECENT_SYMS.with(|r| r[at].set(Some(s.0)));
        s
    }

    fn shared(text: &str) -> Sym {
        let mut syms = SYMS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = syms.get(text) {
            return Sym(s);
        }
        let text: &'static str = Box::leak(text.into());
        let s: &'static &'static str = Box::leak(Box::new(text));
        syms.insert(text, s);
        Sym(s)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether both are the same shared copy (not only equal texts).
    pub fn same(a: Sym, b: Sym) -> bool {
        std::ptr::eq(a.0, b.0)
    }
}

impl Default for Sym {
    fn default() -> Self {
        Sym::new("")
    }
}

impl Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl PartialEq for Sym {
    fn eq(&self, other: &Sym) -> bool {
        Sym::same(*self, *other) || self.0 == other.0
    }
}

impl Eq for Sym {}

impl std::hash::Hash for Sym {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash(h)
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        *self.0 == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == *other
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<&str> for Sym {
    fn from(text: &str) -> Sym {
        Sym::new(text)
    }
}

impl From<String> for Sym {
    fn from(text: String) -> Sym {
        Sym::new(&text)
    }
}

impl From<&String> for Sym {
    fn from(text: &String) -> Sym {
        Sym::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_reads_as_its_text_and_is_small() {
        assert_eq!(std::mem::size_of::<Label>(), 2);
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 8);
        let a = Label::new("POWERED_ON");
        assert_eq!(a, Label::new("POWERED_ON"));
        assert_eq!(&*a, "POWERED_ON");
        assert_eq!(a.to_string(), "POWERED_ON");
        assert_eq!(Label::new(""), Label::NONE);
        assert!(Label::NONE.is_empty());
        let (x, y) = (
            Sym::new("Ubuntu Linux"),
            Sym::new(&format!("Ubuntu {}", "Linux")),
        );
        assert!(Sym::same(x, y));
        assert_eq!(x, "Ubuntu Linux");
        assert!(Sym::default().is_empty());
    }

    /// The per-thread memo gives what the shared sets give: the same text in two sets is two
    /// handles, slots taken over by other texts are asked again, and every thread gets the
    /// one shared copy.
    #[test]
    fn the_threads_memo_answers_as_the_shared_sets() {
        let texts: Vec<String> = (0..4 * RECENT).map(|i| format!("memo-{i}")).collect();
        let first: Vec<(Label, Option<Prefix>, Sym)> = (texts.iter())
            .map(|t| (Label::new(t), Prefix::new(t), Sym::new(t)))
            .collect();
        for _ in 0..2 {
            for (t, (label, prefix, sym)) in texts.iter().zip(&first) {
                assert_eq!((Label::new(t), Prefix::new(t)), (*label, *prefix), "{t}");
                assert_eq!(
                    (label.as_str(), prefix.map(Prefix::as_str)),
                    (&**t, Some(&**t))
                );
                assert!(Sym::same(Sym::new(t), *sym), "{t}");
            }
        }
        let elsewhere = std::thread::spawn(move || {
            (texts.iter().rev())
                .map(|t| (Label::new(t), Prefix::new(t), Sym::new(t)))
                .collect::<Vec<_>>()
        });
        let mut other = elsewhere.join().unwrap();
        other.reverse();
        for ((l, p, s), (l2, p2, s2)) in first.iter().zip(&other) {
            assert_eq!((l, p), (l2, p2));
            assert!(Sym::same(*s, *s2));
        }
    }
}
