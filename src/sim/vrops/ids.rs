//! Identifiers: every resource and alert UUID is computed from the world's seed and what it
//! names (kind, index), and decodes back to it, so no table of ids is kept and ids stay stable
//! for the life of a seed.

use crate::sim::world::uuid_str;

const MASK48: u64 = (1 << 48) - 1;
/// Odd, so multiplication by it is a bijection modulo 2^48.
const MUL: u64 = 0x9E37_79B9_7F4B;
const INV: u64 = inverse(MUL);

/// The inverse of odd `a` modulo 2^48 (Newton's iteration doubles the correct bits each step).
const fn inverse(a: u64) -> u64 {
    let mut x = a;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x & MASK48
}

/// SplitMix64: a well-mixed 64-bit hash of `x`.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A deterministic number in `[0, 1)` for (`seed`, `parts`): the same inputs, the same draw.
pub fn unit(seed: u64, parts: &[u64]) -> f64 {
    let h = parts.iter().fold(mix(seed), |h, &p| mix(h ^ p));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Namespaces keep a resource id from ever decoding as an alert id and back.
#[derive(Clone, Copy)]
pub enum Ns {
    Resource = 1,
    Alert = 2,
    AdapterInstance = 3,
}

pub fn encode(seed: u64, ns: Ns, kind: u8, index: u32, extra: u8) -> u128 {
    let payload = (extra as u64) << 40 | (kind as u64) << 32 | index as u64;
    let mask = mix(seed ^ (ns as u64) << 56) & MASK48;
    let low = (payload.wrapping_mul(MUL) & MASK48) ^ mask;
    let high = mix(mix(seed) ^ low ^ (ns as u64)) as u128;
    let high2 = mix(high as u64 ^ low) as u128 & 0xFFFF;
    let mut id = high << 64 | high2 << 48 | low as u128;
    // Version 4, RFC 4122 variant.
    id = (id & !(0xF << 76)) | 0x4 << 76;
    id = (id & !(0x3 << 62)) | 0x2 << 62;
    id
}

/// (kind, index, extra) of an id `encode` made for this seed and namespace.
pub fn decode(seed: u64, ns: Ns, id: u128) -> Option<(u8, u32, u8)> {
    let mask = mix(seed ^ (ns as u64) << 56) & MASK48;
    let low = (id as u64) & MASK48;
    let payload = ((low ^ mask).wrapping_mul(INV)) & MASK48;
    let (extra, kind, index) = ((payload >> 40) as u8, (payload >> 32) as u8, payload as u32);
    (encode(seed, ns, kind, index, extra) == id).then_some((kind, index, extra))
}

pub fn encode_str(seed: u64, ns: Ns, kind: u8, index: u32, extra: u8) -> String {
    uuid_str(encode(seed, ns, kind, index, extra))
}

pub fn decode_str(seed: u64, ns: Ns, id: &str) -> Option<(u8, u32, u8)> {
    decode(seed, ns, crate::sim::world::parse_uuid(id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_decode_to_what_they_name_and_only_in_their_namespace() {
        assert_eq!((MUL.wrapping_mul(INV)) & MASK48, 1);
        for (kind, index, extra) in [(0, 0, 0), (5, 99_999, 0), (3, 7, 12), (255, u32::MAX, 255)] {
            let id = encode(42, Ns::Resource, kind, index, extra);
            assert_eq!(decode(42, Ns::Resource, id), Some((kind, index, extra)));
            assert_eq!(decode(42, Ns::Alert, id), None);
            assert_eq!(decode(43, Ns::Resource, id), None);
            assert_eq!(decode(42, Ns::Resource, id ^ 1 << 100), None);
        }
        assert_ne!(
            encode(42, Ns::Resource, 5, 1, 0) >> 64,
            encode(42, Ns::Resource, 5, 2, 0) >> 64
        );
    }
}
