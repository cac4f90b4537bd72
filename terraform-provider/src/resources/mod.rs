//! Managed resources and data sources, and the planning rules they share.

pub mod data_sources;
pub mod hostname_generator;
pub mod live;
pub mod mesh_multi_zone_service;
pub mod registry;
pub mod snapshots;
pub mod zones;

use std::collections::BTreeMap;
use std::sync::Arc;

use kuma_mzs_core::api::{check_writable, compute_labels, Mode};
use kuma_mzs_core::{KumaVersion, ResourceType};

use crate::client::{ClientError, LostAnswerRead};
use crate::config::Configured;
use crate::diag::{attr, Diag, Step};
use crate::schema::{Attribute, Block, NestedBlock, Nesting};
use crate::value::{Ty, Value};

/// What planning may use besides the three values Terraform sends.
#[derive(Clone, Default)]
pub struct PlanContext {
    /// The configured provider, when its configuration is known.
    pub configured: Option<Arc<Configured>>,
    /// The Kuma rules to apply.
    pub version: KumaVersion,
    /// Whether the provider reads zone status.
    pub has_zones: bool,
    /// Ids of objects of the planned resource type that this workspace itself holds: the
    /// object a replacement is replacing (its first plan call marked it, see
    /// [`crate::private`]) and the objects this run's refresh read (a tainted object is planned
    /// as a plain create, with no mark). A create of one of them is its own replacement, not a
    /// create over someone else's object; the apply deletes first and still creates safely.
    pub held: Vec<String>,
    /// Whether this provider process's refresh read the prior object: the plan of `terraform
    /// plan` (or of `terraform apply` before it asks), not the apply's own plan, which
    /// Terraform makes in a process of its own without a refresh and requires to agree with
    /// the first wherever that one was known. (A `-refresh=false` plan is not told apart from
    /// the apply's own.)
    pub refreshed: bool,
}

impl PlanContext {
    /// Whether this workspace holds the object `id` (see [`PlanContext::held`]).
    pub fn holds(&self, id: &str) -> bool {
        self.held.iter().any(|held| held == id)
    }

    /// The endpoint and why its release is not read, when no release's rules are this run's
    /// own ([`Configured::release_not_read`]).
    pub fn release_not_read(&self) -> Option<(String, crate::config::Unread)> {
        let configured = self.configured.as_ref()?;
        let unread = configured.release_not_read()?;
        Some((configured.client.endpoint().to_owned(), unread))
    }

    /// The release whose rules are in force; `None` when it could not be read (then a rule
    /// holds only as every supported release agrees on it).
    pub fn rules_release(&self) -> Option<KumaVersion> {
        match self.release_not_read() {
            Some(_) => None,
            None => Some(self.version),
        }
    }

    /// The releases a rule must hold under: the one in force, else every supported one.
    pub fn rule_versions(&self) -> Vec<KumaVersion> {
        match self.rules_release() {
            Some(version) => vec![version],
            None => KumaVersion::ALL.to_vec(),
        }
    }
}

/// The `timeouts` block every managed resource has.
pub fn timeouts_block() -> NestedBlock {
    NestedBlock {
        name: "timeouts",
        nesting: Nesting::Single,
        min_items: 0,
        max_items: 0,
        block: Block {
            description: "Overall deadlines of this resource's operations (every retry and zone read inside), e.g. `create = \"2m\"`. Default: the provider's `operation_timeout` (60s). A change of these alone writes nothing to the control plane.",
            attributes: vec![
                Attribute::optional("create", Ty::String, "Deadline of a create. When it passes (or the connection breaks) after the request was sent, the provider reads the object under a deadline of its own (at most 5s) and, when it holds exactly what was sent, records it in the state as written, with a warning."),
                Attribute::optional("update", Ty::String, "Deadline of an update."),
                Attribute::optional("delete", Ty::String, "Deadline of a delete. Terraform gives a delete the state, not the configuration (`terraform destroy`, or a resource removed from it), so a delete uses the value the state holds: a new value takes effect once an apply has stored it (until then the provider's `operation_timeout` applies when the state holds none, and does not when it holds one). After a delete ran out of time with no value in the state, raise the provider's `operation_timeout` and delete again (it takes effect at once). With one, raise it in the configuration (put the resource back if it was removed), store it with `terraform apply -refresh=false -target=<this resource's address>`, which writes nothing to the control plane (without `-target` the apply would create again the other resources a destroy already removed), then delete again."),
                Attribute::optional("read", Ty::String, "Deadline of a refresh. Terraform gives a refresh the state, not the configuration, so a refresh uses the value the state holds: a new value takes effect once an apply has stored it (until then the provider's `operation_timeout` applies when the state holds none). After a refresh ran out of time, `terraform apply -refresh=false` stores the new value without that refresh; a change of `timeouts` alone writes nothing to the control plane."),
            ],
            blocks: vec![],
        },
    }
}

/// Whether an update changes nothing Kuma sees: the `timeouts` block (the provider's own
/// deadlines), or `labels` between unset (a state written before unset labels were planned as
/// `{}`, [`default_labels`]) and `{}`, which are the same object. The apply writes nothing (a
/// PUT would bump the object's modification time, and after a server upgrade be refused like
/// any write) and the plan keeps every other value as it is.
pub fn changes_nothing_kuma_sees(prior: &Value, planned: &Value) -> bool {
    if prior.is_null() || planned.is_null() || planned == prior {
        return false;
    }
    let seen = |value: &Value| {
        let mut seen = value.clone();
        seen.set("timeouts", Value::Null);
        if seen.get("labels").is_null() {
            seen.set("labels", Value::Map(BTreeMap::new()));
        }
        seen
    };
    seen(planned) == seen(prior)
}

/// Whether applying `planned` over `prior` writes to the control plane.
pub fn writes(prior: &Value, planned: &Value) -> bool {
    planned != prior && !changes_nothing_kuma_sees(prior, planned)
}

/// `labels` unset in the configuration is planned as `{}`: an object without labels is one
/// thing, however the configuration spells it (unset, `{}`, a module's default), so neither
/// spelling against a state holding the other plans a change. `labels` is optional and
/// computed for this: Terraform accepts any planned value where the configuration sets none.
pub fn default_labels(planned: &mut Value, config: &Value) {
    if config.get("labels").is_null() && !planned.is_null() {
        planned.set("labels", Value::Map(BTreeMap::new()));
    }
}

/// Errors of a `timeouts` block that does not parse, at their attribute.
pub fn validate_timeouts(config: &Value) -> Vec<Diag> {
    let mut diags = Vec::new();
    for key in ["create", "update", "delete", "read"] {
        if let Some(text) = config.get("timeouts").get(key).as_str() {
            if crate::config::parse_duration(text).is_none() {
                diags.push(
                    crate::config::invalid_duration(&format!("timeouts.{key}"), text)
                        .at(vec![Step::Attr("timeouts".into()), Step::Attr(key.into())]),
                );
            }
        }
    }
    diags
}

/// How a resource type is addressed in hints (`kuma_mesh_multi_zone_service.<name>`).
pub struct Importable<'a> {
    /// Terraform type name.
    pub type_name: &'a str,
    /// Kuma kind, for messages.
    pub kind: &'a str,
    /// The import ID of the object.
    pub id: &'a str,
}

/// What the hints call the resource's address, which the provider cannot know (Terraform
/// does not tell it; a module's resource has a longer one).
const ADDRESS: &str = "<address of this resource>";

/// An example of a resource address of `type_name` for the object `id` inside a module, so
/// that the shape of [`ADDRESS`] is plain: `module.x.kuma_mesh_multi_zone_service.this["orders"]`.
fn address_example(type_name: &str, id: &str) -> String {
    let name = id.rsplit('/').next().unwrap_or(id);
    format!("module.x.{type_name}.this[\"{name}\"]")
}

/// The error for a create whose object already exists, on `name`: one sentence of cause, then
/// what to do. `recreated` is the `creationTime` of the object there when this provider
/// process's refresh of the same resource found it deleted and created again outside Terraform
/// ([`SeenRecreated`]): the error then says so, and how to adopt the new one.
///
/// Otherwise the provider cannot tell whose the object is. At plan (Terraform's plan walk) it
/// is not this workspace's (a replacement of its own object is marked, [`PlanContext::held`]).
/// But Terraform plans each create again in the apply's own provider process, without the
/// replacement's mark (the object it replaces is deposed or deleted by then, and the private
/// data with it), and there a `create_before_destroy` replacement under the same name meets its
/// own object: the error says what to do in that case too, in one sentence, since the recovery
/// (`terraform state rm`, then the same import) is the import it already shows.
pub fn already_exists(what: &Importable<'_>, endpoint: &str, recreated: Option<&str>) -> Diag {
    let (kind, id, ty) = (what.kind, what.id, what.type_name);
    let example = address_example(ty, id);
    // A mesh-scoped id is `<mesh>/<name>`.
    let per = if id.contains('/') {
        "per mesh and name"
    } else {
        "per name"
    };
    let detail = match recreated {
        Some(created) => format!(
            "{endpoint}'s {kind} {id:?} was deleted and created again outside Terraform: this run's refresh found another one there (created at {created}), so Terraform treats its own as gone and plans to create it, which would overwrite the new one.\n\nTo manage the new one, let Terraform forget the old one, then import it (with this resource's address in full, e.g. '{example}'):\n  terraform apply -refresh-only\n  terraform import '{ADDRESS}' '{id}'\nOtherwise remove this resource or choose another name."
        ),
        None => format!(
            "{endpoint} already has the {kind} {id:?}, and creating it here would overwrite it.\n\nTo manage it with this resource (it is this resource's own when an earlier apply said its create was not confirmed: that create was carried out late), import it, with the address in full (e.g. '{example}'):\n  terraform import '{ADDRESS}' '{id}'\nor, on Terraform 1.5 and later, in the root module:\n  import {{\n    to = {ADDRESS}\n    id = \"{id}\"\n  }}\nIf something else owns it (another workspace, kumactl, the GUI), choose another name; if another resource of this configuration manages it under an address that changed, add a `moved` block.\n\nAn apply that replaces this resource's own object with `create_before_destroy` stops here too (Kuma holds one {kind} {per}, so the new one cannot be created first; nothing was written): run `terraform state rm '{ADDRESS}'`, then the import above. If this stopped `terraform destroy`, use `terraform destroy -refresh=false`."
        ),
    };
    Diag::error(format!("{kind} {id:?} already exists"), detail).at(attr("name"))
}

/// The sentence that ends every error of a plan that keeps an object (see
/// [`for_destroy_too`]).
pub const DESTROY_WITHOUT_REFRESH: &str = "If this stopped `terraform destroy`, run `terraform destroy -refresh=false` instead: it skips this plan, and it is safe, because the provider deletes only the object it created (one deleted and created again outside Terraform is left in place).";

/// The errors of a plan that keeps an object (a non-null planned state), each ending with
/// [`DESTROY_WITHOUT_REFRESH`]. Terraform's refresh before a destroy is such a plan, with the
/// configuration, and a provider cannot tell it from any other; its errors (an object created
/// again outside Terraform, a configuration the server's release would refuse) would stop the
/// destroy, which needs none of them.
pub fn for_destroy_too(diags: Vec<Diag>) -> Vec<Diag> {
    diags
        .into_iter()
        .map(|mut d| {
            // An error that says how to destroy already is left as it is.
            if d.error && !d.detail.contains("terraform destroy -refresh=false") {
                d.detail = format!("{}\n\n{DESTROY_WITHOUT_REFRESH}", d.full_detail());
                d.hint = None;
            }
            d
        })
        .collect()
}

/// Objects this provider process's refreshes found deleted and created again outside
/// Terraform: (Kuma kind, id) and the new object's `creationTime`. The refresh drops such an
/// object from the state, so the plan that follows creates it and meets the new one; its
/// "already exists" error then says what happened ([`already_exists`]).
#[derive(Debug, Default)]
pub struct SeenRecreated(std::sync::Mutex<BTreeMap<(String, String), String>>);

impl SeenRecreated {
    /// Remember that the refresh of `kind` `id` found one created at `created`.
    pub fn note(&self, kind: &str, id: &str, created: &str) {
        if let Ok(mut seen) = self.0.lock() {
            seen.insert((kind.to_owned(), id.to_owned()), created.to_owned());
        }
    }

    /// The `creationTime` of the object a refresh found created again, if one did.
    pub fn get(&self, kind: &str, id: &str) -> Option<String> {
        let seen = self.0.lock().ok()?;
        seen.get(&(kind.to_owned(), id.to_owned())).cloned()
    }
}

