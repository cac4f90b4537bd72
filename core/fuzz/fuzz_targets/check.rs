//! Any bytes through the whole pipeline: UTF-8 check, parse, decode, validate, lint.
//! Every diagnostic must lie inside the text, on character boundaries.
#![no_main]

use kuma_mzs_core::syntax::{parse_bytes, Limits};
use kuma_mzs_core::{check, CheckOptions, KumaVersion};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, _) = parse_bytes(data, &Limits::default());
    let Some(text) = text else { return };
    for version in KumaVersion::ALL {
        let options = CheckOptions {
            kuma_version: version,
            ..CheckOptions::default()
        };
        let checked = check(text, &options);
        for d in checked.all_diagnostics() {
            let (s, e) = (d.span.start as usize, d.span.end as usize);
            assert!(s <= e && e <= text.len());
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            let _ = d.range(&checked.line_index, text);
        }
    }
});
