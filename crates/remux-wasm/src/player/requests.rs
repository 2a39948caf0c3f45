//! The range requests in flight: each runs on its own (spawned), so the next range downloads
//! while the bytes that came are parsed and appended (see `Config::requests_in_flight`). The
//! [scheduler](super::scheduler) decides what to ask for; this queue keeps the requests, hands
//! their bytes to the cache, and picks the one the demuxer waits for.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::fetch::FetchError;
use super::scheduler::until_woken;
use super::Shared;
use crate::io::SparseCache;

/// A range request running on its own (spawned), so several can be in flight.
pub struct InFlight {
    pub start: u64,
    pub end: u64,
    /// Set when the request finishes.
    result: Rc<RefCell<Option<Result<Vec<u8>, FetchError>>>>,
    /// Resolves when `result` is set.
    done: Promise,
}

impl InFlight {
    pub fn spawn(shared: &Rc<Shared>, start: u64, end: u64) -> InFlight {
        let result = Rc::new(RefCell::new(None));
        let (sh, slot) = (shared.clone(), result.clone());
        let done = future_to_promise(async move {
            let r = sh.fetcher.fetch(start, end).await;
            *slot.borrow_mut() = Some(r);
            Ok(JsValue::UNDEFINED)
        });
        InFlight {
            start,
            end,
            result,
            done,
        }
    }

    fn covers(&self, offset: u64) -> bool {
        self.start <= offset && offset < self.end
    }

    pub fn finished(&self) -> bool {
        self.result.borrow().is_some()
    }

    async fn wait(self) -> Result<Vec<u8>, FetchError> {
        let _ = JsFuture::from(self.done).await;
        let r = self.result.borrow_mut().take();
        r.unwrap_or(Err(FetchError::Aborted))
    }

    /// Waits for the answer and puts its bytes into `cache`, counted in the status's
    /// `bytes_fetched`; a failed or aborted request leaves nothing.
    pub async fn store(self, cache: &mut SparseCache, shared: &Shared) {
        let start = self.start;
        if let Ok(bytes) = self.wait().await {
            let n = bytes.len() as u64;
            cache.insert(start, bytes);
            shared.update(|s| s.bytes_fetched += n);
        }
    }

    /// [`wait`](Self::wait), unless the page asks for a seek first: then `Aborted` at once
    /// (the request itself goes on until the seek's first request is answered).
    pub async fn wait_unless_seek(self, shared: &Shared) -> Result<Vec<u8>, FetchError> {
        while !self.finished() {
            if shared.seek_request.get().is_some() {
                return Err(FetchError::Aborted);
            }
            until_woken(&self.done).await;
        }
        self.wait().await
    }
}

/// The requests in flight, oldest first.
#[derive(Default)]
pub struct Requests {
    queue: VecDeque<InFlight>,
}

impl Requests {
    /// Forgets every request (a seek, a failure): their answers are not waited for.
    pub fn clear(&mut self) {
        self.queue.clear();
    }

    /// Puts the bytes of the finished requests into `cache`, except the one covering
    /// `offset` (the caller takes that one). A seek's cancelled requests finish as "aborted"
    /// and are dropped.
    pub async fn store_finished(&mut self, offset: u64, cache: &mut SparseCache, shared: &Shared) {
        let mut i = 0;
        while i < self.queue.len() {
            if self.queue[i].finished() && !self.queue[i].covers(offset) {
                if let Some(r) = self.queue.remove(i) {
                    r.store(cache, shared).await;
                }
            } else {
                i += 1;
            }
        }
    }

    /// The request for the byte at `offset`: the one in flight that covers it, taken out of
    /// the queue, or a new one for `plan()`'s range.
    pub fn take_covering(
        &mut self,
        shared: &Rc<Shared>,
        offset: u64,
        plan: impl FnOnce() -> (u64, u64),
    ) -> InFlight {
        match self.queue.iter().position(|r| r.covers(offset)) {
            Some(at) => self.queue.remove(at).expect("position is in the queue"),
            None => {
                let (start, end) = plan();
                super::fetch::trace("need", || format!("{offset}: fetch {start}-{end}"));
                InFlight::spawn(shared, start, end)
            }
        }
    }

    /// Asks for the ranges from `next` on, until `max` requests are going (counting the one
    /// being parsed), skipping ranges in flight; stops at `done(next)` (the end of the file,
    /// or bytes already held). `plan(next)` sizes each range.
    pub fn ask_ahead(
        &mut self,
        shared: &Rc<Shared>,
        mut next: u64,
        max: usize,
        done: impl Fn(u64) -> bool,
        plan: impl Fn(u64) -> (u64, u64),
    ) {
        while self.queue.len() + 1 < max.max(1) {
            if let Some(r) = self.queue.iter().find(|r| r.covers(next)) {
                next = r.end;
                continue;
            }
            if done(next) {
                break;
            }
            let (a, b) = plan(next);
            super::fetch::trace("ahead", || format!("fetch {a}-{b}"));
            self.queue.push_back(InFlight::spawn(shared, a, b));
            next = b;
        }
    }
}