/// Whether the object at `path` exists: the read-before-write half of a safe create. `None`
/// when the control plane could not say (the caller decides whether that blocks).
///
/// Only an answer that holds the object proves it exists: a success whose body cannot be read
/// (it stalled, broke off, is too large) or is not the object is an error, "could not say".
pub async fn exists(configured: &Configured, path: &str) -> Result<bool, ClientError> {
    match configured.client.get_item(path).await {
        Ok(_) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}

/// The read before a create-only PUT: whether the object is there already. Skipped (`false`)
/// against a server that refuses the PUT itself over an existing object
/// ([`Configured::refuses_create_over_existing`]), where the read would only add a request.
pub async fn exists_before_create(
    configured: &Configured,
    path: &str,
) -> Result<bool, ClientError> {
    if configured.refuses_create_over_existing {
        return Ok(false);
    }
    exists(configured, path).await
}

/// [`exists`] for a plan's optional checks: an endpoint that did not answer earlier in this
/// process ([`crate::client::KumaClient::earlier_failure`]) is not asked again, so a hung
/// control plane costs one deadline per run instead of one per resource and check.
async fn exists_at_plan(configured: &Configured, path: &str) -> Result<bool, ClientError> {
    if let Some(reason) = configured.client.earlier_failure() {
        return Err(ClientError::Transport {
            endpoint: configured.client.endpoint().to_owned(),
            message: format!(
                "it did not answer earlier in this run, so it is not asked again ({reason})"
            ),
            sent: false,
        });
    }
    exists(configured, path).await
}

/// [`exists_at_plan`] for the object `name` of `collection` (at `path`), answered from the
/// process's list of the collection once it plans many creates there (see
/// [`snapshots::ReadSnapshots::lookup`]): a plan of 1,000 new MZS lists their mesh once instead
/// of making 1,000 GETs.
pub async fn exists_at_plan_in(
    configured: &Configured,
    collection: &str,
    name: &str,
    path: &str,
) -> Result<bool, ClientError> {
    if configured.client.earlier_failure().is_none() {
        let listed = configured
            .snapshots
            .lookup(&configured.client, collection, snapshots::by_name, name)
            .await;
        match listed {
            snapshots::Listed::Holds(_) => return Ok(true),
            snapshots::Listed::Lacks => return Ok(false),
            snapshots::Listed::Unknown => {}
        }
    }
    exists_at_plan(configured, path).await
}

/// What a create-only PUT came to.
#[derive(Debug)]
pub enum Created {
    /// The control plane answered: its answer (warnings), or an empty object when a retried
    /// create found its own first attempt.
    Answered(serde_json::Value),
    /// The PUT's answer was lost (`error`), and a read afterwards found the object holding
    /// exactly what was sent (`item`): the write got through.
    AnswerLost {
        /// The object as read.
        item: serde_json::Value,
        /// What the PUT met.
        error: ClientError,
    },
    /// The control plane answered the PUT with a success whose body could not be read (a
    /// [`ClientError::Body`]): the object was created. The caller hands the error to
    /// [`written_unless_refused`], which takes the write, with a warning.
    BodyUnread(ClientError),
}

/// Whether the object `item` (as the resource would write it: see [`create_new`]) holds
/// exactly what a create sent: the same spec (numbers by value) and the same user labels
/// (labels the control plane writes itself aside).
pub fn holds_what_was_sent(item: &serde_json::Value, sent: &serde_json::Value) -> bool {
    let spec = |v: &serde_json::Value| v.get("spec").cloned().unwrap_or_default();
    same_json(&spec(item), &spec(sent))
        && user_labels(item.get("labels"), &Value::Null)
            == user_labels(sent.get("labels"), &Value::Null)
}

/// A create that never overwrites: a read before the write (unless the control plane refuses
/// the create-only PUT itself, [`exists_before_create`]), then a create-only PUT. A PUT whose
/// answer was lost (a timeout, a broken connection: [`ClientError::answer_lost`]) may have
/// been carried out all the same (a Kuma control plane finishes a write whose client went
/// away), and so may the first attempt of a retried PUT refused as existing: the object is read
/// under a deadline of its own ([`crate::client::LOST_ANSWER_READ_LIMIT`], the create's own
/// being spent) and taken as written when it holds exactly what was sent
/// ([`holds_what_was_sent`]; `as_written` turns the object read into the body the resource
/// would send for it, through its state, so that a spelling the control plane normalises is
/// not a difference). Anything else is an error saying what to do.
pub async fn create_new<F>(
    configured: &Configured,
    what: &Importable<'_>,
    path: &str,
    request: &serde_json::Value,
    as_written: F,
) -> Result<Created, Vec<Diag>>
where
    F: Fn(&serde_json::Value) -> serde_json::Value + Sync,
{
    let ours = |item: &serde_json::Value| holds_what_was_sent(&as_written(item), request);
    let summary = format!("Could not create the {} {}", what.kind, what.id);
    let taken = || vec![already_exists(what, configured.client.endpoint(), None)];
    match exists_before_create(configured, path).await {
        Ok(true) => return Err(taken()),
        Ok(false) => {}
        Err(e) => return Err(crate::diag::from_client_error(&summary, &e)),
    }
    let error = match configured.client.put_new(path, request).await {
        Ok(response) => return Ok(Created::Answered(response)),
        Err(
            e @ ClientError::Body {
                status: 200..=299, ..
            },
        ) => return Ok(Created::BodyUnread(e)),
        Err(ClientError::AlreadyExists { retried: false, .. }) => return Err(taken()),
        Err(e @ ClientError::AlreadyExists { retried: true, .. }) => e,
        Err(e) if e.answer_lost() => e,
        Err(e) => return Err(crate::diag::from_client_error(&summary, &e)),
    };
    let reader = configured.client.with_deadline(
        crate::client::LOST_ANSWER_READ_LIMIT,
        crate::client::DeadlineSetBy::LostAnswer,
    );
    let found = reader.read_after_lost_answer(path).await;
    let endpoint = configured.client.endpoint();
    match (&error, found) {
        // A retry refused because its own first attempt got through.
        (ClientError::AlreadyExists { .. }, LostAnswerRead::Found(item)) if ours(&item) => {
            crate::log::debug(
                "a retried create found its own first attempt",
                &[("kind", what.kind), ("id", what.id)],
            );
            Ok(Created::Answered(serde_json::Value::Object(
                Default::default(),
            )))
        }
        (ClientError::AlreadyExists { .. }, LostAnswerRead::Found(_)) => Err(taken()),
        (ClientError::AlreadyExists { .. }, found) => Err(vec![lost_create(
            what,
            endpoint,
            "an attempt got no answer, and its retry was refused because the object exists"
                .to_owned(),
            found,
        )]),
        (_, LostAnswerRead::Found(item)) if ours(&item) => {
            crate::log::warn(
                "a create's answer was lost; the object holds what was sent",
                &[("kind", what.kind), ("id", what.id)],
            );
            Ok(Created::AnswerLost { item, error })
        }
        (_, LostAnswerRead::Missing { reads, waited }) => {
            Err(vec![not_created(what, endpoint, &error, reads, waited)])
        }
        (_, found) => {
            let text = error.to_string();
            let lost = text.trim_end().trim_end_matches('.').to_owned();
            Err(vec![lost_create(what, endpoint, lost, found)])
        }
    }
}

/// The error of a delete of the `kind` `id` that failed (`error`). One whose answer was lost (its
/// deadline passed or its connection broke after the request was sent) is "not confirmed": the
/// control plane may have carried it out. Terraform attaches no resource address to a
/// destroy's errors, so the summary names the object (`id`: `<mesh>/<name>`, or a
/// generator's name), and the advice names the resource's address by its type (`type_name`),
/// the one part of it the provider knows.
///
/// After a deadline, the way to a longer one depends on what set it. The provider's
/// `operation_timeout` (the state holds no `timeouts.delete`) takes effect at once: raise it
/// and run the destroy again. A `timeouts.delete` the state holds takes effect once an apply
/// stores the raised value, and that apply must be `-refresh=false` (a refresh would find an
/// object deleted late gone and plan to create it again) and `-target`ed at this resource (an
/// untargeted apply would create again every other resource the destroy already removed:
/// their state is gone, their configuration is still there).
pub fn delete_failed(kind: &str, type_name: &str, id: &str, error: &ClientError) -> Vec<Diag> {
    use crate::client::DeadlineSetBy;
    let deadline = matches!(error, ClientError::Deadline { .. });
    if !deadline && !error.answer_lost() {
        return crate::diag::from_client_error(&format!("Could not delete the {kind} {id}"), error);
    }
    let text = error.to_string();
    let cause = text.trim_end().trim_end_matches('.');
    let (summary, maybe) = if error.answer_lost() {
        (
            format!("The delete of the {kind} {id} was not confirmed"),
            " It may have been carried out all the same; the state keeps it until a refresh finds it gone.",
        )
    } else {
        (format!("Could not delete the {kind} {id}"), "")
    };
    let raise = match error {
        ClientError::Deadline {
            set_by: DeadlineSetBy::Delete { stored: false },
            ..
        } => format!(
            "\n\nTo give the delete more time, raise the provider's `operation_timeout` and run the same command again (`terraform destroy`, or the apply that deleted the {kind}): the state holds no `timeouts.delete`, so `operation_timeout` takes effect at once, with no apply in between. Should the delete have been carried out late, that run's refresh finds the {kind} gone and there is nothing left to delete."
        ),
        ClientError::Deadline { .. } => format!(
            "\n\nTo give the delete more time, raise `timeouts.delete` in the configuration of the resource that manages the {kind} {id} (put the resource back if it was removed) and store it with an apply aimed at that resource alone, which writes nothing to the control plane:\n  terraform apply -refresh=false -target=<its address>\nwith the resource's address, e.g. -target={type_name}.<resource name>. Then delete again. Without `-target`, the apply would create again every other resource this destroy already removed (their state is gone, their configuration is still there). Without `-refresh=false`, its refresh would find the {kind} gone, should the delete have been carried out late, and the apply would create it again."
        ),
        _ => String::new(),
    };
    vec![Diag::error(summary, format!("{cause}.{maybe}{raise}"))]
}

/// The error of a create whose answer was lost (`error`) and whose object the reads after it
/// did not find (`reads` reads over `waited` answered 404): the create was not confirmed. A 404
/// shows only that the object is not there yet: a request still in flight (held by a proxy, or
/// by the control plane itself) may still write it, so the error says what to do then. Nothing
/// is recorded in the state.
fn not_created(
    what: &Importable<'_>,
    endpoint: &str,
    error: &ClientError,
    reads: u32,
    waited: std::time::Duration,
) -> Diag {
    let (kind, id, ty) = (what.kind, what.id, what.type_name);
    let text = error.to_string();
    let lost = text.trim_end().trim_end_matches('.');
    let reads = match reads {
        1 => "a read".to_owned(),
        n => format!("{n} reads over {}", crate::client::humantime(waited)),
    };
    Diag::error(
        format!("The create of the {kind} {id} was not confirmed"),
        format!(
            "The write got no answer ({lost}), and {reads} of {endpoint} afterwards found no {kind} {id:?} (404 Not Found). So it is most likely not written; but a 404 shows only that it is not there yet: the write may still be carried out by a request still in flight (held by a proxy or by the control plane). Terraform records nothing.\n\nRun `terraform apply` again: it creates the {kind} only where none exists. If the next plan says that {kind} {id:?} already exists, it is this workspace's own create, carried out late: import it with\n  terraform import {ty}.<resource name> '{id}'"
        ),
    )
}

/// The warning of a create whose answer was lost (`error`) but whose object holds what was
/// sent ([`Created::AnswerLost`]): recorded in the state as written. `zone_status`: the resource
/// has zone status, which the next refresh reads.
pub fn answer_lost_warning(kind: &str, id: &str, error: &ClientError, zone_status: bool) -> Diag {
    let text = error.to_string();
    let lost = text.trim_end().trim_end_matches('.');
    let zones = if zone_status {
        " Its `zone_status` is read by the next refresh."
    } else {
        ""
    };
    Diag::warning(
        format!("The {kind} {id} was created, but the answer to the write was lost"),
        format!(
            "The create got no answer ({lost}), but a read afterwards found the {kind} holding exactly what was sent: the control plane carried out the write. It is recorded in the state as written.{zones}"
        ),
    )
}

/// The error of a create whose answer was lost (`lost` says how) and whose object the read
/// after it (`found`) did not show holding what was sent: the object may exist, and the error
/// says how to bring it under this resource.
fn lost_create(what: &Importable<'_>, endpoint: &str, lost: String, found: LostAnswerRead) -> Diag {
    let (kind, id, ty) = (what.kind, what.id, what.type_name);
    let seen = match found {
        LostAnswerRead::Missing { .. } => "A read afterwards did not find it, so it was most likely not written; it may still appear if the control plane finishes the write later.".to_owned(),
        LostAnswerRead::Failed(e) => {
            let text = e.to_string();
            format!(
                "A read afterwards failed too ({}), so whether it was written is not known.",
                text.trim_end().trim_end_matches('.')
            )
        }
        LostAnswerRead::Found(_) => format!("A read afterwards found a {kind} {id:?} that holds something other than what was sent (someone else's, or changed since), so it is not taken as this resource's."),
    };
    Diag::error(
        format!("Could not create the {kind} {id}"),
        format!(
            "The create got no answer: {lost}. The control plane may have written the {kind} all the same (it finishes a write whose client stopped waiting). {seen} Terraform does not track it.\n\nRun `terraform plan`. If it says {id:?} already exists on {endpoint} and it is the object this resource was meant to create, import it:\n  terraform import {ty}.<resource name> '{id}'\nor, on Terraform 1.5 and later, add an import block:\n  import {{\n    to = {ty}.<resource name>\n    id = \"{id}\"\n  }}\nIf the plan proposes to create it, apply again."
        ),
    )
}

/// The release whose rendering predicts the names the server builds for a planned object
/// (`kri`, `snis`), from the settled settings ([`Configured::settle_release`], which the plan's
/// rules came from too): the server's own, else `kuma_version` as given when `GET /` did not
/// answer; `None` when the plan cannot know it. Then the diagnostic, if any, that says why
/// ([`ReleaseDiag`]).
///
/// Terraform plans a resource again in the apply's own provider process and refuses ("Provider
/// produced inconsistent final plan") a value the first plan knew that the second leaves unknown
/// or changes; an unknown value the second plan knows is fine. Neither plan can tell which one
/// it is. So a plan that cannot read the release while the control plane answers otherwise
/// (`GET /` answers an error, as a gateway in front of it may) stops with an error rather than
/// plan values the apply may not reproduce. A control plane that cannot be reached at all is
/// different: the names stay unknown, with a warning, as before a plan read the release at
/// all. An apply's writes cannot reach it either, and an error would stop what needs no names
/// (`terraform destroy` plans every resource first, one not created yet too). The price: a
/// saved plan that showed the names, applied while the control plane cannot be reached,
/// fails with Terraform's "inconsistent final plan" after the warning that names the cause
/// (nothing is written either way).
///
/// `kind` and `id` name the object, `names` the values (`` `kri` ``).
pub fn release_for_names(
    ctx: &PlanContext,
    kind: &str,
    id: &str,
    names: &str,
) -> (Option<KumaVersion>, Option<ReleaseDiag>) {
    use crate::config::NamesRelease;
    let Some(configured) = &ctx.configured else {
        return (None, None);
    };
    let endpoint = configured.client.endpoint();
    let trim = |t: &str| t.trim_end().trim_end_matches('.').to_owned();
    // One name (`kri`) or several (`kri` and `snis`).
    let (depend, are, they) = if names.contains(" and ") {
        ("depend", "are", "they depend")
    } else {
        ("depends", "is", "it depends")
    };
    match configured.names_release() {
        NamesRelease::Server(release) | NamesRelease::Configured(release) => (Some(release), None),
        NamesRelease::NotTold => (None, None),
        NamesRelease::Unreachable(unread) => {
            let cause = trim(&unread.error);
            let warning = Diag::warning(
                format!("Cannot reach the Kuma control plane at {endpoint}"),
                format!(
                    "{cause}.\n\nSo this plan could not read its Kuma release (`GET /`), and the {names} of the {kind} {id}, which {depend} on it, {are} unknown until the apply reads it. An apply cannot write while the control plane cannot be reached: it fails with this cause and changes nothing. (Should a saved plan that showed these values be applied now, Terraform reports \"Provider produced inconsistent final plan\" for them: the cause is this one.) Setting the provider's `kuma_version` to the control plane's release lets a plan show them without asking it."
                ),
            )
            .at(attr("name"));
            (None, Some(ReleaseDiag::Unreachable(warning)))
        }
        NamesRelease::Unread { first, again } => {
            let (first, again) = (trim(&first.error), trim(&again.error));
            let tries = if first == again {
                format!("{first} (when the provider started, and again when asked once more)")
            } else {
                format!("{first} (when the provider started), then {again} (when asked once more)")
            };
            let error = Diag::error(
                format!("Cannot plan the {kind} {id}: the Kuma release of {endpoint} could not be read"),
                format!(
                    "`GET /` at {endpoint}, where a Kuma control plane tells its release, failed: {tries}.\n\nIf this stopped `terraform destroy`, run `terraform destroy -refresh=false`: it skips this plan.\n\nThe plan shows the {names} the control plane will give the {kind}, and {they} on its release. Terraform plans each change twice (in `terraform plan`, and again when it applies), and a value the first plan showed must not change in the second, so rather than guess, the plan stops here: this {kind} was not changed. Check that `GET /` answers at {endpoint} (a gateway in front of the API must let it through), or set the provider's `kuma_version` to the control plane's release, then run Terraform again."
                ),
            )
            .at(attr("name"));
            (None, Some(ReleaseDiag::Unread(error)))
        }
    }
}

/// What `accepts` gives (`Some`: the core takes the planned object) under a supported release
/// other than the rules' one, when no release's rules are in force (the release could not be
/// read, [`PlanContext::rules_release`]); `None` when one is (the caller asked it already).
///
/// Whether a plan asks for the release its names depend on ([`release_for_names`]) turns on
/// this, so an object every release accepts and one only some accept (a port protocol the
/// newest release dropped) get one answer when the release could not be read: the names of
/// either depend on the release, an apply's own plan that reads it shows them, and a plan
/// that left them unknown would then be refused by Terraform as inconsistent.
pub fn accepted_under_some_release<T>(
    ctx: &PlanContext,
    accepts: impl Fn(KumaVersion) -> Option<T>,
) -> Option<T> {
    if ctx.rules_release().is_some() {
        return None;
    }
    KumaVersion::ALL
        .iter()
        .filter(|v| **v != ctx.version)
        .find_map(|v| accepts(*v))
}

/// Why a plan could not predict the names the server builds ([`release_for_names`]).
#[derive(Debug, Clone)]
pub enum ReleaseDiag {
    /// The control plane cannot be reached: a warning; the names stay unknown.
    Unreachable(Diag),
    /// `GET /` answered an error: the plan stops.
    Unread(Diag),
}

/// The summary of a plan's warning that it could not check whether the object it creates
/// exists already ([`create_check_warning`]).
const CREATE_CHECK: &str = "Could not check whether the ";

/// The summary of a warning that the control plane cannot be reached at all.
const UNREACHABLE: &str = "Cannot reach the Kuma control plane at ";

/// The sentence of a plan whose create check could not ask the control plane.
fn create_unchecked(kind: &str) -> String {
    format!(
        "Nor could it check whether the {kind} already exists; the apply checks before it writes."
    )
}

/// The warning of a plan whose create check (does the object exist already?) could not ask
/// the control plane (`error`): the apply checks again before it writes. A control plane that
/// cannot be reached at all is named first, with the failure that showed it once (a request
/// after it is not sent, and its error would only repeat it).
pub fn create_check_warning(configured: &Configured, kind: &str, error: &ClientError) -> Diag {
    let unreachable = matches!(
        error,
        ClientError::Transport { .. }
            | ClientError::NotAskedAgain { .. }
            | ClientError::Deadline {
                endpoint_failed: true,
                ..
            }
    );
    if !unreachable {
        return Diag::warning(
            format!("{CREATE_CHECK}{kind} already exists"),
            format!("{error}. The apply checks again before it writes."),
        );
    }
    let cause = configured
        .client
        .earlier_failure()
        .unwrap_or_else(|| error.to_string());
    let endpoint = configured.client.endpoint();
    Diag::warning(
        format!("{UNREACHABLE}{endpoint}"),
        format!(
            "{}.\n\nSo this plan could not check whether the {kind} already exists; the apply checks before it writes, and cannot write until the control plane answers.",
            cause.trim_end().trim_end_matches('.')
        ),
    )
}

/// `diags` of a plan with what [`release_for_names`] said (`release`), coherently: an error
/// (the plan stops) replaces the create check's warning, which says that the apply checks
/// again; a warning that the control plane cannot be reached takes the create check's in,
/// so the plan warns once, leading with the cause.
pub fn with_release_diag(diags: &mut Vec<Diag>, release: Option<ReleaseDiag>, kind: &str) {
    let Some(release) = release else {
        return;
    };
    let checked = diags.iter().position(|d| {
        !d.error && (d.summary.starts_with(CREATE_CHECK) || d.summary.starts_with(UNREACHABLE))
    });
    let unchecked = checked.map(|at| diags.remove(at));
    match release {
        ReleaseDiag::Unread(error) => diags.push(error),
        ReleaseDiag::Unreachable(mut warning) => {
            if let Some(unchecked) = unchecked {
                // The control plane cannot be reached: the same failure, said once.
                let cause = if unchecked.summary.starts_with(UNREACHABLE) {
                    String::new()
                } else {
                    let cause = unchecked
                        .detail
                        .trim_end_matches(" The apply checks again before it writes.")
                        .trim_end_matches('.');
                    format!(" ({cause})")
                };
                let sentence = create_unchecked(kind);
                let sentence = match cause.is_empty() {
                    true => sentence,
                    false => sentence.replacen(
                        " already exists;",
                        &format!(" already exists{cause};"),
                        1,
                    ),
                };
                warning.detail = format!("{}\n\n{sentence}", warning.detail);
            }
            diags.push(warning);
        }
    }
}

/// A planned object as the control plane's release will print it (the core's rendering, with
/// the planned-creation stand-in times): where a plan reads the names the server builds (`kri`,
/// `snis`).
pub fn as_release_prints(
    resource: &kuma_mzs_core::Resource,
    version: KumaVersion,
) -> Option<serde_json::Value> {
    use kuma_mzs_core::api::{ReleaseItem, Times, PLANNED_CREATION_TIME};
    serde_json::to_value(ReleaseItem {
        resource,
        times: Times {
            creation: PLANNED_CREATION_TIME,
            modification: PLANNED_CREATION_TIME,
        },
        version,
    })
    .ok()
}

/// The error, on `mesh`, for a mesh the control plane does not have (one GET of the Mesh);
/// `None` when it exists or the control plane could not say (the caller reports its own error).
pub async fn missing_mesh(configured: &Configured, mesh: &str, fix: &str) -> Option<Diag> {
    if mesh.is_empty() {
        return Some(Diag::error("Empty mesh", format!("`mesh` is empty; {fix}")).at(attr("mesh")));
    }
    if configured.snapshots.mesh_seen(&configured.client, mesh) {
        return None;
    }
    let path = format!("/meshes/{}", crate::client::encode(mesh));
    match exists(configured, &path).await {
        Ok(true) => {
            configured.snapshots.remember_mesh(&configured.client, mesh);
            None
        }
        Ok(false) => Some(
            Diag::error(
                format!("Mesh {mesh:?} does not exist"),
                format!(
                    "{} has no Mesh {mesh:?}; {fix}",
                    configured.client.endpoint()
                ),
            )
            .at(attr("mesh")),
        ),
        _ => None,
    }
}

/// The result of planning.
#[derive(Debug, Default)]
pub struct PlanOutcome {
    /// Planned new state (null for destroy).
    pub planned: Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<Vec<Step>>,
    /// Problems.
    pub diags: Vec<Diag>,
}

/// Shared planning: start from Terraform's proposed state, apply defaults from config, then
/// decide computed attributes:
/// - create: every computed-only attribute is unknown unless `predict` knows it;
/// - update with no difference: exactly the prior state (Terraform then plans no-op);
/// - update with a difference: `volatile` computed attributes become unknown, the rest keep
///   their prior values (so they are never "known after apply" needlessly).
pub fn plan_common(
    prior: &Value,
    proposed: &Value,
    config: &Value,
    computed_only: &[&str],
    volatile: &[&str],
    apply_defaults: impl Fn(&mut Value, &Value),
    predict: impl Fn(&mut Value),
) -> Value {
    if proposed.is_null() {
        return Value::Null;
    }
    let mut planned = proposed.clone();
    apply_defaults(&mut planned, config);
    if prior.is_null() {
        for name in computed_only {
            planned.set(name, Value::Unknown);
        }
        predict(&mut planned);
        return planned;
    }
    for name in computed_only {
        planned.set(name, prior.get(name).clone());
    }
    if !writes(prior, &planned) {
        return planned;
    }
    for name in volatile {
        planned.set(name, Value::Unknown);
    }
    planned
}

/// Fill every unknown in `planned` from `actual`; known planned values win (Terraform requires
/// the applied object to equal the plan wherever the plan was known).
pub fn merge_unknowns(planned: &Value, actual: &Value) -> Value {
    match (planned, actual) {
        (Value::Unknown, actual) => strip_unknown(actual.clone()),
        (Value::Map(p), Value::Map(a)) => Value::Map(
            p.iter()
                .map(|(k, v)| {
                    let actual = a.get(k).unwrap_or(&Value::Null);
                    (k.clone(), merge_unknowns(v, actual))
                })
                .collect(),
        ),
        (Value::List(p), Value::List(a)) if p.len() == a.len() => {
            Value::List(p.iter().zip(a).map(|(p, a)| merge_unknowns(p, a)).collect())
        }
        (other, _) => strip_unknown(other.clone()),
    }
}

/// The state after an apply: [`merge_unknowns`], plus a warning for every known planned value
/// the control plane read back differently. Terraform requires the planned value in state, but
/// something no plan could foresee (the object deleted or a HostnameGenerator created between
/// plan and apply) can make the server's differ; the warning names the attribute, both values
/// and the refresh that records the server's. `ty` is the state's type; a value read back as
/// null (a zone that could not be read) is not a difference.
pub fn merge_applied(planned: &Value, actual: &Value, ty: &Ty) -> (Value, Vec<Diag>) {
    let mut differences = Vec::new();
    differing(planned, actual, ty, &mut Vec::new(), &mut differences);
    // The same attribute of several list elements (each zone's `hostnames` after a generator
    // was added) is one warning, not one per element.
    let mut groups: Vec<(String, Vec<Difference>)> = Vec::new();
    for difference in differences {
        let key = any_index_text(&difference.0);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(difference),
            None => groups.push((key, vec![difference])),
        }
    }
    const WHY: &str = "something changed between the plan and the apply that no plan can see (for example the object was deleted and created again, or a HostnameGenerator was added, by another workspace or by this same apply).";
    let diags = groups
        .into_iter()
        .filter_map(|(key, mut members)| {
            if members.len() == 1 {
                let (path, planned, actual) = members.pop()?;
                let shown = path_text(&path);
                return Some(
                    Diag::warning(
                        format!("The control plane returned a different {shown} than planned"),
                        format!(
                            "The plan said {shown} would be {planned}, but after the apply the control plane has {actual}: {WHY} Terraform requires the planned value, so the state keeps {planned} until the next refresh. Run `terraform apply -refresh-only` to record {actual}."
                        ),
                    )
                    .at(path),
                );
            }
            let each: Vec<String> = members
                .iter()
                .map(|(path, planned, actual)| {
                    format!("{}: planned {planned}, now {actual}", path_text(path))
                })
                .collect();
            let at = members.first()?.0.clone();
            Some(
                Diag::warning(
                    format!("The control plane returned a different {key} than planned"),
                    format!(
                        "After the apply the control plane has other values than the plan said:\n{}\n\nThat is: {WHY} Terraform requires the planned values, so the state keeps them until the next refresh. Run `terraform apply -refresh-only` to record the new ones.",
                        each.join("\n")
                    ),
                )
                .at(at),
            )
        })
        .collect();
    (merge_unknowns(planned, actual), diags)
}

