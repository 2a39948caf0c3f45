//! Typed time: every timestamp carries ticks in a [`TimeBase`]; never a bare float.
//!
//! A track's timestamps are [`Timestamp`]s (signed: decode timestamps may be negative before
//! the first presentation) in the track's own time base. Conversions between bases round to
//! the nearest tick and use 128-bit intermediates so they cannot overflow.

use std::fmt;

/// The length of one tick in seconds, as a fraction `num / den` (e.g. 1/1000 for MKV's
/// default millisecond timestamps, 1/90000 for MPEG, 1/48000 for 48 kHz audio).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeBase {
    pub num: u32,
    pub den: u32,
}

impl TimeBase {
    /// Panics if `num` or `den` is zero: a zero time base is a programming error, and
    /// demuxers must validate values read from files before building one.
    pub const fn new(num: u32, den: u32) -> Self {
        assert!(num != 0 && den != 0, "time base with a zero term");
        TimeBase { num, den }
    }

    /// Milliseconds: MKV's default TimestampScale (1 000 000 ns).
    pub const MILLIS: TimeBase = TimeBase::new(1, 1000);
    /// Nanoseconds.
    pub const NANOS: TimeBase = TimeBase::new(1, 1_000_000_000);

    /// Converts `ticks` of this base into ticks of `to`, rounding to nearest (half away from zero).
    pub fn rescale(self, ticks: i64, to: TimeBase) -> i64 {
        let n = ticks as i128 * self.num as i128 * to.den as i128;
        let d = self.den as i128 * to.num as i128;
        let q = if n >= 0 {
            (n + d / 2) / d
        } else {
            (n - d / 2) / d
        };
        q.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// Seconds as a float, for display and for the browser's `currentTime` only.
    pub fn seconds(self, ticks: i64) -> f64 {
        ticks as f64 * self.num as f64 / self.den as f64
    }

    /// Ticks of this base nearest to `secs` seconds (for seek targets coming from the browser).
    pub fn from_seconds(self, secs: f64) -> i64 {
        (secs * self.den as f64 / self.num as f64).round() as i64
    }
}

/// A point in time, in ticks of a track's time base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// A length of time, in ticks of a track's time base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub u64);

impl Timestamp {
    pub fn checked_add(self, d: Duration) -> Option<Timestamp> {
        i64::try_from(d.0)
            .ok()
            .and_then(|d| self.0.checked_add(d))
            .map(Timestamp)
    }
    /// `self - earlier` as a duration, or `None` if `earlier` is later than `self`.
    pub fn since(self, earlier: Timestamp) -> Option<Duration> {
        self.0
            .checked_sub(earlier.0)
            .and_then(|d| u64::try_from(d).ok())
            .map(Duration)
    }
    pub fn rescale(self, from: TimeBase, to: TimeBase) -> Timestamp {
        Timestamp(from.rescale(self.0, to))
    }
}

impl Duration {
    pub fn rescale(self, from: TimeBase, to: TimeBase) -> Duration {
        Duration(from.rescale(self.0.min(i64::MAX as u64) as i64, to).max(0) as u64)
    }
}

impl fmt::Display for TimeBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescale_rounds_to_nearest() {
        // 1 ms in a 90 kHz clock is 90 ticks.
        assert_eq!(TimeBase::MILLIS.rescale(1, TimeBase::new(1, 90_000)), 90);
        // 1001/30000 (29.97 fps frame) is 33.366.. ms, rounds to 33.
        assert_eq!(TimeBase::new(1001, 30_000).rescale(1, TimeBase::MILLIS), 33);
        // Negative values round symmetrically.
        assert_eq!(
            TimeBase::new(1001, 30_000).rescale(-1, TimeBase::MILLIS),
            -33
        );
        // 2 ticks of 1/3 s = 0.666 s -> 667 ms.
        assert_eq!(TimeBase::new(1, 3).rescale(2, TimeBase::MILLIS), 667);
    }

    #[test]
    fn rescale_does_not_overflow() {
        let big = i64::MAX / 2;
        assert_eq!(TimeBase::NANOS.rescale(big, TimeBase::NANOS), big);
        assert_eq!(
            TimeBase::new(1, 1).rescale(i64::MAX, TimeBase::NANOS),
            i64::MAX
        );
    }

    #[test]
    fn timestamp_arithmetic_is_checked() {
        assert_eq!(Timestamp(5).since(Timestamp(7)), None);
        assert_eq!(Timestamp(7).since(Timestamp(5)), Some(Duration(2)));
        assert_eq!(Timestamp(i64::MAX).checked_add(Duration(1)), None);
        assert_eq!(Timestamp(-3).checked_add(Duration(5)), Some(Timestamp(2)));
    }
}
