//! How many chunk requests to keep outstanding with one peer.
//!
//! A fixed window is wrong both ways. Some peers send only on a timer (Transmission 3.00
//! answers queued requests on its 500 ms bandwidth tick), so their rate is proportional to
//! the window and a small one starves the download. Other peers are limited by their upload
//! rate, and every request beyond what they send in one round trip only waits in their
//! queue: a reader that seeks waits behind all of it.
//!
//! So the window is probed, per peer, like a congestion window: measure the rate over rounds
//! of `ROUND`, double the window while the rate grows with it (slow start), go back to the
//! last window that paid off when it stops growing, and from time to time try a larger
//! and a smaller window, keeping whichever delivers the same rate with the fewest requests
//! outstanding. Rounds in which the window was never full (choked, nothing to request,
//! waiting on a rate limiter) say nothing about the peer and are not counted.
//!
//! This file depends on `std` only, so its tests run on their own:
//! `rustc --edition 2021 --test request_window.rs -o /tmp/rw && /tmp/rw`.

use std::time::{Duration, Instant};

/// One measurement round. Long enough to hold two ticks of a peer that sends on a 500 ms
/// timer, so the measured rate does not depend on where the ticks fall.
pub(crate) const ROUND: Duration = Duration::from_secs(1);
/// A round also ends early, once it has brought this many bytes and at least
/// `FAST_ROUND_WINDOWS` windows' worth: a fast peer (hundreds of MB/s on a LAN) would
/// otherwise finish a film before slow start had doubled the window a few times. A peer that
/// sends one window per timer tick never brings several windows inside one tick, so its
/// rounds stay `ROUND` long; a peer capped at a few MB/s never brings `FAST_ROUND_BYTES`
/// before `ROUND` is over.
const FAST_ROUND_BYTES: u64 = 4 << 20;
const FAST_ROUND_WINDOWS: u64 = 4;
/// The shortest round: a rate measured over less is mostly noise.
const FAST_ROUND_MIN: Duration = Duration::from_millis(50);
/// The size of one chunk request.
const CHUNK_BYTES: u64 = 16 * 1024;
/// The window never drops below what the peer sends in this time at its measured rate. A
/// request queued behind that many waits at most this long, which a seek does not notice;
/// below it a fast peer idles whenever our process is not scheduled for a few milliseconds
/// (loopback on a loaded machine: a libtorrent seeder gave 70 MB/s at the window rate
/// growth alone chose, against 84-153 MB/s at a fixed 64 or 250, in the same minutes).
const QUEUE_FLOOR: Duration = Duration::from_millis(25);
/// Where a connection starts: small, so that the first requests after a seek are not queued
/// behind a deep pipeline before the window has learnt that depth pays off.
pub(crate) const START: usize = 16;
/// A doubling is kept when the rate grows by at least this factor.
const GROWTH: f64 = 1.25;
/// A probe to a larger window is kept when the rate grows by at least this factor.
const PROBE_UP_GAIN: f64 = 1.15;
/// A probe to a smaller window is kept when the rate stays above this share of the best
/// recent rate.
const PROBE_DOWN_KEEP: f64 = 0.9;
/// Steady rounds between two probes.
const PROBE_EVERY: u32 = 3;
/// The best recent rate forgets this share per round, so a peer that really slows down lets
/// the window shrink again.
const PEAK_DECAY: f64 = 0.85;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    SlowStart {
        /// The window and rate before the last doubling.
        previous: Option<(usize, f64)>,
    },
    Steady {
        rounds: u32,
        next_probe_up: bool,
    },
    Probe {
        from: usize,
        from_rate: f64,
        up: bool,
    },
}

#[derive(Debug)]
pub(crate) struct RequestWindow {
    min: usize,
    max: usize,
    window: usize,
    phase: Phase,
    /// Best rate (bytes/s) seen lately at the kept window; decays by `PEAK_DECAY` a round.
    peak: f64,
    round_start: Option<Instant>,
    round_bytes: u64,
    round_full: bool,
}

impl RequestWindow {
    /// A window that adapts between `min` and `max` (a fixed one when they are equal).
    pub(crate) fn new(min: usize, max: usize) -> Self {
        let max = max.max(1);
        let min = min.clamp(1, max);
        Self {
            min,
            max,
            window: START.clamp(min, max),
            phase: Phase::SlowStart { previous: None },
            peak: 0.0,
            round_start: None,
            round_bytes: 0,
            round_full: false,
        }
    }