/// Where a value differs (its path), as planned and as the control plane has it (JSON text).
type Difference = (Vec<Step>, String, String);

/// Where `actual` differs from a known `planned` value: each object attribute and list element
/// of objects on its own, any other value (a map, a list of strings) as a whole.
fn differing(
    planned: &Value,
    actual: &Value,
    ty: &Ty,
    path: &mut Vec<Step>,
    out: &mut Vec<Difference>,
) {
    if planned.is_unknown() || actual.is_null() || strip_unknown(planned.clone()) == *actual {
        return;
    }
    match (planned, actual, ty) {
        (Value::Map(p), Value::Map(a), Ty::Object(fields)) => {
            for (key, field_ty) in fields {
                let (Some(p), Some(a)) = (p.get(key), a.get(key)) else {
                    continue;
                };
                path.push(Step::Attr(key.clone()));
                differing(p, a, field_ty, path, out);
                path.pop();
            }
        }
        (Value::List(p), Value::List(a), Ty::List(item)) if matches!(**item, Ty::Object(_)) => {
            if p.len() != a.len() {
                out.push((path.clone(), shown(planned), shown(actual)));
                return;
            }
            for (i, (p, a)) in p.iter().zip(a).enumerate() {
                path.push(Step::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                differing(p, a, item, path, out);
                path.pop();
            }
        }
        _ if planned.contains_unknown() => {}
        _ => out.push((path.clone(), shown(planned), shown(actual))),
    }
}

fn shown(value: &Value) -> String {
    value.to_json().to_string()
}

/// An attribute path as Terraform writes it: `zone_status[0].vip`, `labels["team"]`.
fn path_text(path: &[Step]) -> String {
    path_text_with(path, |i| i.to_string())
}

/// [`path_text`] with every list index shown as `*`: the name of a group of list elements.
fn any_index_text(path: &[Step]) -> String {
    path_text_with(path, |_| "*".to_owned())
}

fn path_text_with(path: &[Step], index: impl Fn(i64) -> String) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Attr(name) if text.is_empty() => text.push_str(name),
            Step::Attr(name) => {
                text.push('.');
                text.push_str(name);
            }
            Step::Index(i) => text.push_str(&format!("[{}]", index(*i))),
            Step::Key(k) => text.push_str(&format!("[{k:?}]")),
        }
    }
    if text.is_empty() {
        "object".to_owned()
    } else {
        format!("`{text}`")
    }
}

fn strip_unknown(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(strip_unknown).collect()),
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, strip_unknown(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Whether two JSON documents mean the same: numbers are equal by value, whatever their
/// spelling (`1`, `1.0`, `1e0`; a Go control plane answers `1` to `1.0` and `1000` to `1e3`);
/// object keys in any order; arrays in order.
pub fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(x), Some(y), _, _) => x == y,
            (_, _, Some(x), Some(y)) => x == y,
            _ => x.as_f64().is_some_and(|x| Some(x) == y.as_f64()),
        },
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        (x, y) => x == y,
    }
}

/// The labels to keep in state from what the server returns: everything except the labels Kuma
/// adds itself, unless the user manages one of those explicitly (it is then in `managed`).
/// Always a map, `{}` when there is nothing to show (see [`default_labels`]).
pub fn user_labels(server: Option<&serde_json::Value>, managed: &Value) -> Value {
    let managed_map = managed.as_string_map().unwrap_or_default();
    let mut labels = BTreeMap::new();
    if let Some(serde_json::Value::Object(map)) = server {
        for (k, v) in map {
            let Some(v) = v.as_str() else { continue };
            // Labels Kuma adds on write never cause a diff unless the user manages them.
            if kuma_mzs_core::server_labels::is_server_written(k) && !managed_map.contains_key(k) {
                continue;
            }
            labels.insert(k.clone(), Value::string(v));
        }
    }
    Value::Map(labels)
}

