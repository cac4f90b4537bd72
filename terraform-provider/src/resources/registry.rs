//! Every managed resource type behind one trait, registered in one list: a new resource type is
//! one file implementing [`ManagedResource`] plus one line in [`managed`].

use crate::config::Configured;
use crate::diag::Diag;
use crate::schema::Schema;
use crate::value::Value;

use super::{hostname_generator, mesh_multi_zone_service, PlanContext, PlanOutcome};

/// What the provider needs of a managed resource type.
#[tonic::async_trait]
pub trait ManagedResource: Send + Sync {
    /// Terraform type name (`kuma_mesh_multi_zone_service`).
    fn type_name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Offline checks of a configuration (the provider is not configured yet, so the Kuma
    /// release is not known: errors only where every release agrees).
    fn validate(&self, config: &Value) -> Vec<Diag>;
    /// Plan a change.
    async fn plan(
        &self,
        ctx: &PlanContext,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> PlanOutcome;
    /// Apply a planned change.
    async fn apply(
        &self,
        configured: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> (Value, Vec<Diag>);
    /// Refresh (null when the object is gone).
    async fn read(&self, configured: &Configured, state: &Value) -> (Value, Vec<Diag>);
    /// The state an import id stands for.
    fn import(&self, id: &str) -> Result<Value, Vec<Diag>>;
    /// The error for an import whose object the control plane does not have (read found
    /// nothing), saying what is missing: Terraform's own "Cannot import non-existent remote
    /// object" names neither the object nor the reason.
    async fn missing_on_import(&self, configured: &Configured, state: &Value) -> Diag;
}

/// Every managed resource type the provider serves.
pub fn managed() -> [&'static dyn ManagedResource; 2] {
    [
        &mesh_multi_zone_service::MeshMultiZoneService,
        &hostname_generator::HostnameGenerator,
    ]
}
