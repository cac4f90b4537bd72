//! What `make release` (mk/release.sh) leaves in dist/, checked the way a user or the Terraform
//! registry would: each archive holds exactly the expected binary, built for the platform its name
//! says (ELF / Mach-O / PE32+ headers parsed here, architecture and all), SHA256SUMS matches the
//! files, the detached signature verifies with the published public key (and fails on a changed
//! file), the manifest announces protocol 6.0, and the Linux build prints the workspace version.
//!
//! `make test-release` builds dist/ first; run by hand: `make release` then
//! `KUMA_MZS_DIST=$PWD/dist cargo test -p kuma-mzs-e2e --test release`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use kuma_mzs_e2e::terraform::{repo_root, TempDir};

#[path = "common/workspace.rs"]
mod workspace;

const PROVIDER: &str = "terraform-provider-kuma";
const PLATFORMS: [&str; 5] = [
    "linux_amd64",
    "linux_arm64",
    "darwin_amd64",
    "darwin_arm64",
    "windows_amd64",
];

fn dist() -> PathBuf {
    let dir = std::env::var_os("KUMA_MZS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("dist"));
    assert!(
        dir.is_dir(),
        "{} does not exist: run `make release` (make test-release does) or set KUMA_MZS_DIST",
        dir.display()
    );
    dir
}

/// Entry names and contents of a zip, read with Python's zipfile (always on the machine: the
/// release script writes the zips with it too).
fn unzip(archive: &Path, into: &Path) -> Vec<(String, Vec<u8>)> {
    let status = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
        ])
        .arg(archive)
        .arg(into)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "{} is not a valid zip", archive.display());
    let mut entries: Vec<(String, Vec<u8>)> = std::fs::read_dir(into)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    entries.sort();
    entries
}

fn u16_le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// What a binary's header says it is, e.g. "ELF x86-64", "Mach-O arm64", "PE32+ x86-64".
fn binary_kind(bytes: &[u8]) -> String {
    assert!(bytes.len() > 4096, "binary of {} bytes", bytes.len());
    if bytes.starts_with(b"\x7fELF") {
        assert_eq!(bytes[4], 2, "ELF class must be 64-bit");
        assert_eq!(bytes[5], 1, "ELF must be little-endian");
        let e_type = u16_le(bytes, 0x10);
        assert!(
            e_type == 2 || e_type == 3,
            "ELF type {e_type} is not an executable"
        );
        return match u16_le(bytes, 0x12) {
            0x3e => "ELF x86-64".into(),
            0xb7 => "ELF aarch64".into(),
            other => format!("ELF machine {other:#x}"),
        };
    }
    if u32_le(bytes, 0) == 0xfeed_facf {
        assert_eq!(u32_le(bytes, 12), 2, "Mach-O filetype must be MH_EXECUTE");
        return match u32_le(bytes, 4) {
            0x0100_0007 => "Mach-O x86-64".into(),
            0x0100_000c => "Mach-O arm64".into(),
            other => format!("Mach-O cputype {other:#x}"),
        };
    }
    if bytes.starts_with(b"MZ") {
        let pe = u32_le(bytes, 0x3c) as usize;
        assert_eq!(&bytes[pe..pe + 4], b"PE\0\0", "no PE signature");
        let machine = u16_le(bytes, pe + 4);
        let optional = pe + 24;
        let magic = u16_le(bytes, optional);
        let subsystem = u16_le(bytes, optional + 68);
        assert_eq!(
            subsystem, 3,
            "a Windows console program (Terraform reads its stdout)"
        );
        let format = if magic == 0x20b { "PE32+" } else { "PE32" };
        return match machine {
            0x8664 => format!("{format} x86-64"),
            other => format!("{format} machine {other:#x}"),
        };
    }
    panic!("unknown executable format, starts {:02x?}", &bytes[..8]);
}

/// Mach-O load commands: the dylibs it needs and whether it carries a code signature.
fn mach_o_links(bytes: &[u8]) -> (Vec<String>, bool) {
    const LC_LOAD_DYLIB: u32 = 0xc;
    const LC_LOAD_WEAK_DYLIB: u32 = 0x8000_0018;
    const LC_REEXPORT_DYLIB: u32 = 0x8000_001f;
    const LC_CODE_SIGNATURE: u32 = 0x1d;
    let ncmds = u32_le(bytes, 16);
    let mut at = 32;
    let (mut dylibs, mut signed) = (Vec::new(), false);
    for _ in 0..ncmds {
        let (cmd, size) = (u32_le(bytes, at), u32_le(bytes, at + 4) as usize);
        match cmd {
            LC_LOAD_DYLIB | LC_LOAD_WEAK_DYLIB | LC_REEXPORT_DYLIB => {
                let name_at = at + u32_le(bytes, at + 8) as usize;
                let name = &bytes[name_at..at + size];
                let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
                dylibs.push(String::from_utf8_lossy(&name[..end]).into_owned());
            }
            LC_CODE_SIGNATURE => signed = true,
            _ => {}
        }
        at += size;
    }
    (dylibs, signed)
}

