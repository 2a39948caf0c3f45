//! HTTP range requests: `fetch(url, { headers: { Range: "bytes=a-b" } })` into a `Vec<u8>`,
//! cancellable through one shared `AbortController`.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::js_message;

/// Fetches ranges of one URL. `abort()` cancels every request in flight and any made later.
pub struct RangeFetcher {
    url: String,
    controller: Option<AbortController>,
}

impl RangeFetcher {
    pub fn new(url: String) -> Self {
        RangeFetcher {
            url,
            controller: AbortController::new().ok(),
        }
    }

    /// The bytes `start..end` (end exclusive). The server should answer 206; a 200 with the
    /// whole file (a server without range support) is sliced. Errors are plain words; the
    /// server's JSON `{"error": ...}` message is used when there is one.
    pub async fn fetch(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        if end <= start {
            return Ok(Vec::new());
        }
        let window = web_sys::window().ok_or("no window (the player runs in a page)")?;
        let headers = Headers::new().map_err(|e| js_message(&e))?;
        headers
            .set("Range", &format!("bytes={}-{}", start, end - 1))
            .map_err(|e| js_message(&e))?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_headers_headers(&headers);
        if let Some(c) = &self.controller {
            init.set_signal(Some(&c.signal()));
        }
        let resp = JsFuture::from(window.fetch_with_str_and_init(&self.url, &init))
            .await
            .map_err(|e| {
                format!(
                    "could not download bytes {start}-{}: {}",
                    end - 1,
                    js_message(&e)
                )
            })?;
        let resp: Response = resp
            .dyn_into()
            .map_err(|_| "fetch did not return a response")?;
        let status = resp.status();
        let body = read_body(resp.array_buffer()).await.map_err(|e| {
            format!(
                "the download of bytes {start}-{} was interrupted: {e}",
                end - 1
            )
        })?;
        match status {
            206 => Ok(body),
            200 => {
                // No range support: the whole file came back.
                let s = (start as usize).min(body.len());
                let e = (end as usize).min(body.len());
                Ok(body[s..e].to_vec())
            }
            416 => Ok(Vec::new()),
            _ => Err(server_error(status, &body)),
        }
    }

    /// Cancels every request in flight; later requests fail at once.
    pub fn abort(&self) {
        if let Some(c) = &self.controller {
            c.abort();
        }
    }
}

async fn read_body(p: Result<Promise, wasm_bindgen::JsValue>) -> Result<Vec<u8>, String> {
    let p = p.map_err(|e| js_message(&e))?;
    let buf = JsFuture::from(p).await.map_err(|e| js_message(&e))?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// "the server answered 503: no peers have this piece" from a JSON error body, or the status.
fn server_error(status: u16, body: &[u8]) -> String {
    let msg = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .or_else(|| {
            let t = String::from_utf8_lossy(&body[..body.len().min(200)])
                .trim()
                .to_string();
            (!t.is_empty()).then_some(t)
        });
    match msg {
        Some(m) => format!("the server answered {status}: {m}"),
        None => format!("the server answered {status}"),
    }
}