    pub(crate) fn get(&self) -> usize {
        self.window
    }

    fn is_fixed(&self) -> bool {
        self.min == self.max
    }

    /// Lower the ceiling (the peer's `reqq`).
    pub(crate) fn cap(&mut self, max: usize) {
        let max = max.max(1);
        self.max = self.max.min(max);
        self.min = self.min.min(self.max);
        self.window = self.window.clamp(self.min, self.max);
    }

    /// A request was sent; `outstanding` counts it. A round counts only if the window was
    /// full at some point in it: otherwise the rate says nothing about what the peer can do.
    pub(crate) fn on_request_sent(&mut self, outstanding: usize, now: Instant) {
        if self.round_start.is_none() {
            self.round_start = Some(now);
        }
        if outstanding >= self.window {
            self.round_full = true;
        }
    }

    /// The peer choked us: what it sent in this round says nothing about the window.
    pub(crate) fn on_choked(&mut self) {
        self.round_start = None;
        self.round_bytes = 0;
        self.round_full = false;
    }

    /// A block arrived. Returns true when the window changed.
    pub(crate) fn on_block_received(&mut self, bytes: u64, now: Instant) -> bool {
        if self.is_fixed() {
            return false;
        }
        let Some(start) = self.round_start else {
            return false;
        };
        self.round_bytes += bytes;
        let elapsed = now.saturating_duration_since(start);
        let fast = elapsed >= FAST_ROUND_MIN
            && self.round_bytes >= FAST_ROUND_BYTES
            && self.round_bytes >= FAST_ROUND_WINDOWS * self.window as u64 * CHUNK_BYTES;
        if elapsed < ROUND && !fast {
            return false;
        }
        let rate = self.round_bytes as f64 / elapsed.as_secs_f64();
        let full = self.round_full;
        self.round_start = Some(now);
        self.round_bytes = 0;
        self.round_full = false;
        if !full {
            return false;
        }
        let before = self.window;
        self.end_round(rate);
        self.window != before
    }

    fn grow(&self) -> usize {
        (self.window * 2).min(self.max)
    }

    fn end_round(&mut self, rate: f64) {
        self.follow_rate(rate);
        let floor = (rate * QUEUE_FLOOR.as_secs_f64() / CHUNK_BYTES as f64).ceil() as usize;
        self.window = self.window.max(floor).clamp(self.min, self.max);
    }