fn expected_kind(platform: &str) -> &'static str {
    match platform {
        "linux_amd64" => "ELF x86-64",
        "linux_arm64" => "ELF aarch64",
        "darwin_amd64" => "Mach-O x86-64",
        "darwin_arm64" => "Mach-O arm64",
        "windows_amd64" => "PE32+ x86-64",
        other => panic!("unknown platform {other}"),
    }
}

/// Check one archive; returns the binary's path (extracted under `scratch`).
fn check_archive(archive: &Path, binary_name: &str, platform: &str, scratch: &Path) -> PathBuf {
    assert!(archive.is_file(), "{} is missing", archive.display());
    let into = scratch.join(archive.file_name().unwrap());
    std::fs::create_dir_all(&into).unwrap();
    let entries = unzip(archive, &into);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [binary_name], "{}", archive.display());
    let bytes = &entries[0].1;
    assert_eq!(
        binary_kind(bytes),
        expected_kind(platform),
        "{} holds a binary for another platform",
        archive.display()
    );
    if platform.starts_with("darwin") {
        let (dylibs, signed) = mach_o_links(bytes);
        assert!(
            dylibs.iter().any(|d| d == "/usr/lib/libSystem.B.dylib"),
            "{dylibs:?}"
        );
        for dylib in &dylibs {
            assert!(
                dylib.starts_with("/usr/lib/") || dylib.starts_with("/System/Library/"),
                "{}: needs {dylib}, which a stock macOS does not have",
                archive.display()
            );
        }
        if platform == "darwin_arm64" {
            assert!(
                signed,
                "{}: Apple silicon refuses to run binaries without an (ad-hoc) code signature",
                archive.display()
            );
        }
    }
    into.join(binary_name)
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// SHA256SUMS lists exactly `files`, each with its real digest.
fn check_sums(dist: &Path, sums_name: &str, files: &BTreeSet<String>) {
    let text = std::fs::read_to_string(dist.join(sums_name))
        .unwrap_or_else(|e| panic!("{sums_name}: {e}"));
    let mut listed = BTreeSet::new();
    for line in text.lines() {
        let (digest, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("{sums_name}: not `<sha256>  <file>`: {line:?}"));
        assert_eq!(digest.len(), 64, "{line}");
        assert_eq!(
            digest,
            sha256_of(&dist.join(name)),
            "{sums_name}: {name} does not match its checksum"
        );
        listed.insert(name.to_owned());
    }
    assert_eq!(&listed, files, "{sums_name} lists other files");
}

/// `gpg --verify` of the detached signature with only the published key in the keyring.
fn check_signature(dist: &Path, sums_name: &str, key: &Path, scratch: &Path) {
    let home = scratch.join(format!("gnupg-{sums_name}"));
    std::fs::create_dir_all(&home).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&std::ffi::OsStr]| {
        Command::new("gpg")
            .env("GNUPGHOME", &home)
            .arg("--batch")
            .args(args)
            .output()
            .expect("gpg is installed by .ci/tools.sh release")
    };
    let imported = gpg(&["--import".as_ref(), key.as_os_str()]);
    assert!(imported.status.success(), "{imported:?}");
    let sums = dist.join(sums_name);
    let sig = dist.join(format!("{sums_name}.sig"));
    let sig_bytes = std::fs::read(&sig).unwrap_or_else(|e| panic!("{}: {e}", sig.display()));
    assert!(
        !sig_bytes.starts_with(b"-----BEGIN"),
        "the registry wants a binary (not armoured) detached signature"
    );
    let good = gpg(&["--verify".as_ref(), sig.as_os_str(), sums.as_os_str()]);
    assert!(
        good.status.success() && String::from_utf8_lossy(&good.stderr).contains("Good signature"),
        "gpg --verify {sums_name}: {}",
        String::from_utf8_lossy(&good.stderr)
    );
    // A changed checksum file must not verify.
    let tampered = scratch.join(format!("{sums_name}.tampered"));
    let mut text = std::fs::read(&sums).unwrap();
    text[0] = if text[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&tampered, text).unwrap();
    let bad = gpg(&["--verify".as_ref(), sig.as_os_str(), tampered.as_os_str()]);
    assert!(!bad.status.success(), "a changed {sums_name} verified");
}

