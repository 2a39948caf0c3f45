//! `GET|HEAD /api/torrents/{id}/files/{index}`: a file's raw bytes, with Range support.
//!
//! The body is read from librqbit's `FileStream`: we seek to the range start, and librqbit
//! prioritises the pieces from the stream's read position onwards (32 MiB ahead), so the
//! response starts as soon as the first piece is verified. A read of a missing piece stays
//! pending until it arrives. Dropping the response (client gone) drops the stream, which
//! releases its librqbit I/O permit and our stream slot. A response read to its end leaves
//! its stream open for a moment at the end position (`linger.rs`), so the pieces after it
//! keep their priority until the player's next request.

use std::{
    io::SeekFrom,
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    body::Body,
    extract::{ConnectInfo, Path, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncSeekExt, ReadBuf},
    sync::OwnedSemaphorePermit,
};
use tokio_util::io::ReaderStream;

use super::torrents::find_or_adopt;
use crate::{
    limits::{too_many, ClientSlot, Kind},
    range::{parse_range, RangeRequest},
    reconnect::ReaderGuard,
    ApiError, ApiResult, AppState, OpenGuard, WithStatus,
};

/// Size of each body chunk read from the stream.
const CHUNK_BYTES: usize = 64 * 1024;

/// Content-Type from the file extension.
pub fn content_type_for(path: &std::path::Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "mkv" => "video/x-matroska",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "avi" => "video/x-msvideo",
        _ => "application/octet-stream",
    }
}

/// An `AsyncRead` that also holds our stream-slot permit (and counts itself as open) for as
/// long as it lives.
struct PermitReader<R> {
    /// Taken at drop, for `on_end`.
    inner: Option<R>,
    /// Given the reader when the whole range was read (`linger.rs`).
    on_end: Option<Box<dyn FnOnce(R) + Send>>,
    _permit: OwnedSemaphorePermit,
    _open: OpenGuard,
    _reader: ReaderGuard,
    /// This client's share of `--max-streams-per-client`.
    _client: Option<ClientSlot>,
    /// For the debug timeline of a request (`RUST_LOG=piece_server::stream=debug`): its
    /// start offset and whether its first bytes have been read yet.
    trace: Trace,
    /// The torrent's egress count (`served.rs`).
    served: crate::served::ServedCounter,
}

/// A request's timeline as debug events (target `piece_server::stream`), each with the wall
/// clock in epoch milliseconds (`at_ms`) so it lines up with a browser's
/// `performance.timeOrigin + performance.now()`: the request arrived, its first bytes were
/// read (librqbit had the first piece), its last bytes were read.
struct Trace {
    start: u64,
    len: u64,
    got: u64,
    first: bool,
    last: bool,
}

impl Drop for Trace {
    fn drop(&mut self) {
        if !self.last {
            tracing::debug!(target: "piece_server::stream", at_ms = epoch_ms(), start = self.start, len = self.len, got = self.got, "dropped");
        }
    }
}

/// Wall clock, epoch milliseconds (for the debug timeline).
fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

impl<R: AsyncRead + Unpin> AsyncRead for PermitReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let r = Pin::new(inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let n = (buf.filled().len() - before) as u64;
            self.served.add(n);
            let t = &mut self.trace;
            t.got += n;
            if n > 0 && !t.first {
                t.first = true;
                tracing::debug!(target: "piece_server::stream", at_ms = epoch_ms(), start = t.start, len = t.len, "first bytes");
            }
            if (n == 0 || t.got >= t.len) && !t.last {
                t.last = true;
                tracing::debug!(target: "piece_server::stream", at_ms = epoch_ms(), start = t.start, len = t.len, got = t.got, "last bytes");
            }
        }
        r
    }
}

impl<R> Drop for PermitReader<R> {
    fn drop(&mut self) {
        if self.trace.got >= self.trace.len {
            if let (Some(inner), Some(on_end)) = (self.inner.take(), self.on_end.take()) {
                on_end(inner);
            }
        }
    }
}

