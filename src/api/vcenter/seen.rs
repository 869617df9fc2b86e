//! The VMs a split listing has already handed over, so that a VM two parts both list (it moved
//! between hosts or clusters while the parts were asked) shows once. Every listed VM passes
//! through it: at 100,000 VMs a hash set of their ids grew to ~3 MB and its inserts were
//! mostly cache misses, ~10 % of the vCenter client's CPU (issue 18). vCenter's VM moids are
//! `vm-` and a counter, so the usual id is kept as one bit at its number, in a bit set that
//! grows to the highest number seen (12.5 kB for moids up to 100,000); any other id goes to
//! a hash set. The split depends only on the id's text, so one id always lands in the same
//! place, and a number is taken only in its one spelling (no sign, no leading zero), so two
//! different ids never share a bit.

use foldhash::HashSet;

use crate::api::node_id::NodeId;

/// Past this the number goes to the hash set: the bit set stays under 2 MB whatever number a
/// server sends.
const MAX_BIT: u32 = 1 << 24;

/// A VM id's text as the vCenter client builds it (`map::node_id`).
const VM_ID: &str = "vm/vm-";

#[derive(Default)]
pub struct Seen {
    bits: Vec<u64>,
    others: HashSet<NodeId>,
}

impl Seen {
    /// Whether `id` is new (and remembers it).
    pub fn insert(&mut self, id: &NodeId) -> bool {
        match id.with_str(number) {
            Some(n) => self.set_bit(n),
            None => self.others.insert(id.clone()),
        }
    }

    fn set_bit(&mut self, n: u32) -> bool {
        let (word, bit) = ((n / 64) as usize, 1u64 << (n % 64));
        if word >= self.bits.len() {
            // Doubling, so a listing that counts up grows the set a few times, not per VM.
            let len = (word + 1).max(self.bits.len() * 2);
            self.bits.resize(len, 0);
        }
        let new = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        new
    }
}

/// The number of a `vm/vm-N` id, N written plainly (digits only, no leading zero) and under
/// `MAX_BIT`; None for any other id.
fn number(id: &str) -> Option<u32> {
    let digits = id.strip_prefix(VM_ID)?.as_bytes();
    let plain = match digits {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.len() < 8 && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !plain {
        return None;
    }
    let n = (digits.iter()).fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    (n < MAX_BIT).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_plain_numbers_under_the_bound_take_a_bit() {
        assert_eq!(number("vm/vm-0"), Some(0));
        assert_eq!(number("vm/vm-42"), Some(42));
        assert_eq!(number("vm/vm-16777215"), Some(MAX_BIT - 1));
        for other in [
            "vm/vm-16777216",
            "vm/vm-99999999999999999999",
            "vm/vm-042",
            "vm/vm-00",
            "vm/vm-",
            "vm/vm-+4",
            "vm/vm--4",
            "vm/vm-4a",
            "vm/vm-٣",
            "host/host-4",
            "vm-4",
            "vm/VM-4",
            "",
        ] {
            assert_eq!(number(other), None, "{other}");
        }
    }

    /// An id listed again (by a second part, after its VM moved) is not new, whichever place
    /// it is kept in; ids that only look alike are different VMs.
    #[test]
    fn an_id_seen_again_is_not_new() {
        let mut seen = Seen::default();
        let ids = [
            "vm/vm-7",
            "vm/vm-007",
            "vm/vm-16777216",
            "vm/vm-abc",
            "vm/vm-5000000",
        ];
        for id in ids {
            assert!(seen.insert(&NodeId::new(id)), "{id} is new");
        }
        for id in ids {
            assert!(!seen.insert(&NodeId::new(id)), "{id} seen again");
        }
        assert!(seen.insert(&NodeId::new("vm/vm-8")));
        assert!(seen.bits.len() * 8 < 1 << 20, "bits grown to the number");
    }

    proptest! {
        /// Whatever ids come, in any order, `insert` says what a set of their texts says.
        #[test]
        fn says_what_a_set_of_texts_says(
            ids in prop::collection::vec(
                prop_oneof![
                    (0u32..300).prop_map(|n| format!("vm/vm-{n}")),
                    (0u32..300).prop_map(|n| format!("vm/vm-0{n}")),
                    (MAX_BIT - 3..MAX_BIT + 3).prop_map(|n| format!("vm/vm-{n}")),
                    "[a-z/0-9-]{0,12}",
                ],
                0..200,
            )
        ) {
            let mut seen = Seen::default();
            let mut texts = std::collections::HashSet::new();
            for id in &ids {
                prop_assert_eq!(seen.insert(&NodeId::new(id)), texts.insert(id.clone()), "{}", id);
            }
        }
    }
}
