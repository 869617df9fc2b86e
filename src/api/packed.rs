//! An optional value in the bytes of the value alone. `Option<u64>` is 16 bytes and
//! `Option<OffsetDateTime>` 16: in a VM's facts, carried by 300,000 nodes, that padding is
//! megabytes. `Packed<T>` keeps one value of the raw type for "not known" instead (the
//! largest number, the earliest instant), read and written as an `Option` at the edges
//! (`get`, `From<Option<T>>`).

use std::fmt;

use time::OffsetDateTime;

/// A type that packs into a raw value of the same or smaller size, one raw value left over to
/// mean "none".
pub trait Pack: Copy {
    type Raw: Copy + Eq;
    const NONE: Self::Raw;
    /// None when the value cannot be told apart from `NONE` or does not fit: it is then
    /// stored as unknown.
    fn pack(self) -> Option<Self::Raw>;
    fn unpack(raw: Self::Raw) -> Self;
}

/// A number whose largest value stands for none: a CPU count, MiB or a byte count never
/// reaches it.
macro_rules! pack_number {
    ($($t:ty),*) => {$(
        impl Pack for $t {
            type Raw = $t;
            const NONE: $t = <$t>::MAX;
            fn pack(self) -> Option<$t> {
                (self != <$t>::MAX).then_some(self)
            }
            fn unpack(raw: $t) -> $t {
                raw
            }
        }
    )*};
}
pack_number!(u32, u64);

/// An instant as nanoseconds since the Unix epoch, in UTC: 1677 to 2262, which holds any
/// snapshot's date; the offset the server wrote it in is not kept (the instant is).
impl Pack for OffsetDateTime {
    type Raw = i64;
    const NONE: i64 = i64::MIN;
    fn pack(self) -> Option<i64> {
        i64::try_from(self.unix_timestamp_nanos())
            .ok()
            .filter(|&n| n != i64::MIN)
    }
    fn unpack(raw: i64) -> OffsetDateTime {
        // Every i64 of nanoseconds is within `time`'s range (±9999 years).
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(raw))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// An `Option<T>` the size of `T`'s raw value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Packed<T: Pack>(T::Raw);

impl<T: Pack> Packed<T> {
    pub const NONE: Packed<T> = Packed(T::NONE);

    pub fn get(self) -> Option<T> {
        (self.0 != T::NONE).then(|| T::unpack(self.0))
    }

    pub fn is_some(self) -> bool {
        self.0 != T::NONE
    }

    pub fn is_none(self) -> bool {
        !self.is_some()
    }

    /// This value when known, else `other` (as `Option::or`).
    pub fn or(self, other: Packed<T>) -> Packed<T> {
        if self.is_some() { self } else { other }
    }
}

impl<T: Pack> Default for Packed<T> {
    fn default() -> Self {
        Packed::NONE
    }
}

impl<T: Pack> From<Option<T>> for Packed<T> {
    fn from(value: Option<T>) -> Self {
        Packed(value.and_then(T::pack).unwrap_or(T::NONE))
    }
}

impl<T: Pack> From<T> for Packed<T> {
    fn from(value: T) -> Self {
        Some(value).into()
    }
}

impl<T: Pack + fmt::Debug> fmt::Debug for Packed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_packed_option_is_its_value_alone() {
        assert_eq!(std::mem::size_of::<Packed<u32>>(), 4);
        assert_eq!(std::mem::size_of::<Packed<u64>>(), 8);
        assert_eq!(std::mem::size_of::<Packed<OffsetDateTime>>(), 8);
    }

    #[test]
    fn values_read_back_as_written() {
        for n in [0u64, 1, 42, u64::MAX - 1] {
            assert_eq!(Packed::from(n).get(), Some(n));
        }
        assert_eq!(Packed::<u32>::from(None).get(), None);
        assert_eq!(Packed::<u32>::default().get(), None);
        let t = datetime!(2026-12-01 12:00:00.123_456_789 -05:00);
        let back = Packed::from(t).get().unwrap();
        // The same instant (to the nanosecond), told in UTC.
        assert_eq!(back, t);
        assert_eq!(back.offset(), time::UtcOffset::UTC);
        assert_eq!(format!("{:?}", Packed::from(7u32)), "Some(7)");
    }

    /// A value that would read as "none", or an instant out of range, is stored as unknown
    /// rather than as something else.
    #[test]
    fn values_that_do_not_fit_are_unknown() {
        assert_eq!(Packed::from(u32::MAX).get(), None);
        assert_eq!(Packed::from(datetime!(1500-01-01 0:00 UTC)).get(), None);
        assert_eq!(Packed::from(datetime!(2300-01-01 0:00 UTC)).get(), None);
    }

    #[test]
    fn or_keeps_the_known_value() {
        let none = Packed::<u64>::NONE;
        assert_eq!(none.or(Packed::from(3)).get(), Some(3));
        assert_eq!(Packed::from(2u64).or(Packed::from(3)).get(), Some(2));
        assert_eq!(none.or(none).get(), None);
    }
}
