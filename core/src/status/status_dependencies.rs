//! Which computed values of a MeshMultiZoneService an in-place update can change.
//!
//! Front ends that plan ahead (the Terraform provider) keep a value known across an update when
//! this says the update cannot change it, so that whatever reads it (DNS records, outputs) does
//! not churn. The facts, from how Kuma computes each value:
//! - the **VIP** is allocated once per zone when the zone first sees the MZS and is kept for the
//!   whole life of the zone's copy (the zone's allocator reserves `status.vips` of existing
//!   services). The copy is named `HashedName(mesh, name, kuma.io/zone, k8s.kuma.io/namespace)`
//!   ([`crate::kds::kds_name`]): a change of either label renames it, the zone deletes the old
//!   copy and stores a new one, which gets a new VIP. Name and mesh cannot change in place (they
//!   are the identity), so any other update keeps the VIP;
//! - **hostnames** come from HostnameGenerators, whose selectors match the MZS's labels and whose
//!   templates read its name, mesh and labels: only a label change can change them in place;
//! - **matched MeshServices** and the **conditions** follow the selector, and on Kuma 2.x the
//!   ports too (ports are matched by number there); before 2.13 a zone writes no conditions;
//! - **SNIs** are built from the KRI's parts (Kuma's `sni.FromKRIE`: mesh, the zone and
//!   namespace labels, name) and each port (number and name);
//! - the **KRI** is derived from name and mesh and the zone and namespace labels.
//!
//! Labels not known yet ([`MzsUpdate::unknown_labels`]) may change any of these.
//!
//! Changes made outside the MZS (a new HostnameGenerator, a MeshService appearing in a zone) are
//! not updates of the MZS: a refresh picks them up.

use crate::kds::renames_copies;
use crate::model::KumaVersion;

/// What an in-place update of a MeshMultiZoneService changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MzsUpdate {
    /// The keys of labels added, removed or changed.
    pub changed_labels: Vec<String>,
    /// Whether the new labels are not known yet (any label may change).
    pub unknown_labels: bool,
    /// Whether `spec.selector` changed.
    pub selector: bool,
    /// Whether `spec.ports` changed.
    pub ports: bool,
}

/// A value Kuma computes for a MeshMultiZoneService.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MzsComputed {
    /// The resource identifier.
    Kri,
    /// The SNI of each port.
    Snis,
    /// A zone's VIP.
    Vip,
    /// A zone's hostnames (`status.addresses`).
    Hostnames,
    /// A zone's matched MeshServices (`status.meshServices`).
    MeshServices,
    /// A zone's conditions.
    Conditions,
}

/// Whether `update` can change `value` (on Kuma `version`).
pub fn may_change(value: MzsComputed, update: &MzsUpdate, version: KumaVersion) -> bool {
    let renames_zone_copies =
        update.unknown_labels || update.changed_labels.iter().any(|k| renames_copies(k));
    match value {
        MzsComputed::Vip | MzsComputed::Kri => renames_zone_copies,
        MzsComputed::Hostnames => update.unknown_labels || !update.changed_labels.is_empty(),
        // Before 2.13 a zone writes no condition: there is nothing to change.
        MzsComputed::Conditions if !version.writes_mzs_matched_condition() => false,
        MzsComputed::MeshServices | MzsComputed::Conditions => {
            update.selector || (update.ports && version.is_2x())
        }
        MzsComputed::Snis => update.ports || renames_zone_copies,
    }
}