fn version_output(binary: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = Command::new(binary).arg("--version").output().unwrap();
    assert!(
        out.status.success(),
        "{} --version: {out:?}",
        binary.display()
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn provider_archives_checksums_signature_and_manifest() {
    let dist = dist();
    let version = workspace::version();
    let scratch = TempDir::new("release-check");
    let mut files = BTreeSet::new();
    for platform in PLATFORMS {
        let zip = format!("{PROVIDER}_{version}_{platform}.zip");
        let exe = if platform.starts_with("windows") {
            ".exe"
        } else {
            ""
        };
        let binary = check_archive(
            &dist.join(&zip),
            &format!("{PROVIDER}_v{version}{exe}"),
            platform,
            &scratch.0,
        );
        if platform == "linux_amd64" && cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert_eq!(version_output(&binary), format!("{PROVIDER} {version}"));
        }
        files.insert(zip);
    }
    let manifest_name = format!("{PROVIDER}_{version}_manifest.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join(&manifest_name)).unwrap()).unwrap();
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    files.insert(manifest_name);

    let sums = format!("{PROVIDER}_{version}_SHA256SUMS");
    check_sums(&dist, &sums, &files);
    let key = dist.join(format!("kuma-mzs_{version}_signing-key.asc"));
    check_signature(&dist, &sums, &key, &scratch.0);
}

/// kuma-local archives (`make test` builds them; `RELEASE_BINARIES=terraform-provider-kuma` leaves
/// them out): when any is there, all five must be, and right.
#[test]
fn kuma_local_archives_when_built() {
    let dist = dist();
    let version = workspace::version();
    let present = PLATFORMS
        .iter()
        .filter(|p| dist.join(format!("kuma-local_{version}_{p}.zip")).exists())
        .count();
    if present == 0 {
        assert!(
            !dist
                .join(format!("kuma-local_{version}_SHA256SUMS"))
                .exists(),
            "checksums without archives"
        );
        return;
    }
    let scratch = TempDir::new("release-check-kuma-local");
    let mut files = BTreeSet::new();
    for platform in PLATFORMS {
        let zip = format!("kuma-local_{version}_{platform}.zip");
        let exe = if platform.starts_with("windows") {
            ".exe"
        } else {
            ""
        };
        let binary = check_archive(
            &dist.join(&zip),
            &format!("kuma-local{exe}"),
            platform,
            &scratch.0,
        );
        if platform == "linux_amd64" && cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert_eq!(version_output(&binary), format!("kuma-local {version}"));
        }
        files.insert(zip);
    }
    let sums = format!("kuma-local_{version}_SHA256SUMS");
    check_sums(&dist, &sums, &files);
    let key = dist.join(format!("kuma-mzs_{version}_signing-key.asc"));
    check_signature(&dist, &sums, &key, &scratch.0);
}

/// The zip as it is, in a `-plugin-dir` (the packed filesystem-mirror layout the README gives for
/// every OS), installs with real Terraform 1.0.3 and current, checked against SHA256SUMS first as
/// the README tells users to; the lock file then pins it (`h1:` hash: Terraform records `zh:`
/// zip hashes only for registry downloads).
#[test]
fn packed_zip_installs_with_plugin_dir_and_matches_sha256sums() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let dist = dist();
    let version = workspace::version();
    let zip = format!("{PROVIDER}_{version}_linux_amd64.zip");
    let sums =
        std::fs::read_to_string(dist.join(format!("{PROVIDER}_{version}_SHA256SUMS"))).unwrap();
    let digest = sums
        .lines()
        .find_map(|l| l.strip_suffix(&format!("  {zip}")))
        .unwrap_or_else(|| panic!("{zip} not in SHA256SUMS"))
        .to_owned();
    assert_eq!(digest, sha256_of(&dist.join(&zip)));
    for which in ["1.0.3", "current"] {
        let terraform = kuma_mzs_e2e::terraform::terraform_binary(which);
        let dir = TempDir::new(&format!("release-install-{which}"));
        let mirror = dir.0.join("plugins/kuma-mzs.local/kuma/kuma");
        std::fs::create_dir_all(&mirror).unwrap();
        std::fs::copy(dist.join(&zip), mirror.join(&zip)).unwrap();
        let work = dir.0.join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(
            work.join("main.tf"),
            "terraform {\n  required_providers {\n    kuma = { source = \"kuma-mzs.local/kuma/kuma\" }\n  }\n}\n",
        )
        .unwrap();
        let rc = dir.0.join("terraform.rc");
        std::fs::write(&rc, "").unwrap();
        let out = Command::new(&terraform)
            .current_dir(&work)
            .env("TF_CLI_CONFIG_FILE", &rc)
            .env("CHECKPOINT_DISABLE", "1")
            .args(["init", "-input=false", "-no-color"])
            .arg(format!("-plugin-dir={}", dir.0.join("plugins").display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "terraform {which} init from the packed zip: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let lock = std::fs::read_to_string(work.join(".terraform.lock.hcl")).unwrap();
        assert!(
            lock.contains("\"h1:") && lock.contains(&format!("\"{version}\"")),
            "terraform {which} did not pin the provider:\n{lock}"
        );
        let installed = work.join(format!(
            ".terraform/providers/kuma-mzs.local/kuma/kuma/{version}/linux_amd64/{PROVIDER}_v{version}"
        ));
        assert!(installed.is_file(), "{} missing", installed.display());
    }
}
