//! The only place timestamps are repaired: decode timestamps derived from presentation
//! timestamps (MKV stores PTS only), monotonic DTS, durations.