/// Whether an in-place update of an MZS's labels (`before` -> `after`, each its meta as global
/// stores it: name, mesh, labels) can change the hostnames a zone gives it, given the
/// HostnameGenerators that zone holds (`generators`, as written or stored; Kuma's default is
/// added when none of its name is among them). Exact for those generators: each one's
/// selection and rendered hostname are computed for both label sets, and hostnames change only
/// if one differs (collisions follow the hostnames: the same strings keep the same owners).
/// A generator created or changed later is a change outside the MZS, which a refresh picks up.
pub fn hostnames_may_change(
    zone: &str,
    generators: &[crate::model::Resource],
    before: &crate::model::Meta,
    after: &crate::model::Meta,
    version: KumaVersion,
) -> bool {
    use crate::model::{ResourceType, Spec};
    use crate::status::hostnames;
    let as_zone_holds = |meta: &crate::model::Meta| {
        let mut copy = crate::model::Resource {
            meta: meta.clone(),
            spec: Spec::MeshMultiZoneService(Default::default()),
            status: None,
        };
        copy.store_display_name(version);
        copy = crate::kds::zone_copy(&copy, zone, version).unwrap_or(copy);
        copy.meta
    };
    let (before, after) = (as_zone_holds(before), as_zone_holds(after));
    let mut held = crate::text::sort::SortedMap::default();
    for g in generators {
        let mut stored = g.clone();
        crate::status::preview::generator_as_stored(&mut stored);
        if crate::kds::held_by_zone(&stored, zone) {
            held.insert(stored.meta.name.clone(), stored);
        }
    }
    if !held.values().any(hostnames::is_default_mzs_generator) {
        let default = hostnames::default_mzs_generator();
        held.insert(default.meta.name.clone(), default);
    }
    let set = hostnames::GeneratorSet::new(held);
    let render = |meta| set.render(version, ResourceType::MeshMultiZoneService, zone, meta);
    render(&before) != render(&after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels_only() -> MzsUpdate {
        MzsUpdate {
            changed_labels: vec!["team".to_owned()],
            ..MzsUpdate::default()
        }
    }

    #[test]
    fn a_label_change_keeps_vip_kri_snis_and_matches_but_not_hostnames() {
        let update = labels_only();
        for version in [KumaVersion::V3_0, KumaVersion::V2_14] {
            assert!(!may_change(MzsComputed::Vip, &update, version));
            assert!(!may_change(MzsComputed::Kri, &update, version));
            assert!(!may_change(MzsComputed::Snis, &update, version));
            assert!(!may_change(MzsComputed::MeshServices, &update, version));
            assert!(may_change(MzsComputed::Hostnames, &update, version));
        }
    }

    #[test]
    fn ports_change_snis_everywhere_and_matches_only_on_2x() {
        let update = MzsUpdate {
            ports: true,
            ..MzsUpdate::default()
        };
        assert!(may_change(MzsComputed::Snis, &update, KumaVersion::V3_0));
        assert!(!may_change(
            MzsComputed::MeshServices,
            &update,
            KumaVersion::V3_0
        ));
        assert!(may_change(
            MzsComputed::Conditions,
            &update,
            KumaVersion::V2_14
        ));
        assert!(!may_change(MzsComputed::Vip, &update, KumaVersion::V2_14));
    }

    #[test]
    fn conditions_never_change_before_2_13_which_writes_none() {
        let update = MzsUpdate {
            selector: true,
            ports: true,
            unknown_labels: true,
            ..MzsUpdate::default()
        };
        for version in KumaVersion::ALL {
            assert_eq!(
                may_change(MzsComputed::Conditions, &update, version),
                version >= KumaVersion::V2_13,
                "{version}"
            );
            assert!(may_change(MzsComputed::MeshServices, &update, version));
        }
    }

    #[test]
    fn the_kri_the_snis_and_the_vip_follow_the_zone_and_namespace_labels() {
        use crate::model::labels as label_keys;
        for key in [label_keys::NAMESPACE, label_keys::ZONE] {
            let update = MzsUpdate {
                changed_labels: vec!["team".to_owned(), key.to_owned()],
                ..MzsUpdate::default()
            };
            for version in [KumaVersion::V3_0, KumaVersion::V2_14] {
                assert!(may_change(MzsComputed::Kri, &update, version), "{key}");
                // The zone renames its copy: a new object with a new VIP.
                assert!(may_change(MzsComputed::Vip, &update, version), "{key}");
                assert!(may_change(MzsComputed::Hostnames, &update, version));
                // SNIs carry the KRI's zone and namespace.
                assert!(may_change(MzsComputed::Snis, &update, version), "{key}");
            }
        }
        // The rule is the KDS name's: a change of these labels changes the zone copy's name.
        let copy = |labels: &[(&str, &str)]| {
            let labels: std::collections::BTreeMap<String, String> = labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            crate::kds::kds_name(&crate::model::Resource {
                meta: crate::model::Meta {
                    name: "redis".to_owned(),
                    mesh: "default".to_owned(),
                    labels,
                    creation_time: None,
                },
                spec: crate::model::Spec::MeshMultiZoneService(Default::default()),
                status: None,
            })
        };
        assert_ne!(
            copy(&[("team", "a")]),
            copy(&[("team", "a"), (label_keys::NAMESPACE, "ns1")])
        );
        assert_eq!(copy(&[("team", "a")]), copy(&[("team", "b")]));
    }

    #[test]
    fn labels_not_known_yet_may_change_vip_kri_snis_and_hostnames() {
        let update = MzsUpdate {
            unknown_labels: true,
            ..MzsUpdate::default()
        };
        for value in [
            MzsComputed::Vip,
            MzsComputed::Kri,
            MzsComputed::Hostnames,
            MzsComputed::Snis,
        ] {
            assert!(may_change(value, &update, KumaVersion::V3_0), "{value:?}");
        }
    }

    fn meta(labels: &[(&str, &str)]) -> crate::model::Meta {
        crate::model::Meta {
            name: "redis".to_owned(),
            mesh: "default".to_owned(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            creation_time: None,
        }
    }

    fn generator(template: &str, selector: &[(&str, &str)]) -> crate::model::Resource {
        let text = format!(
            "type: HostnameGenerator\nname: g\nspec:\n  template: '{template}'\n  selector:\n    meshMultiZoneService:\n      matchLabels: {{{}}}\n",
            selector.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")
        );
        let checked = crate::check(&text, &crate::CheckOptions::default());
        match checked.documents[0].resource.clone() {
            Some(generator) => generator,
            None => panic!("the generator decodes: {text}"),
        }
    }

    /// A label change keeps the hostnames known unless a generator selects the MZS by that
    /// label, or renders it: the provider's plan keeps them, so what reads them does not churn.
    #[test]
    fn hostnames_change_only_where_a_generator_selects_or_renders_the_changed_label() {
        let v = KumaVersion::V3_0;
        let before = meta(&[("team", "a")]);
        let after = meta(&[("team", "b")]);
        // Kuma's default alone: `{{ .DisplayName }}.mzsvc.mesh.local`, whatever the team.
        assert!(!hostnames_may_change("east", &[], &before, &after, v));
        // A generator on another label: the same.
        let other = generator("{{ .DisplayName }}.internal", &[("tier", "db")]);
        assert!(!hostnames_may_change("east", &[other], &before, &after, v));
        // Selecting by the label: it leaves (or joins) the generator.
        let by_team = generator("{{ .DisplayName }}.a.internal", &[("team", "a")]);
        assert!(hostnames_may_change("east", &[by_team], &before, &after, v));
        // Rendering the label.
        let renders = generator("{{ .DisplayName }}.{{ label \"team\" }}.internal", &[]);
        assert!(hostnames_may_change(
            "east",
            std::slice::from_ref(&renders),
            &before,
            &after,
            v
        ));
        // ... but not another label.
        let other_label = meta(&[("team", "a"), ("owner", "x")]);
        assert!(!hostnames_may_change(
            "east",
            &[renders],
            &before,
            &other_label,
            v
        ));
    }
}
