//! `vnav inspect` on any saved body: XML or JSON is detected and mapped; garbage is an Err,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vnav::inspect::inspect(data);
});
