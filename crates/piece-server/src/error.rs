//! `ApiError`: an HTTP status chosen where the error happens, plus a plain-words message.
//! Rendered as `{"error": "<message>"}` with that status.

use axum::{
    http::{HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Extra response headers (a Vec keeps the error small; there are rarely any).
    headers: Vec<(HeaderName, HeaderValue)>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// Adds a response header (e.g. `Content-Range: bytes */len` on a 416).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = %self.status, "{}", self.message);
        } else {
            tracing::debug!(status = %self.status, "{}", self.message);
        }
        // No absolute local path leaves the server (`redact.rs`).
        let body = Json(serde_json::json!({ "error": crate::redact::paths(&self.message) }));
        let mut resp = (self.status, body).into_response();
        for (name, value) in self.headers {
            resp.headers_mut().insert(name, value);
        }
        resp
    }
}

/// Attaches a status (and a plain-words lead-in) to any error, at the call site.
pub trait WithStatus<T> {
    /// `what` says what we were doing; the underlying cause is appended.
    fn with_status(self, status: StatusCode, what: &str) -> ApiResult<T>;
}

impl<T, E: Into<anyhow::Error>> WithStatus<T> for Result<T, E> {
    fn with_status(self, status: StatusCode, what: &str) -> ApiResult<T> {
        self.map_err(|e| {
            let e: anyhow::Error = e.into();
            ApiError::new(status, format!("{what}: {e:#}"))
        })
    }
}
