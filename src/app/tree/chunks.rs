//! The tree's arena storage: entries in fixed chunks instead of one vector. A vector of
//! 300,000 entries (144 bytes each) grows by doubling: each step copied every entry into a new
//! block, and the allocator (which gives freed pages back at once) faulted the new one in page
//! by page, so a big listing touched twice the memory it kept and copied ~40 MB on the app
//! thread (a fifth of its CPU while 300,000 rows land, issue 18), the step past 150,000 or
//! 300,000 entries in one event of 20–40 ms. Chunks never move.

use std::ops::{Index, IndexMut};

/// Items a chunk holds (a power of two: an index splits into chunk and place by shifts).
const SHIFT: u32 = 12;
const CHUNK: usize = 1 << SHIFT;

pub struct Chunks<T> {
    /// Every chunk but the last is full; each is allocated at `CHUNK` items once.
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Chunks {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunks<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(item),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> SHIFT)?.get(i & (CHUNK - 1))
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i >> SHIFT)?.get_mut(i & (CHUNK - 1))
    }

    /// Every item, in index order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

impl<T> Index<usize> for Chunks<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> SHIFT][i & (CHUNK - 1)]
    }
}

impl<T> IndexMut<usize> for Chunks<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i >> SHIFT][i & (CHUNK - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items pushed across several chunks read back in place, by index and by `get`; past
    /// the end there is none.
    #[test]
    fn items_keep_their_places_across_chunks() {
        let mut c = Chunks::default();
        let n = 3 * CHUNK + 5;
        for i in 0..n {
            c.push(i);
        }
        assert_eq!(c.len(), n);
        assert_eq!(c.chunks.len(), 4);
        assert!(c.chunks.iter().all(|ch| ch.capacity() == CHUNK));
        for i in [0, 1, CHUNK - 1, CHUNK, 2 * CHUNK + 7, n - 1] {
            assert_eq!(c[i], i);
            assert_eq!(c.get(i), Some(&i));
        }
        assert_eq!(c.get(n), None);
        assert!(c.iter().copied().eq(0..n));
        assert_eq!(c.get(usize::MAX), None);
        c[CHUNK] = 7;
        *c.get_mut(n - 1).unwrap() = 9;
        assert_eq!((c[CHUNK], c[n - 1]), (7, 9));
        assert!(c.get_mut(n).is_none());
    }
}
