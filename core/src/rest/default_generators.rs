//! The HostnameGenerators a Kuma control plane creates itself (§6.3), stored as Kuma stores them:
//! created through the resource manager, not the REST layer, so no label is computed (every
//! release, v2.9.13 to HEAD `pkg/defaults/hostname_generator.go`): global's carry no label at
//! all, a zone's only `kuma.io/origin: zone`. Re-applying one with its spec and no labels is
//! then an ordinary update (no immutable label is removed).

use super::Mode;
use crate::model::{
    labels as label_keys, HostnameGeneratorSelector, HostnameGeneratorSpec, LabelSelector, Labels,
    Meta, Resource, Spec,
};

fn generator(
    name: &str,
    origin: Option<&str>,
    selector: HostnameGeneratorSelector,
    template: &str,
) -> Resource {
    let mut labels = Labels::new();
    if let Some(origin) = origin {
        labels.insert(label_keys::ORIGIN.to_owned(), origin.to_owned());
    }
    Resource {
        meta: Meta {
            name: name.to_owned(),
            mesh: String::new(),
            labels,
            creation_time: None,
        },
        spec: Spec::HostnameGenerator(HostnameGeneratorSpec {
            selector,
            template: template.to_owned(),
            extension: None,
        }),
        status: None,
    }
}

fn selector_of(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
    }
}

/// The HostnameGenerators Kuma creates at start for `mode`.
pub fn default_hostname_generators(mode: &Mode) -> Vec<Resource> {
    let ms = |pairs: &[(&str, &str)]| HostnameGeneratorSelector {
        mesh_service: Some(selector_of(pairs)),
        ..Default::default()
    };
    let mes = |pairs: &[(&str, &str)]| HostnameGeneratorSelector {
        mesh_external_service: Some(selector_of(pairs)),
        ..Default::default()
    };
    match mode {
        Mode::Global => vec![
            generator(
                "synced-mesh-multi-zone-service",
                None,
                HostnameGeneratorSelector {
                    mesh_multi_zone_service: Some(selector_of(&[("kuma.io/origin", "global")])),
                    ..Default::default()
                },
                "{{ .DisplayName }}.mzsvc.mesh.local",
            ),
            generator(
                "synced-kube-mesh-service",
                None,
                ms(&[
                    ("kuma.io/origin", "global"),
                    ("k8s.kuma.io/is-headless-service", "false"),
                    ("kuma.io/env", "kubernetes"),
                ]),
                "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
            ),
            generator(
                "synced-headless-kube-mesh-service",
                None,
                ms(&[
                    ("kuma.io/origin", "global"),
                    ("k8s.kuma.io/is-headless-service", "true"),
                    ("kuma.io/env", "kubernetes"),
                ]),
                "{{ label \"statefulset.kubernetes.io/pod-name\" }}.{{ label \"k8s.kuma.io/service-name\" }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
            ),
            generator(
                "synced-universal-mesh-service",
                None,
                ms(&[("kuma.io/origin", "global"), ("kuma.io/env", "universal")]),
                "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local",
            ),
            generator(
                "synced-mesh-external-service",
                None,
                mes(&[("kuma.io/origin", "global")]),
                "{{ .DisplayName }}.extsvc.mesh.local",
            ),
        ],
        Mode::Zone { .. } => vec![
            generator(
                "local-mesh-external-service",
                Some("zone"),
                mes(&[("kuma.io/origin", "zone")]),
                "{{ .DisplayName }}.extsvc.mesh.local",
            ),
            generator(
                "local-universal-mesh-service",
                Some("zone"),
                ms(&[("kuma.io/origin", "zone")]),
                "{{ .DisplayName }}.svc.mesh.local",
            ),
        ],
    }
}