pub async fn stream_file(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path((id, index)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let handle = find_or_adopt(&state, &id).await?;
    let index: usize = index
        .parse()
        .map_err(|_| ApiError::bad_request(format!("file index {index:?} is not a number")))?;
    let (file_len, file_path) = handle
        .with_metadata(|m| {
            let count = m.file_infos.len();
            m.file_infos
                .get(index)
                .filter(|fi| !fi.attrs.padding)
                .map(|fi| (fi.len, fi.relative_filename.clone()))
                .ok_or(count)
        })
        .with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "torrent metadata is not available",
        )?
        .map_err(|count| {
            ApiError::not_found(format!(
                "file index {index} does not exist: the torrent has {count} file(s), indexed from 0"
            ))
        })?;

    let range_header = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = parse_range(range_header, file_len);
    let mut out = HeaderMap::new();
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type_for(&file_path)),
    );
    let (status, start, len) = match range {
        RangeRequest::Full => (StatusCode::OK, 0, file_len),
        RangeRequest::Partial { start, end } => {
            out.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes {start}-{end}/{file_len}")).expect("ascii header"),
            );
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        RangeRequest::Unsatisfiable => {
            return Err(ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                format!(
                    "range {:?} cannot be served: the file is {file_len} bytes (valid: bytes=START-END, START-, -SUFFIX with START < {file_len})",
                    range_header.unwrap_or("")
                ),
            )
            .with_header(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{file_len}")).expect("ascii header"),
            ))
        }
    };
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(len));

    if method == Method::HEAD || len == 0 {
        return Ok((status, out, Body::empty()).into_response());
    }

    // This request takes over the file's priority: an ended stream held for it (linger.rs)
    // goes now, before the new one moves librqbit's priority to its position, and gives its
    // slot back before this request asks for one; a request of this file still open ends
    // without being held.
    let ticket = state.lingers.take_over(handle.info_hash(), index);

    // One client address gets at most its share, at once or never (429), so that it cannot
    // take every slot from other viewers. A share as large as the whole pool is no share: then
    // the pool's queue below decides, as for a single client.
    let cap = state.config.net.max_streams_per_client;
    let client = match client {
        Some(Extension(ConnectInfo(peer))) if cap < state.config.max_streams => Some(
            state
                .clients
                .try_take(peer.ip(), Kind::FileStream, cap)
                .ok_or_else(|| too_many("file streams", cap, "--max-streams-per-client"))?,
        ),
        _ => None,
    };
    // Over the cap, wait (in arrival order: tokio's semaphore is fair) for a slot to free up
    // rather than failing at once; only after `stream_wait` give up with 503.
    let wait = state.config.stream_wait();
    let Ok(Ok(permit)) = tokio::time::timeout(wait, state.streams.clone().acquire_owned()).await
    else {
        let message = format!(
            "too many file streams are open (limit {}, none freed within {} ms); close other \
             players or tabs and retry, or raise --max-streams (and --io-threads)",
            state.config.max_streams,
            wait.as_millis()
        );
        return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("1")));
    };
    tracing::debug!(target: "piece_server::stream", at_ms = epoch_ms(), id, index, start, len, "opening stream");
    let mut stream = handle.clone().stream(index).await.with_status(
        StatusCode::INTERNAL_SERVER_ERROR,
        "could not open the file stream",
    )?;
    stream.seek(SeekFrom::Start(start)).await.with_status(
        StatusCode::INTERNAL_SERVER_ERROR,
        "could not seek in the file stream",
    )?;
    let (lingers, slots, info_hash) = (
        state.lingers.clone(),
        state.streams.clone(),
        handle.info_hash(),
    );
    let linger = state.config.stream_linger();
    let reader = PermitReader {
        inner: Some(stream.take(len)),
        on_end: Some(Box::new(move |taken: tokio::io::Take<_>| {
            lingers.hold(info_hash, index, ticket, taken.into_inner(), &slots, linger)
        })),
        _permit: permit,
        _open: OpenGuard::new(&state.open, |c| &c.file_streams),
        _reader: ReaderGuard::new(&state.readers, handle.id()),
        _client: client,
        trace: Trace {
            start,
            len,
            got: 0,
            first: false,
            last: false,
        },
        served: state.served.counter(handle.info_hash()),
    };
    // A viewer watches this file: download the rest of it too (storage.rs). The body ends
    // when the torrent is deleted (routes/delete.rs).
    crate::storage::select_streamed(&state.session, &handle, index).await;
    let removed = state.removals.token(handle.info_hash()).cancelled_owned();
    let body = Body::from_stream(futures_util::StreamExt::take_until(
        ReaderStream::with_capacity(reader, CHUNK_BYTES),
        removed,
    ));
    Ok((status, out, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::content_type_for;

    #[test]
    fn content_types() {
        assert_eq!(content_type_for("a/b.MKV".as_ref()), "video/x-matroska");
        assert_eq!(content_type_for("x.mp4".as_ref()), "video/mp4");
        assert_eq!(content_type_for("x.webm".as_ref()), "video/webm");
        assert_eq!(content_type_for("x.avi".as_ref()), "video/x-msvideo");
        assert_eq!(content_type_for("x".as_ref()), "application/octet-stream");
    }
}
