//! Lints: warnings about resources Kuma accepts but that will not do what the author most likely
//! wants. They never change Kuma's errors. Codes are stable (see [`Code`]).
//!
//! [`check_resource`] runs on typed resources (no positions), so the Terraform provider and the
//! control plane report the same warnings as editors; [`crate::check`] adds positions and the
//! tree-level lints (unknown fields MZS005, output-only fields MZS007).

use crate::model::{labels, MeshMultiZoneServiceSpec, Resource, Spec};
use crate::text::diagnostics::{Code, Violation};
use crate::validate::FieldPath;

/// Every lint that applies to a typed resource, as `(code, violation)` in field order.
pub(crate) fn check_resource(resource: &Resource) -> Vec<(Code, Violation)> {
    match &resource.spec {
        Spec::MeshMultiZoneService(spec) => mesh_multi_zone_service(spec),
        _ => Vec::new(),
    }
}

/// Where each key first occurs in a list: a sorted list searched by halving. The lists are short
/// (ports), and a `BTreeMap` per key type costs several KB of WebAssembly.
struct FirstIndex<K>(Vec<(K, usize)>);

impl<K: Ord + Copy> FirstIndex<K> {
    fn new(keys: impl Iterator<Item = K>) -> Self {
        let mut firsts: Vec<(K, usize)> = keys.enumerate().map(|(i, k)| (k, i)).collect();
        // Equal keys sort by index, so the first of each run is the first occurrence.
        crate::text::sort::sort(&mut firsts);
        firsts.dedup_by(|later, first| later.0 == first.0);
        Self(firsts)
    }

    fn get(&self, key: K) -> Option<usize> {
        let at = self.0.binary_search_by(|(k, _)| k.cmp(&key)).ok()?;
        self.0.get(at).map(|&(_, i)| i)
    }
}

/// The MeshMultiZoneService lints MZS001-MZS004.
pub fn mesh_multi_zone_service(spec: &MeshMultiZoneServiceSpec) -> Vec<(Code, Violation)> {
    let mut out = Vec::new();
    let ports = FieldPath::root("spec").field("ports");
    let numbers = FirstIndex::new(spec.ports.iter().map(|p| p.port));
    let names = FirstIndex::new(
        spec.ports
            .iter()
            .map(|p| p.name.as_deref().filter(|n| !n.is_empty())),
    );
    for (i, port) in spec.ports.iter().enumerate() {
        // Paths are built only when there is something to report.
        let p = || ports.index(i);
        if !(1..=65535).contains(&port.port) {
            out.push((
                Code::PortOutOfRange,
                Violation::new(
                    p().field("port").as_str(),
                    format!(
                        "port {} is outside 1-65535: no listener can be created for it",
                        port.port
                    ),
                ),
            ));
        }
        if let Some(first) = numbers.get(port.port).filter(|&first| first != i) {
            out.push((
                Code::DuplicatePort,
                Violation::new(
                    p().field("port").as_str(),
                    format!(
                        "port {} is already listed at {}",
                        port.port,
                        ports.index(first)
                    ),
                ),
            ));
        }
        if let Some(name) = port.name.as_deref().filter(|n| !n.is_empty()) {
            if let Some(first) = names.get(Some(name)).filter(|&first| first != i) {
                out.push((
                    Code::DuplicatePortName,
                    Violation::new(
                        p().field("name").as_str(),
                        format!(
                            "port name \"{name}\" is already used by {}",
                            ports.index(first)
                        ),
                    ),
                ));
            }
        }
    }
    // Kuma's FindPortByName matches a name or a number written as decimal, so a name equal to
    // another port's number makes `sectionName` ambiguous.
    for (i, port) in spec.ports.iter().enumerate() {
        let Some(name) = port.name.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        // A name that reads back as the decimal it would print as (no sign, no leading zeros).
        let Some(number) = name.parse::<i32>().ok().filter(|n| n.to_string() == name) else {
            continue;
        };
        let clash = match numbers.get(number) {
            Some(j) if j != i => Some(j),
            // The first port with that number is this one: look for a later one.
            Some(_) => spec
                .ports
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, other)| other.port == number)
                .map(|(j, _)| j),
            None => None,
        };
        if let Some(j) = clash {
            out.push((
                Code::DuplicatePortName,
                Violation::new(
                    ports.index(i).field("name").as_str(),
                    format!(
                        "port name \"{name}\" equals the number of {}; Kuma finds ports by name or number, so sectionName \"{name}\" is ambiguous",
                        ports.index(j)
                    ),
                ),
            ));
        }
    }
    if let Some(match_labels) = &spec.selector.mesh_service.match_labels {
        if !match_labels.is_empty() && match_labels.keys().all(|k| k == labels::MESH) {
            out.push((
                Code::SelectorOnlyMesh,
                Violation::new(
                    "spec.selector.meshService.matchLabels",
                    "the selector only matches on kuma.io/mesh, so it selects every MeshService of the mesh in every zone",
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MzsPort, MzsSelector};

    fn port(port: i32, name: Option<&str>) -> MzsPort {
        MzsPort {
            name: name.map(str::to_owned),
            port,
            app_protocol: "tcp".into(),
        }
    }

    /// Lints of an MZS with `ports` and `labels`, as `code field` lines.
    fn check(ports: Vec<MzsPort>, labels: &[(&str, &str)]) -> Vec<String> {
        let spec = MeshMultiZoneServiceSpec {
            selector: MzsSelector {
                mesh_service: crate::model::LabelSelector {
                    match_labels: Some(
                        labels
                            .iter()
                            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                            .collect(),
                    ),
                },
            },
            ports,
        };
        let resource = Resource {
            meta: Default::default(),
            spec: Spec::MeshMultiZoneService(spec),
            status: None,
        };
        check_resource(&resource)
            .into_iter()
            .map(|(c, v)| format!("{c} {}", v.field))
            .collect()
    }

    #[test]
    fn typed_resources_get_the_same_warnings() {
        assert!(check(vec![port(80, Some("http"))], &[("app", "a")]).is_empty());
        assert_eq!(
            check(vec![port(70000, None)], &[("app", "a")]),
            vec!["MZS001 spec.ports[0].port"]
        );
        assert_eq!(
            check(
                vec![port(80, Some("a")), port(80, Some("a"))],
                &[("app", "a")]
            ),
            vec!["MZS002 spec.ports[1].port", "MZS003 spec.ports[1].name"]
        );
        assert_eq!(
            check(vec![port(80, None), port(81, Some("80"))], &[("app", "a")]),
            vec!["MZS003 spec.ports[1].name"]
        );
        // "080" is not how Kuma prints 80, so it does not collide.
        assert!(check(vec![port(80, None), port(81, Some("080"))], &[("app", "a")]).is_empty());
        assert_eq!(
            check(vec![port(80, None)], &[("kuma.io/mesh", "default")]),
            vec!["MZS004 spec.selector.meshService.matchLabels"]
        );
    }
}
