//! Writes the npm package's build-time data from the core (`wasm/build.sh` runs it natively):
//! `schemas.json` (the JSON Schemas of every Kuma release, keyed by release: what `schema()`
//! returns), `resource-types.json` (what `resourceTypes()` returns), `codes.json` (what `codes()`
//! returns) and `kuma-versions.json` (the supported releases, newest first, and the default: what
//! `kumaVersions()` returns; the VS Code extension's setting lists them) and
//! `template-language.json` (the fields and functions of Kuma's HostnameGenerator templates, which
//! `lib/templates.js` recognises in unquoted YAML). Generating them here
//! instead of in the WebAssembly module keeps the schema generators and the codes' descriptions
//! out of the module.
//!
//! Usage: `cargo run -p kuma-mzs-wasm --example package_data -- <output directory>`.

use std::error::Error;
use std::path::PathBuf;

use kuma_mzs_core::KumaVersion;
use kuma_mzs_wasm::api;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: package_data <output directory>")?;
    std::fs::create_dir_all(&dir)?;
    let schemas = serde_json::to_string(&api::schemas_by_release())?;
    std::fs::write(dir.join("schemas.json"), schemas + "\n")?;
    let types = serde_json::to_string(&api::resource_types())?;
    std::fs::write(dir.join("resource-types.json"), types + "\n")?;
    let codes = serde_json::to_string(&api::codes())?;
    std::fs::write(dir.join("codes.json"), codes + "\n")?;
    let versions = serde_json::json!({
        "releases": KumaVersion::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "default": KumaVersion::default().as_str(),
    });
    std::fs::write(dir.join("kuma-versions.json"), versions.to_string() + "\n")?;
    let template_language = serde_json::json!({
        "fields": kuma_mzs_core::template::FIELDS,
        "functions": kuma_mzs_core::template::KUMA_FUNCTIONS,
    });
    std::fs::write(
        dir.join("template-language.json"),
        template_language.to_string() + "\n",
    )?;
    Ok(())
}
