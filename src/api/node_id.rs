//! A node's id as small as its text allows. Most ids at scale end in a UUID after a prefix that
//! every object of a kind on an endpoint shares (`https://vcd.example.com/api/vApp/vm-<uuid>`,
//! an Aria Operations resource's bare UUID): such an id is kept as the prefix's 2-byte handle
//! and the UUID's 16 bytes, and its text is rebuilt when asked (`as_str`). Any other id is
//! kept as it is (a `CompactString`: inline up to 24 bytes, like vCenter's `vm/vm-42`).
//!
//! Each text has exactly one form (a UUID is taken only in its lower-case spelling, which
//! rebuilds to the same text), so ids compare and hash by their form.

use std::borrow::Cow;
use std::fmt;

use compact_str::CompactString;

use super::interned::Prefix;

/// Opaque to the app, stable, and enough for its backend to fetch the node again.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NodeId(Form);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Form {
    Text(CompactString),
    /// Fits beside the niche `CompactString` leaves in its last byte: a `NodeId` is 24 bytes.
    Uuid {
        uuid: [u8; 16],
        prefix: Prefix,
    },
}

/// `8-4-4-4-12` hex digits and dashes.
const UUID_LEN: usize = 36;
const DASHES: [usize; 4] = [8, 13, 18, 23];

/// Where each byte's two hex digits start in the text.
const PAIRS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// The 16 bytes of a lower-case UUID text; None for anything else (upper case included, so
/// that the rebuilt text is always the original). Every vCD id listed passes here: read by
/// position, not by filtering an iterator.
fn parse_uuid(text: &[u8]) -> Option<[u8; 16]> {
    if text.len() != UUID_LEN || DASHES.iter().any(|&i| text[i] != b'-') {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 16];
    for (byte, &at) in out.iter_mut().zip(&PAIRS) {
        *byte = nibble(text[at])? << 4 | nibble(text[at + 1])?;
    }
    Some(out)
}

fn write_uuid(uuid: &[u8; 16], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in uuid.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

impl NodeId {
    pub fn new(text: &str) -> NodeId {
        let split = text.len().checked_sub(UUID_LEN);
        let compact = split.and_then(|at| {
            let uuid = parse_uuid(&text.as_bytes()[at..])?;
            // The UUID is ASCII, so `at` is a character boundary.
            let prefix = Prefix::new(&text[..at])?;
            Some(Form::Uuid { uuid, prefix })
        });
        NodeId(compact.unwrap_or_else(|| Form::Text(text.into())))
    }

    /// The id's text: borrowed when kept whole, rebuilt (one small allocation) otherwise.
    pub fn as_str(&self) -> Cow<'_, str> {
        match &self.0 {
            Form::Text(t) => Cow::Borrowed(t),
            Form::Uuid { uuid, prefix } => {
                let prefix = prefix.as_str();
                let mut out = String::with_capacity(prefix.len() + UUID_LEN);
                out.push_str(prefix);
                write_uuid(uuid, &mut out);
                Cow::Owned(out)
            }
        }
    }

    /// Calls `f` with the id's text, rebuilt (if it must be) in a buffer the thread reuses: for
    /// loops over every node (filters, searches), which would otherwise allocate once a node.
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        thread_local! {
            static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        match &self.0 {
            Form::Text(t) => f(t),
            Form::Uuid { uuid, prefix } => BUF.with(|buf| {
                // A nested call (f asks another id) finds the buffer taken: it allocates.
                let Ok(mut b) = buf.try_borrow_mut() else {
                    return f(&self.as_str());
                };
                b.clear();
                b.push_str(prefix.as_str());
                write_uuid(uuid, &mut b);
                f(&b)
            }),
        }
    }

    /// Bytes of text the id keeps in a heap block of its own (0 when inline).
    pub fn heap_len(&self) -> usize {
        match &self.0 {
            Form::Text(t) if t.is_heap_allocated() => t.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Form::Text(t) if t.is_empty())
    }

    /// Whether the id's text is `text`, without building it.
    pub fn is(&self, text: &str) -> bool {
        match &self.0 {
            Form::Text(t) => t == text,
            Form::Uuid { uuid, prefix } => {
                let prefix = prefix.as_str();
                text.len() == prefix.len() + UUID_LEN
                    && text.starts_with(prefix)
                    && parse_uuid(&text.as_bytes()[prefix.len()..]) == Some(*uuid)
            }
        }
    }
}

impl Default for NodeId {
    fn default() -> Self {
        NodeId(Form::Text(CompactString::default()))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.as_str(), f)
    }
}

/// By text, so listings sorted by id read the same whatever form each id has.
impl Ord for NodeId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(&other.as_str())
    }
}

impl PartialOrd for NodeId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for NodeId {
    fn eq(&self, other: &str) -> bool {
        self.is(other)
    }
}

impl PartialEq<&str> for NodeId {
    fn eq(&self, other: &&str) -> bool {
        self.is(other)
    }
}

impl PartialEq<NodeId> for &str {
    fn eq(&self, other: &NodeId) -> bool {
        other.is(self)
    }
}

impl PartialEq<NodeId> for str {
    fn eq(&self, other: &NodeId) -> bool {
        other.is(self)
    }
}

impl PartialEq<Box<str>> for NodeId {
    fn eq(&self, other: &Box<str>) -> bool {
        self.is(other)
    }
}

impl From<NodeId> for Box<str> {
    fn from(id: NodeId) -> Box<str> {
        id.as_str().into()
    }
}

impl From<&str> for NodeId {
    fn from(text: &str) -> NodeId {
        NodeId::new(text)
    }
}

impl From<&String> for NodeId {
    fn from(text: &String) -> NodeId {
        NodeId::new(text)
    }
}