/// The modes a configuration is checked under before the provider is configured (the endpoint's
/// mode is not known yet): an error then only where every mode agrees.
pub fn modes_before_configure() -> [Mode; 2] {
    [
        Mode::Global,
        Mode::Zone {
            name: String::new(),
            federated: true,
        },
    ]
}

/// The mode plans assume: the endpoint's, else global (what the provider is documented for).
pub fn plan_mode(ctx: &PlanContext) -> Mode {
    ctx.configured
        .as_ref()
        .and_then(|c| c.mode.clone())
        .unwrap_or(Mode::Global)
}

/// Stand-ins for a name or mesh not known yet; two, so that a computed label that depends on
/// them can be told apart (it differs between the two) and left unchecked.
const UNKNOWN_STAND_INS: [&str; 2] = ["not-known-yet-a", "not-known-yet-b"];

/// Errors for labels the configuration sets that Kuma replaces on every write (the core's
/// `compute_labels` for each release: from 3.0 the display-name label is always the name, the
/// origin label always the writing control plane's): such a label would apply and then show a
/// diff on every plan. Labels Kuma only fills when absent, and a value equal to what Kuma
/// writes, are fine. A label is reported only when Kuma replaces it under every mode in `modes`
/// and every release in `versions` (the server's at plan; before the provider is configured,
/// every supported one).
pub fn overwritten_labels(
    config: &Value,
    modes: &[Mode],
    versions: &[KumaVersion],
    resource_type: ResourceType,
    mesh_scoped: bool,
) -> Vec<Diag> {
    let Value::Map(labels) = config.get("labels") else {
        return Vec::new();
    };
    let known: BTreeMap<String, String> = labels
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect();
    let name = config.get("name").as_str();
    let mesh = config
        .get("mesh")
        .as_str()
        .or(if config.get("mesh").is_null() {
            Some(kuma_mzs_core::defaults::DEFAULT_MESH)
        } else {
            None
        });
    // Kuma's labels for each mode, computed twice with different stand-ins for unknowns.
    let computed = |mode: &Mode, version: KumaVersion, stand_in: &str| {
        compute_labels(
            mode,
            version,
            resource_type,
            mesh_scoped.then(|| mesh.unwrap_or(stand_in)),
            name.unwrap_or(stand_in),
            known.clone(),
        )
    };
    let mut diags = Vec::new();
    for (key, value) in &known {
        let mut written = Vec::new();
        for mode in modes {
            for &version in versions {
                let [a, b] = UNKNOWN_STAND_INS.map(|stand_in| computed(mode, version, stand_in));
                match (a.get(key), b.get(key)) {
                    // Depends on a value not known yet: cannot tell.
                    (x, y) if x != y => {}
                    (Some(kuma), _) if kuma != value => written.push((mode, kuma.clone())),
                    _ => {}
                }
            }
        }
        if written.is_empty() || written.len() < modes.len() * versions.len() {
            continue;
        }
        let (mode, kuma) = &written[0];
        let detail = if Some(kuma.as_str()) == name {
            format!(
                "Kuma sets the label {key:?} itself on every write, from the resource's `name` ({kuma:?}), so {value:?} would be replaced: the apply would succeed and every later plan would show {kuma:?} -> {value:?}. Remove {key:?} from `labels`; Kuma computes it from `name`."
            )
        } else {
            let on = match mode {
                Mode::Global => "the global control plane",
                Mode::Zone { .. } => "a zone control plane",
            };
            format!(
                "Kuma sets the label {key:?} itself on every write, to {kuma:?} on {on}, so {value:?} would be replaced: the apply would succeed and every later plan would show {kuma:?} -> {value:?}. Remove {key:?} from `labels` (Kuma adds it anyway; setting it to {kuma:?} changes nothing)."
            )
        };
        diags.push(
            Diag::error(format!("Label {key:?} is set by Kuma"), detail)
                .at(vec![Step::Attr("labels".into()), Step::Key(key.clone())]),
        );
    }
    diags
}

