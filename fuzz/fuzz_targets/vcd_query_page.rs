//! A query result page (`QueryResultRecords`/`…References`): paging fields and records are read
//! from whatever the server sent, then mapped to tree nodes and tasks as `query::walk` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vnav::api::vcd::{map, query, xml};

fuzz_target!(|data: &[u8]| {
    let Ok(root) = xml::parse(data) else { return };
    let Ok(page) = query::page(root) else { return };
    assert!(page.page_size >= 1, "page size must never be 0");
    let _ = page.total.div_ceil(page.page_size).max(1);
    for r in &page.records {
        let _ = map::record_node(r);
        let _ = map::task_record(r);
    }
});