impl From<String> for NodeId {
    fn from(text: String) -> NodeId {
        NodeId::new(&text)
    }
}

impl From<CompactString> for NodeId {
    fn from(text: CompactString) -> NodeId {
        NodeId::new(&text)
    }
}

impl From<&CompactString> for NodeId {
    fn from(text: &CompactString) -> NodeId {
        NodeId::new(text)
    }
}

impl From<Cow<'_, str>> for NodeId {
    fn from(text: Cow<'_, str>) -> NodeId {
        NodeId::new(&text)
    }
}

impl From<Box<str>> for NodeId {
    fn from(text: Box<str>) -> NodeId {
        NodeId::new(&text)
    }
}

impl From<&NodeId> for NodeId {
    fn from(id: &NodeId) -> NodeId {
        id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VM: &str = "https://vcd.example.com/api/vApp/vm-0a1b2c3d-4e5f-6789-abcd-ef0123456789";

    /// The reading before `PAIRS` (digits found by filtering out the dashes), kept as the
    /// reference.
    fn parse_uuid_filtered(text: &[u8]) -> Option<[u8; 16]> {
        if text.len() != UUID_LEN {
            return None;
        }
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut out = [0u8; 16];
        let mut digits = text
            .iter()
            .enumerate()
            .filter(|(i, c)| !(DASHES.contains(i) && **c == b'-'));
        for byte in &mut out {
            let (_, hi) = digits.next()?;
            let (_, lo) = digits.next()?;
            *byte = nibble(*hi)? << 4 | nibble(*lo)?;
        }
        // 32 digits and four dashes in their places, nothing else.
        digits.next().is_none().then_some(out)
    }

    proptest::proptest! {
        /// A UUID's text, as it is or with one byte changed to a digit, a letter of either
        /// case, a dash or other: read as the filtering reading read it.
        #[test]
        fn uuids_read_as_before(
            digits in "[0-9a-f]{32}",
            change in proptest::option::of((0..UUID_LEN, proptest::sample::select(b"05afAFgz-_ ".to_vec()))),
        ) {
            let mut text = digits.into_bytes();
            for i in DASHES {
                text.insert(i, b'-');
            }
            if let Some((at, byte)) = change {
                text[at] = byte;
            }
            proptest::prop_assert_eq!(parse_uuid(&text), parse_uuid_filtered(&text));
        }
    }

    #[test]
    fn a_uuid_reads_only_in_its_one_spelling() {
        let u = b"0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        assert_eq!(parse_uuid(u), parse_uuid_filtered(u));
        assert!(parse_uuid(u).is_some());
        for bad in [
            &b"0A1b2c3d-4e5f-6789-abcd-ef0123456789"[..],
            b"0a1b2c3d04e5f-6789-abcd-ef0123456789",
            b"0a1b2c3d-4e5f-6789-abcd-ef012345678",
            b"0a1b2c3d-4e5f-6789-abcd-ef01234567890",
            b"0a1b2c3d-4e5f-6789-abcd-ef012345678g",
        ] {
            assert_eq!(parse_uuid(bad), None);
            assert_eq!(parse_uuid_filtered(bad), None);
        }
    }

    /// A vCD href costs no heap block: prefix handle and UUID inline, in the 24 bytes a
    /// `CompactString` takes.
    #[test]
    fn an_href_ending_in_a_uuid_is_kept_inline_and_reads_back_whole() {
        assert_eq!(std::mem::size_of::<NodeId>(), 24);
        let id = NodeId::new(VM);
        assert!(matches!(id.0, Form::Uuid { .. }));
        assert_eq!(id.as_str(), VM);
        assert_eq!(id.to_string(), VM);
        assert!(id == VM);
        assert!(VM == id);
        assert_eq!(id, NodeId::from(VM.to_string()));
        assert!(!id.is(&VM[..VM.len() - 1]));
        assert!(!id.is(&VM.replace("vm-0a", "vm-0b")));
        assert!(!id.is(&VM.replace("vApp", "vapp")));
        let bare = NodeId::new(&VM[VM.len() - UUID_LEN..]);
        assert!(matches!(bare.0, Form::Uuid { .. }));
        assert_eq!(bare.as_str(), &VM[VM.len() - UUID_LEN..]);
        assert_ne!(bare, id);
    }

    /// Everything that is not a lower-case UUID at the end is kept as it came, so it reads
    /// back the same: upper case, a trailing slash, a moid, a malformed UUID.
    #[test]
    fn other_ids_are_kept_whole() {
        for text in [
            "",
            "vm/vm-42",
            "https://vcd.example.com/api/vApp/vm-0A1B2C3D-4E5F-6789-ABCD-EF0123456789",
            "https://vro/vco/api/workflows/0a1b2c3d-4e5f-6789-abcd-ef0123456789/",
            "https://vcd.example.com/api/vApp/vm-0a1b2c3d-4e5f-6789-abcd-ef012345678g",
            "https://vcd.example.com/api/vApp/vm-0a1b2c3d04e5f-6789-abcd-ef0123456789",
            "0a1b2c3d4e5f6789abcdef0123456789abcd",
            "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€",
        ] {
            let id = NodeId::new(text);
            assert!(matches!(id.0, Form::Text(_)), "{text}");
            assert_eq!(id.as_str(), text);
            assert!(id.is(text));
        }
    }

    #[test]
    fn ids_sort_by_their_text() {
        let mut ids = [VM, "vm/vm-42", "https://a/x", &VM[..VM.len() - 1]].map(NodeId::new);
        ids.sort();
        let texts: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let mut want = texts.clone();
        want.sort();
        assert_eq!(texts, want);
    }
}