    fn follow_rate(&mut self, rate: f64) {
        self.peak = (self.peak * PEAK_DECAY).max(rate);
        match self.phase {
            Phase::SlowStart { previous } => {
                let paid_off = previous.is_none_or(|(_, r)| rate >= r * GROWTH);
                if !paid_off {
                    let (w, r) = previous.unwrap();
                    self.window = w;
                    self.peak = r;
                    self.phase = Phase::Steady {
                        rounds: 0,
                        next_probe_up: false,
                    };
                } else if self.window >= self.max {
                    self.phase = Phase::Steady {
                        rounds: 0,
                        next_probe_up: false,
                    };
                } else {
                    self.phase = Phase::SlowStart {
                        previous: Some((self.window, rate)),
                    };
                    self.window = self.grow();
                }
            }
            Phase::Steady {
                rounds,
                next_probe_up,
            } => {
                let rounds = rounds + 1;
                if rounds < PROBE_EVERY {
                    self.phase = Phase::Steady {
                        rounds,
                        next_probe_up,
                    };
                    return;
                }
                let target = if next_probe_up {
                    (self.window + self.window.div_ceil(2)).min(self.max)
                } else {
                    (self.window * 3 / 4).max(self.min)
                };
                if target == self.window {
                    // Nothing to try that way: try the other next time.
                    self.phase = Phase::Steady {
                        rounds: 0,
                        next_probe_up: !next_probe_up,
                    };
                } else {
                    self.phase = Phase::Probe {
                        from: self.window,
                        from_rate: rate,
                        up: next_probe_up,
                    };
                    self.window = target;
                }
            }
            Phase::Probe {
                from,
                from_rate,
                up: true,
            } => {
                if rate >= from_rate * PROBE_UP_GAIN {
                    // More depth paid off: the peer is window-bound again, keep climbing.
                    self.phase = Phase::SlowStart {
                        previous: Some((self.window, rate)),
                    };
                    self.window = self.grow();
                } else {
                    self.window = from;
                    self.phase = Phase::Steady {
                        rounds: 0,
                        next_probe_up: false,
                    };
                }
            }
            Phase::Probe {
                from, up: false, ..
            } => {
                if rate >= self.peak * PROBE_DOWN_KEEP {
                    // Same rate with fewer requests queued: keep it, and try lower soon.
                    self.phase = Phase::Steady {
                        rounds: PROBE_EVERY - 1,
                        next_probe_up: false,
                    };
                } else {
                    self.window = from;
                    self.phase = Phase::Steady {
                        rounds: 0,
                        next_probe_up: true,
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: u64 = 16 * 1024;

    /// Runs `seconds` of a peer whose rate (bytes/s) depends on the window, in 10 ms steps,
    /// with the window always full. Returns the window after each second.
    fn run(w: &mut RequestWindow, seconds: u32, peer: impl Fn(usize) -> f64) -> Vec<usize> {
        let t0 = Instant::now();
        let mut t = t0;
        let mut owed = 0.0;
        let mut seen = Vec::new();
        for step in 1..=seconds * 100 {
            w.on_request_sent(w.get(), t);
            t = t0 + Duration::from_millis(step as u64 * 10);
            owed += peer(w.get()) * 0.01;
            while owed >= BLOCK as f64 {
                owed -= BLOCK as f64;
                w.on_block_received(BLOCK, t);
            }
            if step % 100 == 0 {
                seen.push(w.get());
            }
        }
        seen
    }

    /// Transmission 3.00: the whole window once per 500 ms tick.
    fn timer_bound(window: usize) -> f64 {
        window as f64 * BLOCK as f64 / 0.5
    }

    /// A seeder capped at `cap` bytes/s, 2 ms round trip.
    fn rate_capped(cap: f64) -> impl Fn(usize) -> f64 {
        move |window| (window as f64 * BLOCK as f64 / 0.002).min(cap)
    }

    #[test]
    fn grows_to_the_ceiling_for_a_peer_that_sends_on_a_timer() {
        let mut w = RequestWindow::new(4, 500);
        assert_eq!(w.get(), START);
        let seen = run(&mut w, 12, timer_bound);
        // 16 -> 32 -> 64 -> 128 -> 256 -> 500, one doubling a round.
        assert_eq!(&seen[..6], &[32, 64, 128, 256, 500, 500], "{seen:?}");
        // Probing down loses rate with such a peer, so it comes back to the ceiling.
        let later = run(&mut w, 30, timer_bound);
        assert!(
            later.iter().filter(|&&x| x == 500).count() >= 20,
            "{later:?}"
        );
        assert!(later.iter().all(|&x| x >= 375), "{later:?}");
    }

    /// A fast peer: the rate grows with the window up to `cap`, 5 ms round trip.
    fn fast(cap: f64) -> impl Fn(usize) -> f64 {
        move |window| (window as f64 * BLOCK as f64 / 0.005).min(cap)
    }

    /// Runs `ms` milliseconds of `peer` (10 ms steps, window always full); the window at the end.
    fn run_ms(w: &mut RequestWindow, ms: u32, peer: impl Fn(usize) -> f64) -> usize {
        let t0 = Instant::now();
        let mut owed = 0.0;
        for step in 1..=ms / 10 {
            let t = t0 + Duration::from_millis(step as u64 * 10);
            w.on_request_sent(w.get(), t - Duration::from_millis(10));
            owed += peer(w.get()) * 0.01;
            while owed >= BLOCK as f64 {
                owed -= BLOCK as f64;
                w.on_block_received(BLOCK, t);
            }
        }
        w.get()
    }

    #[test]
    fn grows_within_a_fraction_of_a_second_for_a_fast_peer() {
        // 16 requests of 16 KiB per 5 ms are 52 MB/s; the peer can give 400 MB/s, which a
        // 64 MB film at 1 s rounds would never see.
        let mut w = RequestWindow::new(4, 500);
        // Slow start reaches 128 (400 MB/s) and 256 does not pay off; the next probes
        // try 96 and come back, so the window is at least 64 whichever round 0.5 s ends in.
        let after = run_ms(&mut w, 500, fast(400e6));
        assert!(after >= 64, "window {after} after 0.5 s");
    }

    #[test]
    fn fast_rounds_do_not_grow_the_window_of_a_capped_peer() {
        // 30 MB/s: 16 requests per 5 ms already carry it; more only queue at the peer.
        let mut w = RequestWindow::new(4, 500);
        let seen = run(&mut w, 20, fast(30e6));
        assert!(seen.iter().all(|&x| x <= 64), "{seen:?}");
    }

    #[test]
    fn holds_a_few_milliseconds_of_a_fast_peers_rate() {
        // 70 MB/s whatever the window (16 requests per 2 ms already carry it), as a loopback
        // seeder on a busy machine: growth never pays off, but the window keeps 25 ms of it.
        let mut w = RequestWindow::new(4, 500);
        let seen = run(&mut w, 10, rate_capped(70e6));
        let floor = (70e6 * 0.025 / BLOCK as f64) as usize;
        assert!(seen[1..].iter().all(|&x| x >= floor), "{seen:?}");
    }

    #[test]
    fn stays_small_for_a_rate_capped_peer() {
        // 4 MB/s: 16 requests already more than cover the round trip.
        let mut w = RequestWindow::new(4, 500);
        let seen = run(&mut w, 30, rate_capped(4e6));
        assert!(seen.iter().all(|&x| x <= 32), "{seen:?}");
        // Probes down keep the rate, so it settles near the minimum.
        assert!(*seen.last().unwrap() <= 8, "{seen:?}");
    }

    #[test]
    fn shrinks_when_a_timer_bound_peer_becomes_rate_capped() {
        let mut w = RequestWindow::new(4, 500);
        run(&mut w, 10, timer_bound);
        assert_eq!(w.get(), 500);
        // The peer now uploads at 4 MB/s whatever we ask: 500 requests are 8 MB queued.
        let seen = run(&mut w, 90, rate_capped(4e6));
        assert!(*seen.last().unwrap() <= 32, "{seen:?}");
    }

    #[test]
    fn grows_again_when_a_capped_peer_becomes_timer_bound() {
        let mut w = RequestWindow::new(4, 500);
        run(&mut w, 30, rate_capped(4e6));
        let seen = run(&mut w, 60, timer_bound);
        assert!(*seen.last().unwrap() >= 375, "{seen:?}");
    }

    #[test]
    fn rounds_without_a_full_window_change_nothing() {
        let mut w = RequestWindow::new(4, 500);
        let t0 = Instant::now();
        for s in 0..20u64 {
            let t = t0 + Duration::from_secs(s);
            w.on_request_sent(1, t); // never more than one request outstanding
            assert!(!w.on_block_received(BLOCK, t + Duration::from_millis(999)));
            assert!(!w.on_block_received(BLOCK, t + Duration::from_secs(1)));
        }
        assert_eq!(w.get(), START);
    }

    #[test]
    fn a_fixed_window_never_moves() {
        let mut w = RequestWindow::new(64, 64);
        assert_eq!(run(&mut w, 10, timer_bound), vec![64; 10]);
        let w = RequestWindow::new(1000, 64);
        assert_eq!(w.get(), 64);
    }

    #[test]
    fn the_peers_reqq_caps_the_window() {
        let mut w = RequestWindow::new(4, 500);
        w.cap(100);
        let seen = run(&mut w, 10, timer_bound);
        assert!(seen.iter().all(|&x| x <= 100), "{seen:?}");
        assert_eq!(*seen.last().unwrap(), 100);
        let mut w = RequestWindow::new(4, 500);
        w.cap(2);
        assert_eq!(w.get(), 2);
    }

    #[test]
    fn a_choke_drops_the_round() {
        let mut w = RequestWindow::new(4, 500);
        let t0 = Instant::now();
        w.on_request_sent(START, t0);
        w.on_choked();
        // Without a new request after the choke no round is running.
        assert!(!w.on_block_received(BLOCK * 1000, t0 + Duration::from_secs(2)));
        assert_eq!(w.get(), START);
    }
}
