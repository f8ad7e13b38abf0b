//! `site.yaml` → configuration: never a panic, whatever the YAML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policykb::config::SiteConfig;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = SiteConfig::parse(text, std::path::Path::new("content/site.yaml"));
    }
});
