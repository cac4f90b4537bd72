//! Any text as a HostnameGenerator template: parse, render with data, render with stubs.
#![no_main]

use kuma_mzs_core::template::{Template, TemplateData};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(t) = Template::parse(src) {
        let _ = t.render(&TemplateData::default());
        let _ = t.render_stub();
    }
});
