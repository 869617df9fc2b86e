//! A query result page (`QueryResultRecords`/`…References`): paging fields and records are read
//! from whatever the server sent, then mapped to tree nodes and tasks; and the page read
//! straight into nodes as `query::walk` does (`query::node_page`) must say what the tree says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vnav::api::vcd::{map, query};
use vnav::api::xml;

fuzz_target!(|data: &[u8]| {
    let read = query::node_page(data);
    let Ok(root) = xml::parse(data) else {
        assert!(read.is_err(), "the reader took what the tree refused");
        return;
    };
    let read = read.expect("the reader refused what the tree took");
    let Ok(page) = query::page(root) else {
        assert!(
            read.is_err(),
            "the reader took a page that is no query result"
        );
        return;
    };
    let read = read.expect("the reader refused a query result");
    assert!(page.page_size >= 1, "page size must never be 0");
    let _ = page.total.div_ceil(page.page_size).max(1);
    let nodes: Vec<_> = page.records.iter().filter_map(map::record_node).collect();
    assert_eq!(nodes, read.nodes);
    assert_eq!(
        (
            page.records.len() as u64,
            page.total,
            page.page_size,
            &page.next
        ),
        (read.records, read.total, read.page_size, &read.next)
    );
    for r in &page.records {
        let _ = map::task_record(r);
    }
});
