//! Texts in natural order (`columns::natural_cmp`: web-11 before web-100, case aside) without
//! comparing them one pair at a time: each text's rank among the distinct ones (what a
//! column's order sorts by instead of its texts), and a text as bytes that compare the same
//! way (what an order's blocks keep a window of, `order::Prefixes`).

use std::collections::HashMap;

/// Each text's rank among the distinct `texts`, in natural order: sorting the distinct values
/// (often few: states, endpoints, guest OSes) instead of every row, each by its natural key
/// (`natural_key`), so the sort compares bytes, not digit runs.
pub fn text_ranks(texts: &[&str]) -> Vec<u32> {
    text_ranks_after(texts, &[])
}

/// `text_ranks`, each text first ordered by its `first` (a state's rank; empty: none).
pub fn text_ranks_after(texts: &[&str], first: &[u8]) -> Vec<u32> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    // A state's rank follows from its words (its label), so a text has one rank.
    let mut first_of: Vec<u8> = Vec::new();
    let of_row: Vec<u32> = (texts.iter().enumerate())
        .map(|(i, &t)| {
            *ids.entry(t).or_insert_with(|| {
                distinct.push(t);
                first_of.push(first.get(i).copied().unwrap_or(0));
                distinct.len() as u32 - 1
            })
        })
        .collect();
    drop(ids);
    let mut keys: Vec<u8> = Vec::new();
    let mut ends: Vec<usize> = Vec::with_capacity(distinct.len());
    for t in &distinct {
        natural_key(t, &mut keys);
        ends.push(keys.len());
    }
    let key = |i: u32| -> &[u8] {
        let i = i as usize;
        &keys[if i == 0 { 0 } else { ends[i - 1] }..ends[i]]
    };
    let mut by_text: Vec<u32> = (0..distinct.len() as u32).collect();
    by_text.sort_unstable_by(|&a, &b| {
        (first_of[a as usize].cmp(&first_of[b as usize]))
            .then_with(|| key(a).cmp(key(b)))
            .then_with(|| distinct[a as usize].cmp(distinct[b as usize]))
    });
    let mut rank = vec![0u32; distinct.len()];
    for (i, &id) in by_text.iter().enumerate() {
        rank[id as usize] = i as u32;
    }
    of_row.iter().map(|&id| rank[id as usize]).collect()
}

/// Bytes that compare (as bytes) the way `columns::natural_cmp` compares texts, but for its
/// last tie breaker (the exact text): letters lowercased, and each run of digits as one
/// marker (`0`: a digit run against a letter compares as any digit does), its length
/// without leading zeros, then those digits; two runs thus compare by length, then digits.
pub fn natural_key(s: &str, out: &mut Vec<u8>) {
    let mut b = s.as_bytes();
    while let Some(&c) = b.first() {
        if !c.is_ascii_digit() {
            out.push(c.to_ascii_lowercase());
            b = &b[1..];
            continue;
        }
        let end = b
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(b.len());
        let (run, rest) = b.split_at(end);
        let zeros = run.iter().take_while(|&&c| c == b'0').count();
        let run = &run[zeros.min(run.len() - 1)..];
        out.push(b'0');
        out.extend_from_slice(&(run.len() as u32).to_be_bytes());
        out.extend_from_slice(run);
        b = rest;
    }
}
