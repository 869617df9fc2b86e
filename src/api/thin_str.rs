//! A text in one pointer: none when empty, else one heap block with its length and bytes. A
//! VM's IP (`VmFacts::ip`) is empty on most VMs at scale (a vCenter listing names none) and 7 to
//! 15 bytes on the rest: a `CompactString` costs every VM 24 bytes inline, a `ThinStr` 8, and the
//! block of an IPv4 text fits the allocator's 16-byte class (a length byte and the text).

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::fmt;
use std::ops::Deref;
use std::ptr::{self, NonNull};

/// An immutable text behind one pointer (see the module). Reads as a `&str` (`Deref`).
pub struct ThinStr(Option<NonNull<u8>>);

// SAFETY: a ThinStr owns its block alone, as a `Box<str>` does, and never writes to it after
// it is made.
unsafe impl Send for ThinStr {}
unsafe impl Sync for ThinStr {}

/// Lengths up to this take one byte before the text; a longer one the byte `LONG` and its
/// length in 4 bytes (little-endian).
const SHORT: usize = 254;
const LONG: u8 = 255;

fn header_len(len: usize) -> usize {
    if len <= SHORT { 1 } else { 5 }
}

fn layout(len: usize) -> Layout {
    Layout::from_size_align(header_len(len) + len, 1).expect("a text's block fits in memory")
}

impl ThinStr {
    pub const fn new() -> ThinStr {
        ThinStr(None)
    }

    pub fn as_str(&self) -> &str {
        let Some(block) = self.0 else {
            return "";
        };
        let p = block.as_ptr();
        // SAFETY: `from` wrote the block: a header that `header_len` sizes, then that many
        // bytes of UTF-8 copied from a `&str`; it lives as long as `self`.
        unsafe {
            let (len, head) = match *p {
                LONG => {
                    let bytes = ptr::read_unaligned(p.add(1) as *const [u8; 4]);
                    (u32::from_le_bytes(bytes) as usize, 5)
                }
                short => (usize::from(short), 1),
            };
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(p.add(head), len))
        }
    }
}

impl From<&str> for ThinStr {
    fn from(text: &str) -> ThinStr {
        if text.is_empty() {
            return ThinStr(None);
        }
        let len = text.len();
        let long = u32::try_from(len).expect("a text under 4 GiB");
        let layout = layout(len);
        // SAFETY: the layout is not empty (len > 0); the header and the text are written
        // within it, as `as_str` reads them.
        unsafe {
            let Some(block) = NonNull::new(alloc(layout)) else {
                handle_alloc_error(layout)
            };
            let p = block.as_ptr();
            let head = header_len(len);
            if head == 1 {
                *p = len as u8;
            } else {
                *p = LONG;
                ptr::copy_nonoverlapping(long.to_le_bytes().as_ptr(), p.add(1), 4);
            }
            ptr::copy_nonoverlapping(text.as_ptr(), p.add(head), len);
            ThinStr(Some(block))
        }
    }
}

impl Drop for ThinStr {
    fn drop(&mut self) {
        if let Some(block) = self.0 {
            let layout = layout(self.as_str().len());
            // SAFETY: allocated by `from` with this same layout, and dropped once.
            unsafe { dealloc(block.as_ptr(), layout) }
        }
    }
}

impl From<String> for ThinStr {
    fn from(text: String) -> ThinStr {
        ThinStr::from(text.as_str())
    }
}

impl From<&String> for ThinStr {
    fn from(text: &String) -> ThinStr {
        ThinStr::from(text.as_str())
    }
}

impl Deref for ThinStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ThinStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Clone for ThinStr {
    fn clone(&self) -> ThinStr {
        ThinStr::from(self.as_str())
    }
}

impl Default for ThinStr {
    fn default() -> ThinStr {
        ThinStr::new()
    }
}

impl PartialEq for ThinStr {
    fn eq(&self, other: &ThinStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ThinStr {}

impl PartialEq<str> for ThinStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ThinStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for ThinStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ThinStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One pointer, whatever the text; each text reads back as it went in, at the lengths where
    /// the header changes too.
    #[test]
    fn a_text_reads_back_from_one_pointer() {
        assert_eq!(std::mem::size_of::<ThinStr>(), 8);
        let long = |n: usize| "é".repeat(n / 2) + &"x".repeat(n % 2);
        for text in [
            String::new(),
            "10.0.0.4".into(),
            "255.255.255.255".into(),
            "fe80::1ff:fe23:4567:890a".into(),
            long(254),
            long(255),
            long(70_000),
        ] {
            let thin = ThinStr::from(text.as_str());
            assert_eq!(thin.as_str(), text, "{} bytes", text.len());
            let copy = thin.clone();
            drop(thin);
            assert_eq!(&*copy, text);
            assert_eq!(copy.is_empty(), text.is_empty());
        }
        assert_eq!(ThinStr::default(), ThinStr::from(""));
        assert_eq!(ThinStr::from("a"), "a");
        assert_ne!(ThinStr::from("a"), ThinStr::from("b"));
        assert_eq!(
            format!("{:?} {}", ThinStr::from("a\""), ThinStr::from("b")),
            r#""a\"" b"#
        );
    }

    /// An IPv4 text's block is a length byte and the text: within 16 bytes.
    #[test]
    fn an_ipv4_text_takes_16_bytes_at_most() {
        assert_eq!(layout("255.255.255.255".len()).size(), 16);
        assert_eq!(layout(300).size(), 305);
    }
}
