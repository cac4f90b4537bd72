//! How a zone reaches global: directly in one process, or over HTTP(S) with deadlines and
//! read limits.

use std::sync::Arc;
use std::time::Duration;

use super::{PullBatch, PushAck, PushBatch, SyncError, MAX_BODY_BYTES, PULL_WAIT};
use crate::cp::ControlPlane;

/// How a zone reaches global.
#[derive(Clone)]
pub enum GlobalLink {
    /// Same process.
    InProcess(Arc<ControlPlane>),
    /// Another process, over HTTP(S).
    Http(HttpLink),
}

/// HTTP link to a global control plane.
#[derive(Clone)]
pub struct HttpLink {
    /// Base URL, e.g. `http://127.0.0.1:5681`.
    pub base_url: String,
    /// Token sent as `Authorization: Bearer`.
    pub token: String,
    agent: ureq::Agent,
}

impl HttpLink {
    /// A link; `ca_cert_pem` is trusted for HTTPS (self-signed global).
    pub fn new(base_url: &str, token: &str, ca_cert_pem: Option<&[u8]>) -> Self {
        let agent = ureq::Agent::config_builder()
            .tls_config(crate::tls::client_config(ca_cert_pem))
            .timeout_global(Some(PULL_WAIT + Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            agent,
        }
    }

    fn pull(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        after: Option<&str>,
    ) -> Result<PullBatch, SyncError> {
        fn encode(s: &str) -> percent_encoding::PercentEncode<'_> {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
        }
        let mut url = format!(
            "{}/_kds/v1/pull?zone={}&since={since}&epoch={}",
            self.base_url,
            encode(zone),
            encode(epoch),
        );
        if let Some(after) = after {
            url.push_str(&format!("&after={}", encode(after)));
        }
        let response = self
            .agent
            .get(&url)
            .header("Authorization", &self.authorization())
            .call();
        json_answer("pull", response)
    }

    fn push(&self, batch: &PushBatch) -> Result<PushAck, SyncError> {
        let url = format!("{}/_kds/v1/push", self.base_url);
        let response = self
            .agent
            .post(&url)
            .header("Authorization", &self.authorization())
            .send_json(batch);
        json_answer("push", response)
    }

    fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }
}

/// The JSON body of a KDS answer (read up to [`MAX_BODY_BYTES`]); anything but a 200 with that
/// body is a [`SyncError`] naming the call (`pull`, `push`), with global's error body when it
/// refused the request.
fn json_answer<T: serde::de::DeserializeOwned>(
    call: &'static str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<T, SyncError> {
    let mut response = response.map_err(|e| SyncError::Http(e.to_string()))?;
    let status = response.status();
    if status != 200 {
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .unwrap_or_default();
        return Err(SyncError::Refused {
            call,
            error: format!("{status}: {}", body.trim()),
        });
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES as u64)
        .read_json()
        .map_err(|e| SyncError::Http(format!("{call}: {e}")))
}

impl GlobalLink {
    pub(super) async fn pull(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        after: Option<&str>,
    ) -> Result<PullBatch, SyncError> {
        match self {
            GlobalLink::InProcess(global) => Ok(global
                .pull_batch_wait(zone, since, epoch, after, PULL_WAIT)
                .await),
            GlobalLink::Http(link) => {
                let link = link.clone();
                let (zone, epoch) = (zone.to_owned(), epoch.to_owned());
                let after = after.map(str::to_owned);
                tokio::task::spawn_blocking(move || {
                    link.pull(&zone, since, &epoch, after.as_deref())
                })
                .await
                .map_err(|e| SyncError::Http(e.to_string()))?
            }
        }
    }

    pub(super) async fn push(&self, batch: PushBatch) -> Result<PushAck, SyncError> {
        match self {
            GlobalLink::InProcess(global) => {
                let global = global.clone();
                tokio::task::spawn_blocking(move || global.apply_push(&batch))
                    .await
                    .map_err(|e| SyncError::Http(e.to_string()))?
                    .map_err(|e| SyncError::Refused {
                        call: "push",
                        error: e.to_string(),
                    })
            }
            GlobalLink::Http(link) => {
                let link = link.clone();
                tokio::task::spawn_blocking(move || link.push(&batch))
                    .await
                    .map_err(|e| SyncError::Http(e.to_string()))?
            }
        }
    }
}