/// The labels the control plane wrote itself (which the state hides) that the configuration
/// now sets, as the server holds them: read at plan time (only then, and only when such a label
/// is set) so that a change of one Kuma keeps for the object's life is found at plan, not at
/// apply (an imported object's zone label, say), and replaces the object
/// ([`removed_immutable_labels`]).
pub async fn hidden_labels_set(
    ctx: &PlanContext,
    prior: &Value,
    config: &Value,
    path: &str,
) -> BTreeMap<String, String> {
    let (false, false, Some(configured), Value::Map(set)) = (
        prior.is_null(),
        config.is_null(),
        &ctx.configured,
        config.get("labels"),
    ) else {
        return BTreeMap::new();
    };
    let users = prior.get("labels").as_string_map().unwrap_or_default();
    let wanted: Vec<&String> = (set.keys())
        .filter(|k| !users.contains_key(*k))
        .filter(|k| kuma_mzs_core::server_labels::is_server_written(k))
        .collect();
    if wanted.is_empty() {
        return BTreeMap::new();
    }
    let configured = configured.for_plan_or_read();
    let Ok(item) = configured.client.get(path).await else {
        return BTreeMap::new();
    };
    let Some(serde_json::Value::Object(held)) = item.get("labels") else {
        return BTreeMap::new();
    };
    (held.iter())
        .filter(|(k, _)| wanted.contains(k))
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

/// `state` with the labels of [`hidden_labels_set`] added where it has none: the object as the
/// server holds it, for deciding which computed values an update may change (a hidden label the
/// configuration now sets to the value it has changes nothing).
pub fn with_hidden_labels(state: &Value, hidden: &BTreeMap<String, String>) -> Value {
    if hidden.is_empty() {
        return state.clone();
    }
    let mut labels = state.get("labels").as_string_map().unwrap_or_default();
    for (key, value) in hidden {
        labels.entry(key.clone()).or_insert_with(|| value.clone());
    }
    let mut seen = state.clone();
    seen.set("labels", Value::from_string_map(&labels));
    seen
}

/// Warnings, on the label, where the configuration sets a label Kuma wrote (which the state
/// hides, so Terraform shows the line as an addition) to another value than the server holds:
/// the plan changes it, and says from what.
pub fn hidden_label_changes(config: &Value, hidden: &BTreeMap<String, String>) -> Vec<Diag> {
    let Value::Map(set) = config.get("labels") else {
        return Vec::new();
    };
    (hidden.iter())
        .filter_map(|(key, held)| {
            let wanted = set.get(key)?.as_str()?;
            (wanted != held).then(|| {
                Diag::warning(
                    format!("Label {key:?} changes from {held:?} to {wanted:?}"),
                    format!(
                        "The control plane holds {key:?} = {held:?}, which Kuma may write itself, so the state does not show it and the plan shows the label as added. Applying writes {wanted:?}."
                    ),
                )
                .at(vec![Step::Attr("labels".into()), Step::Key(key.clone())])
            })
        })
        .collect()
}

/// The labels an update removes or changes that Kuma keeps for the object's life (the core's
/// `check_immutable_labels`, which Kuma runs on every update and answers with a 400): the prior
/// state's labels (the configuration's, as last applied, plus `hidden`) against the
/// configuration's as Kuma would compute them under the endpoint's mode. A value not known yet
/// is taken as unchanged; labels not known at all are not checked.
///
/// No update can make such a change, while a new object can carry any value: each is a warning
/// on the label whose path the plan returns in `requires_replace` (as the Kubernetes provider's
/// `ForceNew`), so Terraform shows "forces replacement" on that line and applies it by deleting
/// the object and creating it with the new labels. (An error advising `terraform apply
/// -replace` was a dead end: that plan meets the same refusal.)
pub fn removed_immutable_labels(
    ctx: &PlanContext,
    prior: &Value,
    config: &Value,
    hidden: BTreeMap<String, String>,
    resource_type: ResourceType,
    mesh_scoped: bool,
) -> Vec<Diag> {
    if prior.is_null() || config.is_null() || config.get("labels").is_unknown() {
        return Vec::new();
    }
    let mut old = prior.get("labels").as_string_map().unwrap_or_default();
    old.extend(hidden);
    let mut new: BTreeMap<String, String> = BTreeMap::new();
    if let Value::Map(labels) = config.get("labels") {
        for (key, value) in labels {
            match (value.as_str(), old.get(key)) {
                (Some(value), _) => {
                    new.insert(key.clone(), value.to_owned());
                }
                (None, Some(was)) if value.is_unknown() => {
                    new.insert(key.clone(), was.clone());
                }
                _ => {}
            }
        }
    }
    let (Some(name), mesh) = (prior.get("name").as_str(), prior.get("mesh").as_str()) else {
        return Vec::new();
    };
    let new = compute_labels(
        &plan_mode(ctx),
        ctx.version,
        resource_type,
        mesh_scoped.then_some(mesh.unwrap_or(kuma_mzs_core::defaults::DEFAULT_MESH)),
        name,
        new,
    );
    kuma_mzs_core::api::check_immutable_labels(ctx.version, &old, &new)
        .into_iter()
        .map(|violation| {
            let path = crate::diag::kuma_path(&violation.field);
            let key = match path.last() {
                Some(Step::Key(key)) => key.clone(),
                _ => violation.field.clone(),
            };
            let kind = resource_type.name();
            Diag::warning(
                format!("Label {key:?} cannot change in place: the {kind} is replaced"),
                format!(
                    "Kuma keeps {key:?} for an object's whole life and refuses an update that removes or changes it ({} {}), so Terraform replaces the {kind}: it deletes it and creates it with the new labels (the new object gets its own computed values, such as a VIP in every zone). To keep the object, keep {key:?} = {:?} in `labels`.",
                    violation.field,
                    violation.message,
                    old.get(&key).map(String::as_str).unwrap_or_default(),
                ),
            )
            .at(path)
        })
        .collect()
}

/// `extra` without the diagnostics at a path `diags` already has an error for (the REST layer's
/// own label checks and ours can find the same label).
pub fn extend_unreported(diags: &mut Vec<Diag>, extra: Vec<Diag>) {
    for diag in extra {
        if !diags.iter().any(|d| d.error && d.path == diag.path) {
            diags.push(diag);
        }
    }
}

/// The errors only some releases give, found by the offline validation (the newest release's),
/// as warnings when the validation fails anyway: Terraform stops at a validation error before any
/// plan, and the plan is where the control plane's own release decides them, so without these a
/// user would meet them one fix later. When the validation passes they are left to the plan.
pub fn not_yet_errors(diags: &[Diag], release_errors: Vec<Diag>) -> Vec<Diag> {
    if !diags.iter().any(|d| d.error) {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(release_errors.len());
    for d in release_errors {
        let detail = format!(
            "{}\n\nKuma {} refuses this, some older releases accept it: once the errors are fixed, the plan checks it against the release the control plane runs.",
            d.detail,
            KumaVersion::default().as_str()
        );
        out.push(Diag::warning(d.summary, detail).at(d.path));
    }
    out
}

/// The diagnostics `check` gives under the first of `versions` that every one of them gives at
/// the same attribute: a rule that holds under each release in force (one when the release is
/// known, every supported one when it could not be read).
pub fn under_every(
    versions: &[KumaVersion],
    check: impl Fn(KumaVersion) -> Vec<Diag>,
) -> Vec<Diag> {
    let mut found = versions.iter().map(|v| check(*v));
    let Some(first) = found.next() else {
        return Vec::new();
    };
    let others: Vec<Vec<Diag>> = found.collect();
    first
        .into_iter()
        .filter(|d| {
            others
                .iter()
                .all(|o| o.iter().any(|e| e.error == d.error && e.path == d.path))
        })
        .collect()
}

/// A plan's diagnostics of a configuration judged by every release (`by_release`: what every
/// release refuses, and what only some do) while the control plane's release could not be read:
/// the errors every release gives, and the others as [`release_not_read_warnings`].
pub fn judged_by_every_release(
    by_release: (Vec<Diag>, Vec<Diag>),
    endpoint: &str,
    unread: &crate::config::Unread,
) -> Vec<Diag> {
    let (agreed, release_errors) = by_release;
    let mut diags: Vec<Diag> = agreed.into_iter().filter(|d| d.error).collect();
    diags.extend(release_not_read_warnings(release_errors, endpoint, unread));
    diags
}

/// The errors only some releases give (`release_errors`, see [`not_yet_errors`]) as warnings of a
/// plan whose control plane's release could not be read ([`Configured::release_not_read`]):
/// neither refused nor passed under a guessed release; the cause is said, and the server decides
/// when the object is written.
pub fn release_not_read_warnings(
    release_errors: Vec<Diag>,
    endpoint: &str,
    unread: &crate::config::Unread,
) -> Vec<Diag> {
    let cause = unread.error.trim_end().trim_end_matches('.');
    release_errors
        .into_iter()
        .map(|d| {
            let detail = format!(
                "{}\n\nSome supported Kuma releases refuse this and others accept it, and the control plane's release could not be read (`GET /` at {endpoint} failed: {cause}), so the control plane decides when it is written. Setting the provider's `kuma_version` to its release checks it at plan.",
                d.detail
            );
            Diag::warning(d.summary, detail).at(d.path)
        })
        .collect()
}

/// The errors of a plan that writes nothing (the configuration is what the object already holds),
/// as warnings about the next write: Kuma validates a resource only when it is written and keeps
/// serving what it stored, so a rule the server's release added since the object was applied (a
/// server upgraded from 2.14 to 3.0, say) must not block every plan of the workspace, nor
/// `terraform destroy`, whose first step is such a plan. Errors about the provider's own
/// settings (`timeouts`) stay errors.
///
/// `version`: the release whose rules found them; `None` when the release could not be read
/// and the errors are those every supported release gives.
pub fn for_unchanged_object(diags: Vec<Diag>, version: Option<KumaVersion>) -> Vec<Diag> {
    let mut out = Vec::with_capacity(diags.len());
    for d in diags {
        if !d.error || matches!(d.path.first(), Some(Step::Attr(a)) if a == "timeouts") {
            out.push(d);
            continue;
        }
        // Kuma's own refusals (the REST layer's `Invalid ...`) are what the next write meets;
        // the provider's other findings (a label Kuma would replace) keep their own words.
        if !d.summary.starts_with("Invalid ") {
            let detail = format!(
                "{}\n\nThis plan does not write the object, so this waits for the next change to it.",
                d.full_detail()
            );
            out.push(Diag::warning(d.summary, detail).at(d.path));
            continue;
        }
        let detail = format!(
            "{}: {}\n\nThis plan does not write the object, and the control plane keeps serving it as stored (Kuma validates a resource only when it is written). Change the configuration before the next change to this resource is applied, or that apply will fail.",
            d.summary,
            d.full_detail()
        );
        out.push(
            Diag::warning(
                match version {
                    Some(version) => format!(
                        "Kuma {} will refuse the next write of this object",
                        version.as_str()
                    ),
                    None => "Kuma will refuse the next write of this object".to_owned(),
                },
                detail,
            )
            .at(d.path),
        );
    }
    out
}

/// The plan-time refusal of a change the endpoint does not accept: the core's
/// `check_writable` (the REST layer's 405) under the endpoint's detected mode. A federated zone
/// refuses MeshMultiZoneServices (and Meshes); HostnameGenerators are written anywhere.
pub fn refused_by_endpoint(ctx: &PlanContext, resource_type: ResourceType) -> Option<Diag> {
    let kind = resource_type.name();
    let configured = ctx.configured.as_ref()?;
    let mode = configured.mode.as_ref()?;
    let refusal = check_writable(mode, resource_type).err()?;
    let endpoint = configured.client.endpoint();
    let what = match mode {
        Mode::Zone {
            name,
            federated: true,
        } => format!("the control plane of zone {name:?}, connected to a global control plane"),
        Mode::Zone { name, .. } => format!("the control plane of zone {name:?}"),
        Mode::Global => "the global control plane".to_owned(),
    };
    let (place, hint) = match mode {
        Mode::Global => ("a zone control plane", "a zone control plane's API"),
        Mode::Zone { .. } => (
            "the global control plane, which syncs them to every zone",
            "the global control plane's API (and list this zone in a `zone` block to read its status)",
        ),
    };
    let summary = match mode {
        Mode::Zone { .. } => format!("The endpoint is a zone control plane that refuses {kind}s"),
        Mode::Global => format!("The endpoint is the global control plane, which refuses {kind}s"),
    };
    Some(Diag::error(
        summary,
        format!(
            "The provider `endpoint` {endpoint} is {what}. It refuses to create, change or delete a {kind} (Kuma answers {} {}: \"{}\"). {kind}s are written on {place}: set `endpoint` to {hint}.",
            refusal.status,
            refusal.title,
            refusal.detail.trim(),
        ),
    ))
}

/// What an update or a delete finds when it reads the object before it writes, compared with
/// the state (the object as this workspace last read or wrote it).
pub enum Held {
    /// The same object, unchanged since: the server's copy, when it could be read.
    Unchanged(Option<serde_json::Value>),
    /// Gone: an update refuses (it never creates), a delete has nothing to do.
    Gone,
    /// Deleted and created again outside this workspace (another `creationTime`): someone
    /// else's object under the same name.
    Recreated {
        /// The server's `creationTime`.
        created: String,
    },
    /// Changed outside this workspace since the state was read (another `modificationTime`).
    Changed {
        /// The server's `modificationTime`.
        modified: String,
    },
    /// The control plane answered the read, but not with the object (a body that stalled,
    /// broke off or is too large, one that is not the object, a redirect loop): nothing tells
    /// whether the object is the state's, so nothing is written.
    Unreadable(ClientError),
}

/// A write's outcome, with a success whose body could not be read taken as the write it is (a
/// success status is the control plane's answer; only Kuma's warnings in the body are lost):
/// the answer, an empty one then, and the warning that says so.
pub fn written_unless_refused(
    written: Result<serde_json::Value, ClientError>,
    kind: &str,
    id: &str,
) -> Result<(serde_json::Value, Option<Diag>), ClientError> {
    match written {
        Ok(response) => Ok((response, None)),
        // A success status is the answer, whatever became of the body (`answer_lost` is
        // never true of a body: the status came).
        Err(
            e @ ClientError::Body {
                status: 200..=299, ..
            },
        ) => {
            let text = e.to_string();
            let warning = Diag::warning(
                format!("The {kind} {id} was written, but the control plane's answer could not be read"),
                format!(
                    "{}. The success status says the write was made, and the object is read back below; any warning Kuma returned with the write is lost.",
                    text.trim_end().trim_end_matches('.')
                ),
            );
            Ok((serde_json::Value::Object(Default::default()), Some(warning)))
        }
        Err(e) => Err(e),
    }
}

/// Whether a read failed although the endpoint answered, so that its answer cannot be judged:
/// not an outage (the write would fail the same way), an answer that is not the object.
fn answered_unreadably(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Body { .. } | ClientError::Decode { .. } | ClientError::Redirect { .. }
    )
}

/// The error of an update or a delete (`operation`) of the `kind` `id` whose read before the
/// write got an answer it cannot judge ([`Held::Unreadable`]).
pub fn unreadable_before_write(kind: &str, id: &str, operation: &str, error: &ClientError) -> Diag {
    let text = error.to_string();
    Diag::error(
        format!("Could not {operation} the {kind} {id}: the read before the write failed"),
        format!(
            "Before it writes, the provider reads the object to make sure it is the one in the state (never to undo a change made since, or to touch an object someone created again): {}. Without that answer nothing was written. Check the control plane (or the proxy in front of it), then run Terraform again.",
            text.trim_end().trim_end_matches('.')
        ),
    )
}

/// Read before an update or a delete and compare the object's `creationTime` and
/// `modificationTime` with the state's: Kuma's PUT and DELETE are unconditional, so this is what
/// keeps an apply from overwriting changes made after the plan (or from deleting an object that
/// someone created again under the same name). A value the state does not hold is not compared,
/// nor the modification time on a zone endpoint (status writes move it there); a read that
/// gets no answer lets the write go on and report what the server says, one answered with
/// something else than the object stops it ([`Held::Unreadable`]).
pub async fn held_on_server(configured: &Configured, path: &str, state: &Value) -> Held {
    let item = match configured.client.get_item(path).await {
        Ok(item) => item,
        Err(e) if e.is_not_found() => return Held::Gone,
        Err(e) if answered_unreadably(&e) => return Held::Unreadable(e),
        Err(_) => return Held::Unchanged(None),
    };
    if let Some(created) = created_again(&item, state) {
        return Held::Recreated { created };
    }
    // On a zone the status engine writes the object's status, which moves its modification
    // time too: only global's objects change by writes alone.
    if configured.mode != Some(Mode::Global) {
        return Held::Unchanged(Some(item));
    }
    let modified = item.get("modificationTime").and_then(|v| v.as_str());
    if let (Some(server), Some(known)) = (modified, state.get("modification_time").as_str()) {
        if server != known {
            return Held::Changed {
                modified: server.to_owned(),
            };
        }
    }
    Held::Unchanged(Some(item))
}

/// The error of an update that found [`Held::Recreated`], [`Held::Changed`] or [`Held::Gone`]:
/// the write would overwrite what someone else did, or create again an object someone
/// deleted (with new computed values the plan did not show: a new VIP in every zone), so it
/// does not happen. An update never creates; the next plan does, openly.
pub fn changed_since_read(kind: &str, id: &str, held: &Held, state: &Value) -> Diag {
    let was = |attribute: &str| state.get(attribute).as_str().unwrap_or("?").to_owned();
    match held {
        Held::Gone => Diag::error(
            format!("The {kind} {id} was deleted outside Terraform since it was last read"),
            format!(
                "The control plane has no {id} any more: it was deleted after this plan read it (between `terraform plan -out` and `terraform apply`, or while the apply waited for \"yes\"). An update does not create it again (a new object gets new computed values the plan did not show), so nothing was written. Run `terraform plan`: it shows the object as gone and plans to create it."
            ),
        ),
        Held::Recreated { created } => Diag::error(
            format!("The {kind} {id} was deleted and created again outside Terraform"),
            format!(
                "The control plane's {id} was created at {created}; the one in the state was created at {}. Writing would take over an object someone else created, so nothing was written. Run `terraform plan`: it shows the object as gone and refuses to create it over the other one, with how to import it.",
                was("creation_time"),
            ),
        ),
        _ => Diag::error(
            format!("The {kind} {id} changed outside Terraform since it was last read"),
            format!(
                "The control plane's {id} was modified at {}; the state holds the object as of {}. Writing the planned object would silently undo those changes, so nothing was written. Run `terraform plan` (or `terraform apply -refresh-only`) to see them, then apply again.",
                match held {
                    Held::Changed { modified } => modified.as_str(),
                    _ => "?",
                },
                was("modification_time"),
            ),
        ),
    }
}

/// The warning of a refresh that found the object deleted and created again outside this
/// workspace: the state's object is gone (the plan then refuses to create over the new one, and
/// says why: [`SeenRecreated`]).
pub fn recreated_elsewhere(
    configured: &Configured,
    kind: &str,
    id: &str,
    created: &str,
    state: &Value,
) -> Diag {
    configured.recreated.note(kind, id, created);
    Diag::warning(
        format!("The {kind} {id} was deleted and created again outside Terraform"),
        format!(
            "The control plane's {id} was created at {created}; the one in the state was created at {}. Terraform treats the object it managed as deleted and does not adopt the new one. To manage the new one, let Terraform forget the deleted one first (`terraform apply -refresh-only`, or `terraform state rm` the resource), then import it: `terraform import` and an `import {{}}` block refuse an address the state still holds.",
            state.get("creation_time").as_str().unwrap_or("?"),
        ),
    )
}

/// The error of a refresh (or an import) against a global control plane that finds a zone's
/// object there: global holds what a zone
/// wrote (origin label `zone`) as that zone's copy, refuses to change or delete it, and syncs
/// it back from the zone, so this provider (which writes on global) cannot manage it. The
/// origin rule is the core's (`kds::is_global_originated`).
pub fn zone_owned(
    configured: &Configured,
    item: &serde_json::Value,
    resource_type: ResourceType,
    id: &str,
) -> Option<Diag> {
    // On a zone endpoint (standalone, or a HostnameGenerator on a federated zone) the objects
    // this provider writes are the zone's own.
    if configured.mode != Some(Mode::Global) {
        return None;
    }
    // Only the labels: a refresh of every managed object goes through here.
    let labels: kuma_mzs_core::model::Labels =
        serde_json::from_value(item.get("labels")?.clone()).ok()?;
    if kuma_mzs_core::kds::is_global_originated_labels(&labels) {
        return None;
    }
    let resource = kuma_mzs_core::api::decode_value(resource_type, item.clone()).ok()?;
    let kind = resource_type.name();
    let zone = match resource.meta.zone() {
        "" => "its zone".to_owned(),
        zone => format!("zone {zone}"),
    };
    Some(Diag::error(
        format!("The {kind} {id} on global is {zone}'s"),
        format!(
            "A zone wrote it ({}: zone), so global holds a copy that it refuses to change or delete and that {zone} keeps in sync. Manage it on {zone}'s control plane, not with this provider: remove it from this configuration and its state (`terraform state rm <address>`).",
            kuma_mzs_core::model::labels::ORIGIN,
        ),
    ))
}

/// The warning of a destroy that found the object deleted and created again outside this
/// workspace: the other object is left in place, and the state forgets the one it managed.
pub fn left_in_place(kind: &str, id: &str, created: &str, state: &Value) -> Diag {
    Diag::warning(
        format!("Left the {kind} {id} in place: it is not the one Terraform created"),
        format!(
            "The control plane's {id} was created at {created}; the one in the state was created at {}, so it was deleted and created again outside Terraform. Destroying would delete someone else's object: it was not deleted, and Terraform no longer tracks it.",
            state.get("creation_time").as_str().unwrap_or("?"),
        ),
    )
}

/// The server's `creationTime` when the object is another one than the state's: it differs
/// from the state's `creation_time`, and is not the state's `modification_time` either. (An
/// update that found the object gone created it again itself: Terraform keeps the planned
/// creation time in the state, while the modification time read back is the new object's
/// creation time, which Kuma sets to the same instant.)
pub fn created_again(item: &serde_json::Value, state: &Value) -> Option<String> {
    let server = item.get("creationTime").and_then(|v| v.as_str())?;
    let known = state.get("creation_time").as_str()?;
    let ours = server == known || state.get("modification_time").as_str() == Some(server);
    (!ours).then(|| server.to_owned())
}

/// An update's PUT carries the labels Kuma wrote itself as the server holds them, unless the
/// configuration sets them: the state hides them, and a PUT without one would ask Kuma to
/// remove it, which it refuses for an immutable label (the zone label, e.g. added by kumactl).
/// A label the prior state holds is the user's (the state shows such a key only when the
/// configuration set it): when it leaves the configuration it leaves the PUT, so it is removed
/// (removing an immutable one replaces the object instead, [`removed_immutable_labels`]).
/// When the object cannot be read the PUT goes as is and reports what the server says.
pub fn keep_server_labels(
    item: Option<&serde_json::Value>,
    prior: &Value,
    request: &mut serde_json::Value,
) {
    let users = prior.get("labels").as_string_map().unwrap_or_default();
    let Some(item) = item else {
        return;
    };
    let Some(serde_json::Value::Object(held)) = item.get("labels") else {
        return;
    };
    let Some(serde_json::Value::Object(sent)) = request.get_mut("labels") else {
        return;
    };
    for (key, value) in held {
        if kuma_mzs_core::server_labels::is_server_written(key)
            && !sent.contains_key(key)
            && !users.contains_key(key)
        {
            sent.insert(key.clone(), value.clone());
        }
    }
}

/// Labels for a request body (from configuration).
pub fn labels_json(labels: &Value) -> serde_json::Value {
    match labels.as_string_map() {
        Some(map) => serde_json::to_value(map).unwrap_or_default(),
        None => serde_json::Value::Object(Default::default()),
    }
}

/// A JSON string field.
pub fn json_str(item: &serde_json::Value, key: &str) -> Value {
    item.get(key)
        .and_then(|v| v.as_str())
        .map(Value::string)
        .unwrap_or(Value::Null)
}

/// An import ID whose name (or mesh) Kuma's REST layer would refuse is an error quoting Kuma's
/// rule, instead of Terraform's "Cannot import non-existent remote object".
pub fn refuse_invalid_key(id: &str, name: &str, mesh: Option<&str>) -> Result<(), Vec<Diag>> {
    let violations = kuma_mzs_core::api::validate_meta(name, mesh);
    if violations.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = violations
        .iter()
        .map(|v| format!("{}: {}", v.field, v.message))
        .collect();
    Err(vec![Diag::error(
        "Invalid import ID",
        format!(
            "{id:?} names no object Kuma could hold: {}",
            reasons.join("; ")
        ),
    )])
}

/// A resource ID in any supported form: `mesh/name` (ours), Kong kong-mesh's JSON object
/// `{"mesh":"...","name":"..."}`, a KRI (`kri_mzsvc_<mesh>_<zone>_<namespace>_<name>_`, for
/// `short_name` types only); a bare `name` means the default mesh.
pub fn parse_mesh_scoped_id(id: &str, short_name: &str) -> Result<(String, String), String> {
    let id = id.trim();
    if id.starts_with("kri_") {
        let kri = kuma_mzs_core::kri::parse(id).ok_or_else(|| {
            format!("{id:?} is not a KRI (kri_<type>_<mesh>_<zone>_<namespace>_<name>_<section>)")
        })?;
        if kri.short_name != short_name {
            let named = |short: &str| match ResourceType::from_short_name(short) {
                Some(t) => format!("a {} ({short:?})", t.name()),
                None => format!("a {short:?} resource"),
            };
            return Err(format!(
                "{id:?} identifies {}, not {}",
                named(&kri.short_name),
                named(short_name)
            ));
        }
        if !kri.section.is_empty() {
            return Err(format!(
                "{id:?} names the section {:?}; import the whole resource (end the KRI with `_`)",
                kri.section
            ));
        }
        // A zone makes it a zone's copy. A namespace alone does not: a global resource on
        // Kubernetes carries `k8s.kuma.io/namespace` (the system namespace) and Kuma reports it in
        // its own KRI, and resolves a zone-less KRI to the global object whatever the namespace.
        if !kri.zone.is_empty() {
            return Err(format!(
                "{id:?} names the zone {:?}: it identifies a zone's copy; import the global resource (kri_{short_name}_{}___{}_)",
                kri.zone, kri.mesh, kri.name
            ));
        }
        let mesh = if kri.mesh.is_empty() {
            kuma_mzs_core::defaults::DEFAULT_MESH.to_owned()
        } else {
            kri.mesh
        };
        return Ok((mesh, kri.name));
    }
    if id.starts_with('{') {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct JsonId {
            mesh: Option<String>,
            name: Option<String>,
        }
        let parsed: JsonId = serde_json::from_str(id).map_err(|e| {
            format!(
                "the ID looks like JSON but is not {{\"mesh\": \"...\", \"name\": \"...\"}}: {e}"
            )
        })?;
        let name = parsed
            .name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| "the JSON ID has no \"name\"".to_owned())?;
        return Ok((
            parsed
                .mesh
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| kuma_mzs_core::defaults::DEFAULT_MESH.into()),
            name,
        ));
    }
    match id.split_once('/') {
        Some((mesh, name)) if !mesh.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((mesh.to_owned(), name.to_owned()))
        }
        Some(_) => Err(format!("{id:?} is not of the form <mesh>/<name>")),
        None if !id.is_empty() => Ok((
            kuma_mzs_core::defaults::DEFAULT_MESH.to_owned(),
            id.to_owned(),
        )),
        None => Err("the ID is empty".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_take_compound_durations_and_errors_name_the_attribute() {
        let block = |key: &str, text: &str| {
            Value::object([("timeouts", Value::object([(key, Value::string(text))]))])
        };
        assert!(validate_timeouts(&block("create", "1m30s")).is_empty());
        assert!(validate_timeouts(&block("read", "1.5h")).is_empty());
        let diags = validate_timeouts(&block("update", "90 s"));
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].summary, "Invalid timeouts.update");
        assert_eq!(
            diags[0].path,
            vec![Step::Attr("timeouts".into()), Step::Attr("update".into())]
        );
    }

    #[test]
    fn a_change_of_timeouts_alone_plans_no_write_and_keeps_computed_values() {
        let prior = Value::object([
            ("name", Value::string("redis")),
            ("modification_time", Value::string("t1")),
            ("timeouts", Value::Null),
        ]);
        let proposed = |timeouts: Value, name: &str| {
            Value::object([
                ("name", Value::string(name)),
                ("modification_time", Value::string("t1")),
                ("timeouts", timeouts),
            ])
        };
        let deadline = Value::object([("update", Value::string("2m"))]);
        let plan = |proposed: &Value| {
            plan_common(
                &prior,
                proposed,
                proposed,
                &["modification_time"],
                &["modification_time"],
                |_, _| {},
                |_| {},
            )
        };

        let only_timeouts = proposed(deadline.clone(), "redis");
        assert!(changes_nothing_kuma_sees(&prior, &only_timeouts));
        assert!(!writes(&prior, &only_timeouts));
        let planned = plan(&only_timeouts);
        assert_eq!(planned.get("modification_time"), &Value::string("t1"));
        assert_eq!(planned.get("timeouts"), &deadline);

        let renamed = proposed(deadline, "other");
        assert!(!changes_nothing_kuma_sees(&prior, &renamed));
        assert!(writes(&prior, &renamed));
        assert!(plan(&renamed).get("modification_time").is_unknown());

        // No change, a create and a delete are not "only timeouts".
        assert!(!changes_nothing_kuma_sees(&prior, &prior));
        assert!(!writes(&prior, &prior));
        assert!(!changes_nothing_kuma_sees(&Value::Null, &only_timeouts));
        assert!(!changes_nothing_kuma_sees(&prior, &Value::Null));
    }

    #[test]
    fn import_ids_in_every_form() {
        let parse = |id| parse_mesh_scoped_id(id, "mzsvc");
        assert_eq!(
            parse("default/redis"),
            Ok(("default".into(), "redis".into()))
        );
        assert_eq!(
            parse(r#"{"mesh": "m1", "name": "redis"}"#),
            Ok(("m1".into(), "redis".into()))
        );
        assert_eq!(parse("redis"), Ok(("default".into(), "redis".into())));
        assert_eq!(
            parse("kri_mzsvc_m1___redis_"),
            Ok(("m1".into(), "redis".into()))
        );
        assert_eq!(
            parse("kri_msvc_default___redis_"),
            Err(r#""kri_msvc_default___redis_" identifies a MeshService ("msvc"), not a MeshMultiZoneService ("mzsvc")"#.into())
        );
        assert_eq!(
            parse("kri_dp_default___redis_"),
            Err(r#""kri_dp_default___redis_" identifies a "dp" resource, not a MeshMultiZoneService ("mzsvc")"#.into())
        );
        assert!(parse("kri_mzsvc_default_east__redis_").is_err());
        // What a Kubernetes global reports for its own MZS.
        assert_eq!(
            parse("kri_mzsvc_default__kuma-system_redis_"),
            Ok(("default".into(), "redis".into()))
        );
        assert!(parse("kri_mzsvc_default___redis_6379").is_err());
        assert!(parse(r#"{"mesh":"m","name":"r","zone":"x"}"#).is_err());
        assert!(parse("a/b/c").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn server_labels_never_show_unless_managed() {
        let server =
            serde_json::json!({"kuma.io/origin": "global", "kuma.io/mesh": "default", "team": "a"});
        assert_eq!(
            user_labels(Some(&server), &Value::Null),
            Value::object([("team", Value::string("a"))])
        );
        let managed = Value::object([("kuma.io/mesh", Value::string("default"))]);
        let got = user_labels(Some(&server), &managed);
        assert_eq!(got.get("kuma.io/mesh"), &Value::string("default"));
        // Nothing to show is `{}`, whether the configuration left `labels` unset or wrote `{}`.
        let only_server = serde_json::json!({"kuma.io/origin": "global"});
        let none = Value::Map(Default::default());
        assert_eq!(user_labels(Some(&only_server), &Value::Null), none);
        assert_eq!(user_labels(Some(&only_server), &none), none);
        assert_eq!(user_labels(None, &Value::Null), none);
    }

    /// `labels` unset and `labels = {}` are one object: unset is planned as `{}`, and a state
    /// holding either against a configuration with the other plans no write.
    #[test]
    fn unset_and_empty_labels_are_the_same() {
        let none = Value::Map(Default::default());
        let object =
            |labels: Value| Value::object([("name", Value::string("r")), ("labels", labels)]);
        let mut planned = object(Value::Null);
        default_labels(&mut planned, &object(Value::Null));
        assert_eq!(planned.get("labels"), &none);
        // Set, unknown or not, it is the configuration's.
        let mut set = object(Value::Unknown);
        default_labels(&mut set, &object(Value::Unknown));
        assert!(set.get("labels").is_unknown());
        // A state written with unset labels (null) planned as `{}`: no write.
        assert!(!writes(&object(Value::Null), &object(none.clone())));
        assert!(!writes(&object(none.clone()), &object(Value::Null)));
        assert!(writes(
            &object(none),
            &object(Value::object([("team", Value::string("a"))]))
        ));
    }

    fn labelled(name: Value, labels: &[(&str, &str)]) -> Value {
        Value::object([
            ("name", name),
            ("mesh", Value::Null),
            (
                "labels",
                Value::object(labels.iter().map(|(k, v)| (*k, Value::string(*v)))),
            ),
        ])
    }

    fn zone(federated: bool) -> Mode {
        Mode::Zone {
            name: "east".to_owned(),
            federated,
        }
    }

    #[test]
    fn a_label_kuma_replaces_on_every_write_is_an_error_on_that_label() {
        use kuma_mzs_core::model::labels::{DISPLAY_NAME, MESH, ORIGIN, ZONE};
        let mzs = ResourceType::MeshMultiZoneService;
        let before = modes_before_configure();
        let config = labelled(Value::string("lbl3"), &[(DISPLAY_NAME, "other")]);
        for modes in [&before[..], &[Mode::Global], &[zone(true)]] {
            let diags = overwritten_labels(&config, modes, &V3, mzs, true);
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert_eq!(
                diags[0].path,
                vec![Step::Attr("labels".into()), Step::Key(DISPLAY_NAME.into())]
            );
            assert!(diags[0]
                .detail
                .contains("from the resource's `name` (\"lbl3\")"));
            assert!(diags[0].detail.contains("\"lbl3\" -> \"other\""));
            assert!(diags[0].detail.contains("Remove"));
        }
        // What Kuma writes anyway, and labels Kuma only fills when absent, are fine.
        let harmless = labelled(
            Value::string("lbl3"),
            &[
                (DISPLAY_NAME, "lbl3"),
                (ORIGIN, "global"),
                (MESH, "other-mesh"),
                (ZONE, "west"),
                ("team", "a"),
            ],
        );
        assert_eq!(
            overwritten_labels(&harmless, &[Mode::Global], &V3, mzs, true),
            []
        );
        // `kuma.io/origin = "global"` is replaced on a zone only: an error once the endpoint is
        // known to be a zone, not before.
        assert_eq!(overwritten_labels(&harmless, &before, &V3, mzs, true), []);
        let on_zone = overwritten_labels(&harmless, &[zone(false)], &V3, mzs, true);
        assert_eq!(on_zone.len(), 1, "{on_zone:?}");
        assert_eq!(on_zone[0].path[1], Step::Key(ORIGIN.into()));
        // A name not known yet cannot be compared.
        let unknown = labelled(Value::Unknown, &[(DISPLAY_NAME, "other")]);
        assert_eq!(overwritten_labels(&unknown, &before, &V3, mzs, true), []);
        let hg = ResourceType::HostnameGenerator;
        assert_eq!(
            overwritten_labels(&config, &before, &V3, hg, false).len(),
            1
        );
    }

    const V3: [KumaVersion; 1] = [KumaVersion::V3_0];

    #[test]
    fn a_display_name_other_than_the_name_is_an_error_only_where_the_release_replaces_it() {
        use kuma_mzs_core::model::labels::DISPLAY_NAME;
        let mzs = ResourceType::MeshMultiZoneService;
        let config = labelled(Value::string("lbl3"), &[(DISPLAY_NAME, "other")]);
        // 2.x stores a written display name as is (v2.14.3 put_immutable_displayname_00).
        for version in [KumaVersion::V2_9, KumaVersion::V2_13, KumaVersion::V2_14] {
            assert_eq!(
                overwritten_labels(&config, &[Mode::Global], &[version], mzs, true),
                []
            );
        }
        // Before the release is known, only what every release replaces is an error.
        assert_eq!(
            overwritten_labels(
                &config,
                &modes_before_configure(),
                &KumaVersion::ALL,
                mzs,
                true
            ),
            []
        );
        assert_eq!(
            overwritten_labels(&config, &[Mode::Global], &V3, mzs, true).len(),
            1
        );
    }

    /// Removing or changing `kuma.io/zone` is no update Kuma takes: a warning on the label, whose
    /// path the plan returns as `requires_replace` (Terraform replaces the object).
    #[test]
    fn removing_or_changing_the_zone_label_replaces_the_object_and_others_are_free() {
        use kuma_mzs_core::model::labels::{NAMESPACE, ZONE};
        let mzs = ResourceType::MeshMultiZoneService;
        let ctx = PlanContext::default();
        let prior = labelled(Value::string("r"), &[(ZONE, "east"), (NAMESPACE, "ns1")]);
        let removed = labelled(Value::string("r"), &[("team", "a")]);
        let diags = removed_immutable_labels(&ctx, &prior, &removed, Default::default(), mzs, true);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(!diags[0].error);
        assert_eq!(
            diags[0].path,
            vec![Step::Attr("labels".into()), Step::Key(ZONE.into())]
        );
        assert_eq!(
            diags[0].summary,
            "Label \"kuma.io/zone\" cannot change in place: the MeshMultiZoneService is replaced"
        );
        assert!(
            diags[0]
                .detail
                .contains("is immutable, cannot be removed (was \"east\")"),
            "{}",
            diags[0].detail
        );
        // No advice that meets the same refusal.
        assert!(!diags[0].detail.contains("-replace"), "{}", diags[0].detail);
        let changed = labelled(Value::string("r"), &[(ZONE, "west")]);
        let diags = removed_immutable_labels(&ctx, &prior, &changed, Default::default(), mzs, true);
        assert!(diags[0].detail.contains("cannot be changed"), "{diags:?}");
        // Kept, or not known yet: nothing to say; a create has no prior labels.
        let kept = labelled(Value::string("r"), &[(ZONE, "east")]);
        assert_eq!(
            removed_immutable_labels(&ctx, &prior, &kept, Default::default(), mzs, true),
            []
        );
        let mut unknown = kept.clone();
        unknown.set(
            "labels",
            Value::object([(ZONE, Value::Unknown), ("x", Value::Unknown)]),
        );
        assert_eq!(
            removed_immutable_labels(&ctx, &prior, &unknown, Default::default(), mzs, true),
            []
        );
        unknown.set("labels", Value::Unknown);
        assert_eq!(
            removed_immutable_labels(&ctx, &prior, &unknown, Default::default(), mzs, true),
            []
        );
        assert_eq!(
            removed_immutable_labels(&ctx, &Value::Null, &removed, Default::default(), mzs, true),
            []
        );
    }

    #[test]
    fn only_what_the_endpoints_mode_refuses_is_refused_at_plan() {
        let Ok(crate::config::Configuration::Ready(configured)) = crate::config::configure(
            &Value::object([("endpoint", Value::string("http://127.0.0.1:1"))]),
        ) else {
            panic!("the provider configures");
        };
        let ctx = |mode: Option<Mode>| {
            let mut c = (*configured).clone();
            c.mode = mode;
            PlanContext {
                configured: Some(Arc::new(c)),
                ..PlanContext::default()
            }
        };
        let mzs = ResourceType::MeshMultiZoneService;
        let hg = ResourceType::HostnameGenerator;
        let refused = refused_by_endpoint(&ctx(Some(zone(true))), mzs);
        let refused = refused.map(|d| d.detail).unwrap_or_default();
        assert!(
            refused.contains("zone \"east\", connected to a global"),
            "{refused}"
        );
        assert!(refused.contains("405"), "{refused}");
        assert!(refused.contains("global control plane's API"), "{refused}");
        // HostnameGenerators on any zone; MZS on a zone of its own; anything when unknown.
        for (mode, resource_type) in [
            (Some(zone(true)), hg),
            (Some(zone(false)), hg),
            (Some(zone(false)), mzs),
            (Some(Mode::Global), mzs),
            (Some(Mode::Global), hg),
            (None, mzs),
        ] {
            assert!(
                refused_by_endpoint(&ctx(mode.clone()), resource_type).is_none(),
                "{mode:?} {resource_type:?}"
            );
        }
        assert!(refused_by_endpoint(&PlanContext::default(), mzs).is_none());
    }

    #[test]
    fn a_read_back_value_that_differs_from_the_plan_is_a_warning_naming_both() {
        let ty = Ty::object([
            ("creation_time", Ty::String),
            ("kri", Ty::String),
            (
                "zone_status",
                Ty::list(Ty::object([
                    ("vip", Ty::String),
                    ("hostnames", Ty::list(Ty::String)),
                ])),
            ),
        ]);
        let zone = |vip: Value, hostnames: &[&str]| {
            Value::object([("vip", vip), ("hostnames", Value::from_strings(hostnames))])
        };
        let planned = Value::object([
            ("creation_time", Value::string("old")),
            ("kri", Value::Unknown),
            (
                "zone_status",
                Value::List(vec![zone(Value::string("243.0.0.1"), &["a.mzs"])]),
            ),
        ]);
        let actual = Value::object([
            ("creation_time", Value::string("new")),
            ("kri", Value::string("kri_x")),
            (
                "zone_status",
                Value::List(vec![zone(Value::Null, &["a.mzs", "race.race"])]),
            ),
        ]);
        let (state, diags) = merge_applied(&planned, &actual, &ty);
        // Terraform's contract: the planned values stay, unknowns are filled.
        assert_eq!(state.get("creation_time"), &Value::string("old"));
        assert_eq!(state.get("kri"), &Value::string("kri_x"));
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(diags.iter().all(|d| !d.error));
        assert_eq!(diags[0].path, attr("creation_time"));
        assert!(diags[0].detail.contains("\"old\""), "{}", diags[0].detail);
        assert!(diags[0].detail.contains("\"new\""), "{}", diags[0].detail);
        assert!(diags[0].detail.contains("terraform apply -refresh-only"));
        // A zone read back as null (not read) is no difference; the hostnames are.
        assert_eq!(
            diags[1].path,
            vec![
                Step::Attr("zone_status".into()),
                Step::Index(0),
                Step::Attr("hostnames".into())
            ]
        );
        assert!(diags[1].summary.contains("`zone_status[0].hostnames`"));
        assert!(diags[1].detail.contains("race.race"));
        // Equal values say nothing.
        assert_eq!(merge_applied(&actual, &actual, &ty).1, []);
        // The same attribute of every zone differs (a generator the same apply added): one
        // warning that lists each zone's values.
        let two = |hostnames: &[&str]| {
            Value::object([
                ("creation_time", Value::string("old")),
                ("kri", Value::string("kri_x")),
                (
                    "zone_status",
                    Value::List(vec![
                        zone(Value::string("243.0.0.1"), hostnames),
                        zone(Value::string("243.0.0.2"), hostnames),
                    ]),
                ),
            ])
        };
        let (_, diags) = merge_applied(&two(&["a.mzs"]), &two(&["a.mzs", "a.extra"]), &ty);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].summary.contains("`zone_status[*].hostnames`"),
            "{}",
            diags[0].summary
        );
        assert!(
            diags[0].detail.contains(
                "`zone_status[0].hostnames`: planned [\"a.mzs\"], now [\"a.mzs\",\"a.extra\"]"
            ),
            "{}",
            diags[0].detail
        );
        assert!(
            diags[0].detail.contains("`zone_status[1].hostnames`"),
            "{}",
            diags[0].detail
        );
        assert!(
            diags[0].detail.contains("this same apply"),
            "{}",
            diags[0].detail
        );
    }

    /// A control plane that writes every PUT of `/meshes/default/meshmultizoneservices/x`
    /// (what `stores` makes of the body: the body itself, or someone else's object), and answers
    /// it only after `answer_after`; GET answers what it holds, with the labels and times the
    /// server adds.
    async fn slow_writer(
        stores: fn(serde_json::Value) -> serde_json::Value,
        answer_after: std::time::Duration,
    ) -> String {
        use axum::http::StatusCode;
        let held: Arc<std::sync::Mutex<Option<serde_json::Value>>> = Arc::default();
        let (put, get) = (Arc::clone(&held), held);
        let app = axum::Router::new().route(
            "/meshes/default/meshmultizoneservices/x",
            axum::routing::get(move || {
                let item = get.lock().ok().and_then(|h| h.clone());
                async move {
                    match item {
                        Some(item) => (StatusCode::OK, axum::Json(item)),
                        None => (
                            StatusCode::NOT_FOUND,
                            axum::Json(serde_json::json!({"title": "Not found"})),
                        ),
                    }
                }
            })
            .put(move |axum::Json(body): axum::Json<serde_json::Value>| {
                let mut item = stores(body);
                item["creationTime"] = serde_json::json!("2025-01-01T00:00:00Z");
                item["labels"][kuma_mzs_core::model::labels::ORIGIN] = serde_json::json!("global");
                if let Ok(mut held) = put.lock() {
                    *held = Some(item);
                }
                async move {
                    tokio::time::sleep(answer_after).await;
                    (StatusCode::CREATED, axum::Json(serde_json::json!({})))
                }
            }),
        );
        crate::test_server::serve(app).await
    }

    /// Only a success whose body could not be read is a write: an error status whose body
    /// could not be read, and a lost answer, are not taken as written.
    #[test]
    fn only_a_success_whose_body_could_not_be_read_is_taken_as_written() {
        use crate::client::BodyProblem;
        let body = |status: u16| ClientError::Body {
            endpoint: "http://cp:5681".into(),
            method: "PUT".into(),
            path: "/meshes/default/meshmultizoneservices/x".into(),
            status,
            problem: BodyProblem::Closed {
                received: 3,
                declared: Some(40),
                cause: "end of file".into(),
            },
        };
        for status in [200, 201] {
            let taken =
                written_unless_refused(Err(body(status)), "MeshMultiZoneService", "default/x");
            let Ok((answer, Some(warning))) = taken else {
                panic!("{status}: {taken:?}");
            };
            assert_eq!(answer, serde_json::json!({}));
            assert!(!warning.error);
            assert!(
                warning.detail.starts_with(&format!("Kuma API PUT /meshes/default/meshmultizoneservices/x at http://cp:5681 answered {status}, but the connection closed after 3 of 40 bytes")),
                "{}",
                warning.detail
            );
        }
        for refused in [
            body(400),
            body(500),
            ClientError::Transport {
                endpoint: "http://cp:5681".into(),
                message: "connection reset".into(),
                sent: true,
            },
        ] {
            let text = refused.to_string();
            let outcome = written_unless_refused(Err(refused), "MeshMultiZoneService", "default/x");
            assert!(outcome.is_err(), "{text}: taken as written");
        }
        let answered = written_unless_refused(Ok(serde_json::json!({"warnings": ["w"]})), "k", "i");
        assert!(matches!(answered, Ok((_, None))), "{answered:?}");
    }

    fn configured_at(endpoint: &str) -> Configured {
        let config = Value::object([
            ("endpoint", Value::string(endpoint)),
            ("max_retries", Value::int(0)),
        ]);
        match crate::config::configure(&config) {
            Ok(crate::config::Configuration::Ready(configured)) => (*configured).clone(),
            _ => panic!("the provider configures"),
        }
    }

    /// A create whose answer is lost (the create's own deadline passed while the control plane
    /// wrote it) is read back under a deadline of its own: holding what was sent, it is the
    /// create's; holding something else, it is an error saying how to import it.
    #[test]
    fn a_create_whose_answer_was_lost_is_read_back_and_taken_only_when_it_holds_what_was_sent() {
        crate::test_server::block_on(async {
            let request = serde_json::json!({
                "type": "MeshMultiZoneService", "mesh": "default", "name": "x",
                "labels": {"team": "a"},
                "spec": {"selector": {"meshService": {"matchLabels": {"app": "x"}}}, "ports": [{"port": 1.0}]}
            });
            let what = Importable {
                type_name: "kuma_mesh_multi_zone_service",
                kind: "MeshMultiZoneService",
                id: "default/x",
            };
            let path = "/meshes/default/meshmultizoneservices/x";
            let slow = std::time::Duration::from_secs(3);
            let deadline = std::time::Duration::from_millis(300);

            // The control plane wrote what was sent (a port number spelt `1`, not `1.0`).
            let as_sent = |mut body: serde_json::Value| {
                body["spec"]["ports"][0]["port"] = serde_json::json!(1);
                body
            };
            let endpoint = slow_writer(as_sent, slow).await;
            let configured = configured_at(&endpoint)
                .with_deadline(deadline, crate::client::DeadlineSetBy::ResourceTimeouts);
            let created = create_new(&configured, &what, path, &request, |i| i.clone()).await;
            match created {
                Ok(Created::AnswerLost { item, error }) => {
                    assert_eq!(item["creationTime"], "2025-01-01T00:00:00Z");
                    assert!(matches!(error, ClientError::Deadline { .. }), "{error}");
                    let warning = answer_lost_warning(what.kind, what.id, &error, true);
                    assert!(!warning.error);
                    assert!(warning.summary.contains("answer to the write was lost"));
                    assert!(
                        warning.detail.contains("recorded in the state as written"),
                        "{}",
                        warning.detail
                    );
                }
                other => panic!("not taken as written: {other:?}"),
            }

            // Someone else's object under the name: not ours, the error says how to import.
            let other = |mut body: serde_json::Value| {
                body["labels"] = serde_json::json!({"team": "other"});
                body
            };
            let endpoint = slow_writer(other, slow).await;
            let configured = configured_at(&endpoint)
                .with_deadline(deadline, crate::client::DeadlineSetBy::ResourceTimeouts);
            let created = create_new(&configured, &what, path, &request, |i| i.clone()).await;
            let Err(diags) = created else {
                panic!("took another's object: {created:?}");
            };
            let [error] = diags.as_slice() else {
                panic!("one error: {diags:?}");
            };
            assert!(error.error);
            assert_eq!(
                error.summary,
                "Could not create the MeshMultiZoneService default/x"
            );
            for words in [
                "The create got no answer: gave up on",
                "may have written the MeshMultiZoneService all the same",
                "holds something other than what was sent",
                "terraform import kuma_mesh_multi_zone_service.<resource name> 'default/x'",
            ] {
                assert!(error.detail.contains(words), "{words}: {}", error.detail);
            }
        });
    }

    /// A create whose answer was lost and whose object is not there (the control plane never
    /// wrote it; reads answer 404, slowly, as a distant control plane does) says so: not
    /// created, not on the server, an apply again is safe. Not the read's own deadline (a
    /// regression reported the last read, cut short by the 5 s, as "gave up ... 5s").
    #[test]
    fn a_lost_create_whose_object_is_not_there_says_it_was_not_created() {
        use axum::http::StatusCode;
        crate::test_server::block_on(async {
            let reads: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
            let counted = Arc::clone(&reads);
            let app = axum::Router::new().route(
                "/meshes/default/meshmultizoneservices/x",
                axum::routing::get(move || {
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async {
                        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
                        (
                            StatusCode::NOT_FOUND,
                            axum::Json(serde_json::json!({"title": "Not found"})),
                        )
                    }
                })
                .put(|| async {
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                    StatusCode::CREATED
                }),
            );
            let endpoint = crate::test_server::serve(app).await;
            let mut configured = configured_at(&endpoint).with_deadline(
                std::time::Duration::from_millis(300),
                crate::client::DeadlineSetBy::ResourceTimeouts,
            );
            // A control plane known to refuse a create over an existing object: no read first.
            configured.refuses_create_over_existing = true;
            let what = Importable {
                type_name: "kuma_mesh_multi_zone_service",
                kind: "MeshMultiZoneService",
                id: "default/x",
            };
            let request =
                serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": "x"});
            let path = "/meshes/default/meshmultizoneservices/x";
            let created = create_new(&configured, &what, path, &request, |i| i.clone()).await;
            let Err(diags) = created else {
                panic!("created: {created:?}");
            };
            let [error] = diags.as_slice() else {
                panic!("one error: {diags:?}");
            };
            assert!(error.error);
            assert_eq!(
                error.summary,
                "The create of the MeshMultiZoneService default/x was not confirmed"
            );
            let answered = reads.load(std::sync::atomic::Ordering::SeqCst);
            for words in [
                "The write got no answer (gave up on",
                &format!("and {answered} reads over"),
                &format!("of {endpoint} afterwards found no MeshMultiZoneService \"default/x\" (404 Not Found)"),
                "a 404 shows only that it is not there yet: the write may still be carried out by a request still in flight",
                "If the next plan says that MeshMultiZoneService \"default/x\" already exists, it is this workspace's own create, carried out late: import it with\n  terraform import kuma_mesh_multi_zone_service.<resource name> 'default/x'",
            ] {
                assert!(error.detail.contains(words), "{words}: {}", error.detail);
            }
            // A 404 does not show that nothing was written.
            for wrong in ["Nothing was created", "was not carried out", "is safe"] {
                assert!(!error.detail.contains(wrong), "{wrong}: {}", error.detail);
            }
            assert!(
                !error.detail.contains("5s"),
                "the read's own deadline is no part of it: {}",
                error.detail
            );
        });
    }

    /// A release unread at configure and once more, with no `kuma_version`: no release's rules
    /// are the plan's (every supported one's agreement instead), what only some releases refuse
    /// is a warning naming what `GET /` answered, and an unchanged object's refusal by every
    /// release names none. With `kuma_version`, its rules are the plan's.
    #[test]
    fn a_release_not_read_applies_what_every_release_agrees_on_and_says_why() {
        use crate::config::{Reread, Unread};
        let unread = Unread {
            error: "Kuma API GET / returned 503: no healthy upstream".into(),
            unreachable: false,
        };
        let ctx = |kuma_version: Option<&str>| {
            let mut config = vec![
                ("endpoint", Value::string("http://cp:5681")),
                ("max_retries", Value::int(0)),
            ];
            if let Some(v) = kuma_version {
                config.push(("kuma_version", Value::string(v)));
            }
            let Ok(crate::config::Configuration::Ready(configured)) =
                crate::config::configure(&Value::object(config))
            else {
                panic!("the provider configures");
            };
            let mut configured = (*configured).clone();
            configured.release_unread = Some(unread.clone());
            let _ = configured
                .release_reread
                .set(Reread::failed(unread.clone()));
            PlanContext {
                version: configured.kuma_version,
                configured: Some(Arc::new(configured)),
                ..PlanContext::default()
            }
        };
        let guessed = ctx(None);
        assert_eq!(guessed.rules_release(), None);
        assert_eq!(guessed.rule_versions(), KumaVersion::ALL.to_vec());
        let given = ctx(Some("2.14"));
        assert_eq!(given.rules_release(), Some(KumaVersion::V2_14));
        assert_eq!(given.rule_versions(), vec![KumaVersion::V2_14]);

        let Some((endpoint, cause)) = guessed.release_not_read() else {
            panic!("not read");
        };
        let refused = Diag::error(
            "Invalid MeshMultiZoneService: spec.ports[0].appProtocol",
            "kafka",
        )
        .at(attr("port"));
        let [warning] = release_not_read_warnings(vec![refused.clone()], &endpoint, &cause)
            .try_into()
            .unwrap_or_else(|d: Vec<Diag>| panic!("one warning: {d:?}"));
        assert!(!warning.error);
        assert_eq!(warning.path, refused.path);
        assert_eq!(
            warning.detail,
            "kafka\n\nSome supported Kuma releases refuse this and others accept it, and the control plane's release could not be read (`GET /` at http://cp:5681 failed: Kuma API GET / returned 503: no healthy upstream), so the control plane decides when it is written. Setting the provider's `kuma_version` to its release checks it at plan."
        );
        let [unchanged] = for_unchanged_object(vec![refused], guessed.rules_release())
            .try_into()
            .unwrap_or_else(|d: Vec<Diag>| panic!("one warning: {d:?}"));
        assert_eq!(
            unchanged.summary,
            "Kuma will refuse the next write of this object"
        );
        // A check holds where every release in force gives it.
        let only_3_0 = |v: KumaVersion| match v {
            KumaVersion::V3_0 => vec![Diag::error("x", "y").at(attr("port"))],
            _ => Vec::new(),
        };
        assert!(under_every(&guessed.rule_versions(), only_3_0).is_empty());
        assert_eq!(under_every(&[KumaVersion::V3_0], only_3_0).len(), 1);
    }

    /// A delete out of time says how to give it more time by what set its deadline: the
    /// provider's `operation_timeout` (no `timeouts.delete` in the state) is raised and the
    /// destroy run again, no apply; a stored `timeouts.delete` is stored anew by an apply aimed
    /// at this resource alone (`-target`, else the destroy's other resources come back) that
    /// skips the refresh.
    #[test]
    fn a_delete_out_of_time_says_how_to_raise_what_set_its_deadline() {
        use crate::client::DeadlineSetBy;
        let out_of_time = |stored: bool| ClientError::Deadline {
            endpoint: "http://cp:5681".into(),
            limit: std::time::Duration::from_secs(1),
            set_by: DeadlineSetBy::Delete { stored },
            elapsed: std::time::Duration::from_secs(1),
            last: Some("no answer".into()),
            endpoint_failed: false,
            sent: true,
        };
        let ty = mesh_multi_zone_service::TYPE_NAME;
        let [stored] = delete_failed(
            "MeshMultiZoneService",
            ty,
            "default/slow",
            &out_of_time(true),
        )
        .try_into()
        .unwrap_or_else(|d: Vec<Diag>| panic!("one error: {d:?}"));
        assert_eq!(
            stored.summary,
            "The delete of the MeshMultiZoneService default/slow was not confirmed"
        );
        assert!(
            stored.detail.contains("raise `timeouts.delete` in the configuration of the resource that manages the MeshMultiZoneService default/slow (put the resource back if it was removed)"),
            "{}",
            stored.detail
        );
        assert!(
            stored.detail.contains("\n  terraform apply -refresh=false -target=<its address>\nwith the resource's address, e.g. -target=kuma_mesh_multi_zone_service.<resource name>."),
            "{}",
            stored.detail
        );
        assert!(
            stored.detail.contains("Without `-target`, the apply would create again every other resource this destroy already removed"),
            "{}",
            stored.detail
        );
        assert!(
            !stored.detail.contains("run the same command again"),
            "{}",
            stored.detail
        );
        let [unstored] = delete_failed(
            "MeshMultiZoneService",
            ty,
            "default/slow",
            &out_of_time(false),
        )
        .try_into()
        .unwrap_or_else(|d: Vec<Diag>| panic!("one error: {d:?}"));
        assert!(
            unstored.detail.contains("raise the provider's `operation_timeout` and run the same command again (`terraform destroy`, or the apply that deleted the MeshMultiZoneService)"),
            "{}",
            unstored.detail
        );
        for wrong in [
            "add `timeouts.delete`",
            "raise `timeouts.delete`",
            "terraform apply -refresh=false",
        ] {
            assert!(
                !unstored.detail.contains(wrong),
                "{wrong}: {}",
                unstored.detail
            );
        }
    }

    /// A create check that cannot reach the control plane (a plan with `kuma_version`, so no
    /// release warning takes it in) leads with the cause, once.
    #[test]
    fn a_create_check_that_cannot_reach_the_control_plane_says_so_cause_first_once() {
        let refused = ClientError::Transport {
            endpoint: "http://cp:5681".into(),
            message: "connection refused".into(),
            sent: false,
        };
        let warning = create_check_warning(
            &configured_at("http://cp:5681"),
            "MeshMultiZoneService",
            &refused,
        );
        assert!(!warning.error);
        assert_eq!(
            warning.summary,
            "Cannot reach the Kuma control plane at http://cp:5681"
        );
        assert_eq!(
            warning.detail,
            "cannot reach the Kuma control plane at http://cp:5681: connection refused.\n\nSo this plan could not check whether the MeshMultiZoneService already exists; the apply checks before it writes, and cannot write until the control plane answers."
        );
        // Another failure keeps its own words.
        let answered = ClientError::Decode {
            path: "/x".into(),
            message: "not JSON".into(),
        };
        let warning = create_check_warning(
            &configured_at("http://cp:5681"),
            "MeshMultiZoneService",
            &answered,
        );
        assert_eq!(
            warning.summary,
            "Could not check whether the MeshMultiZoneService already exists"
        );
    }

    /// A plan that cannot read the release never both warns that "the apply checks again" and
    /// fails: an error (GET / answered an error) replaces the create check's warning; a warning
    /// (the control plane cannot be reached) takes it in, so the plan warns once, cause first.
    /// The error leads with the cause and says how to destroy, once.
    #[test]
    fn a_release_that_cannot_be_read_is_one_coherent_diagnostic_cause_first() {
        use crate::config::{NamesRelease, Unread};
        let refused = ClientError::Transport {
            endpoint: "http://cp:5681".into(),
            message: "connection refused".into(),
            sent: false,
        };
        let check = || {
            vec![create_check_warning(
                &configured_at("http://cp:5681"),
                "MeshMultiZoneService",
                &refused,
            )]
        };
        let configured = |unread: Unread, again: Option<Unread>| {
            let mut configured = configured_at("http://cp:5681");
            configured.release_unread = Some(unread);
            if let Some(again) = again {
                let _ = configured
                    .release_reread
                    .set(crate::config::Reread::failed(again));
            }
            PlanContext {
                configured: Some(Arc::new(configured)),
                ..PlanContext::default()
            }
        };
        let unreachable = Unread {
            error: refused.to_string(),
            unreachable: true,
        };
        let ctx = configured(unreachable.clone(), Some(unreachable.clone()));
        assert!(matches!(
            ctx.configured.as_ref().map(|c| c.names_release()),
            Some(NamesRelease::Unreachable(_))
        ));
        let (release, diag) = release_for_names(
            &ctx,
            "MeshMultiZoneService",
            "default/x",
            "`kri` and `snis`",
        );
        assert_eq!(release, None);
        let mut diags = check();
        with_release_diag(&mut diags, diag, "MeshMultiZoneService");
        let [warning] = diags.as_slice() else {
            panic!("one warning: {diags:?}");
        };
        assert!(!warning.error);
        assert_eq!(
            warning.summary,
            "Cannot reach the Kuma control plane at http://cp:5681"
        );
        assert!(
            warning.detail.starts_with(
                "cannot reach the Kuma control plane at http://cp:5681: connection refused.\n\n"
            ),
            "{}",
            warning.detail
        );
        assert!(warning.detail.contains("Nor could it check whether the MeshMultiZoneService already exists; the apply checks before it writes."), "{}", warning.detail);
        assert!(
            !warning.detail.contains("The apply checks again"),
            "{}",
            warning.detail
        );

        let answered = Unread {
            error: "Kuma API GET / returned 503: no healthy upstream".into(),
            unreachable: false,
        };
        let ctx = configured(answered.clone(), Some(answered));
        let (release, diag) = release_for_names(
            &ctx,
            "MeshMultiZoneService",
            "default/x",
            "`kri` and `snis`",
        );
        assert_eq!(release, None);
        let mut diags = check();
        with_release_diag(&mut diags, diag, "MeshMultiZoneService");
        let diags = for_destroy_too(diags);
        let [error] = diags.as_slice() else {
            panic!("one error: {diags:?}");
        };
        assert!(error.error);
        assert!(error.detail.starts_with("`GET /` at http://cp:5681, where a Kuma control plane tells its release, failed: Kuma API GET / returned 503: no healthy upstream (when the provider started, and again when asked once more).\n\nIf this stopped `terraform destroy`, run `terraform destroy -refresh=false`: it skips this plan."), "{}", error.detail);
        assert_eq!(
            error
                .detail
                .matches("terraform destroy -refresh=false")
                .count(),
            1,
            "{}",
            error.detail
        );
        assert!(
            !error.detail.contains("The apply checks again"),
            "{}",
            error.detail
        );
        // One name: "it depends".
        let (_, diag) = release_for_names(&ctx, "HostnameGenerator", "gen", "`kri`");
        let Some(ReleaseDiag::Unread(error)) = diag else {
            panic!("an error: {diag:?}");
        };
        assert!(
            error.detail.contains(
                "The plan shows the `kri` the control plane will give the HostnameGenerator, and it depends on its release."
            ),
            "{}",
            error.detail
        );
    }

    /// Every error of a plan that keeps an object ends with how to destroy without that plan
    /// (after a version hint, if any); warnings are left alone.
    #[test]
    fn plan_errors_end_with_how_to_destroy_without_the_plan() {
        let hinted = Diag::error("Invalid", "bad").with_hint(Some("Kuma 2.14 accepts this".into()));
        let diags = for_destroy_too(vec![hinted, Diag::warning("w", "fine")]);
        assert_eq!(
            diags[0].full_detail(),
            format!("bad\n\nHint: Kuma 2.14 accepts this\n\n{DESTROY_WITHOUT_REFRESH}")
        );
        assert_eq!(diags[1], Diag::warning("w", "fine"));
        assert!(DESTROY_WITHOUT_REFRESH.contains("`terraform destroy -refresh=false`"));
    }

    /// The "already exists" error of a create whose object this process's refresh found
    /// deleted and created again outside Terraform says that, not "created outside this
    /// workspace".
    #[test]
    fn already_exists_says_when_the_refresh_found_the_object_created_again() {
        let what = Importable {
            type_name: "kuma_hostname_generator",
            kind: "HostnameGenerator",
            id: "g",
        };
        let seen = SeenRecreated::default();
        assert_eq!(seen.get("HostnameGenerator", "g"), None);
        seen.note("HostnameGenerator", "g", "2025-01-02T00:00:00Z");
        let recreated = seen.get("HostnameGenerator", "g");
        let diag = already_exists(&what, "http://cp", recreated.as_deref());
        assert!(diag.error);
        assert_eq!(diag.path, attr("name"));
        assert!(
            diag.detail
                .contains("was deleted and created again outside Terraform")
                && diag.detail.contains("created at 2025-01-02T00:00:00Z")
                && diag.detail.contains("terraform apply -refresh-only"),
            "{}",
            diag.detail
        );
        assert!(
            diag.detail
                .contains("terraform import '<address of this resource>' 'g'"),
            "{}",
            diag.detail
        );
        assert!(
            !diag.detail.contains("create_before_destroy"),
            "{}",
            diag.detail
        );
        assert_eq!(seen.get("HostnameGenerator", "other"), None);
    }

    /// The plain "already exists" error: the cause in one sentence, then the import (command
    /// and block, at the resource's address, which the provider cannot know: said plainly,
    /// with an example of its shape in a module), one sentence for a `create_before_destroy`
    /// replacement (which Terraform's apply plans without the replacement's mark), and one
    /// for a `terraform destroy` it stopped (whose refresh plans creates too). Short; no claim
    /// that the resource does not manage the object.
    #[test]
    fn already_exists_leads_with_the_cause_and_is_short() {
        let what = Importable {
            type_name: "kuma_mesh_multi_zone_service",
            kind: "MeshMultiZoneService",
            id: "default/orders",
        };
        let diag = already_exists(&what, "http://cp", None);
        assert_eq!(
            diag.summary,
            "MeshMultiZoneService \"default/orders\" already exists"
        );
        assert!(
            diag.detail.starts_with(
                "http://cp already has the MeshMultiZoneService \"default/orders\", and creating it here would overwrite it.\n\n"
            ),
            "{}",
            diag.detail
        );
        for words in [
            "'module.x.kuma_mesh_multi_zone_service.this[\"orders\"]'",
            "terraform import '<address of this resource>' 'default/orders'",
            "import {\n    to = <address of this resource>\n    id = \"default/orders\"\n  }",
            "`create_before_destroy` stops here too",
            "terraform state rm '<address of this resource>'",
            "terraform destroy -refresh=false",
        ] {
            assert!(diag.detail.contains(words), "{words}: {}", diag.detail);
        }
        for wrong in ["does not manage", "<resource name>"] {
            assert!(!diag.detail.contains(wrong), "{wrong}: {}", diag.detail);
        }
        assert!(diag.detail.lines().count() <= 16, "{}", diag.detail);
        // The destroy advice is in it once: a plan's errors get no second one.
        let planned = for_destroy_too(vec![diag]);
        assert_eq!(
            planned[0]
                .detail
                .matches("terraform destroy -refresh=false")
                .count(),
            1
        );
    }

    #[test]
    fn apply_results_keep_known_planned_values_and_fill_unknowns() {
        let planned = Value::object([("a", Value::string("x")), ("b", Value::Unknown)]);
        let actual = Value::object([("a", Value::string("X")), ("b", Value::string("y"))]);
        let merged = merge_unknowns(&planned, &actual);
        assert_eq!(merged.get("a"), &Value::string("x"));
        assert_eq!(merged.get("b"), &Value::string("y"));
    }
}
