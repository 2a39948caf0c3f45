//! Comparing the add token without telling an attacker anything through timing: both sides
//! are hashed (SHA-256) first and the digests compared in full, so the time taken depends
//! neither on where the first wrong byte is nor on the length of the real token.

/// SHA-256 of `s`.
fn digest(s: &str) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// True when `presented` equals `expected`.
pub(crate) fn same_secret(presented: &str, expected: &str) -> bool {
    let (a, b) = (digest(presented), digest(expected));
    // Every byte is looked at; `black_box` keeps the compiler from stopping early.
    std::hint::black_box(a.iter().zip(&b).fold(0u8, |acc, (x, y)| acc | (x ^ y))) == 0
}

#[cfg(test)]
mod tests {
    use super::same_secret;
    use std::time::{Duration, Instant};

    #[test]
    fn equal_and_different_secrets() {
        assert!(same_secret("s3cret", "s3cret"));
        assert!(!same_secret("s3cret", "s3cre7"));
        assert!(!same_secret("s3cret", "s3cret "));
        assert!(!same_secret("", "s3cret"));
    }

    /// Median time of `n` compares of `presented` against `expected`.
    fn median(presented: &str, expected: &str, n: usize) -> Duration {
        let mut t: Vec<Duration> = (0..n)
            .map(|_| {
                let t0 = Instant::now();
                std::hint::black_box(same_secret(
                    std::hint::black_box(presented),
                    std::hint::black_box(expected),
                ));
                t0.elapsed()
            })
            .collect();
        t.sort();
        t[n / 2]
    }

    /// The length of the real token does not show in the time: against a 256 KiB token, a
    /// wrong guess of the same length and one byte longer take the same time. (A plain compare
    /// answers the longer guess at once, without looking at a byte: 1000x faster.)
    #[test]
    fn the_token_length_does_not_show_in_the_time() {
        let expected = "k".repeat(256 * 1024);
        let same_len = format!("{}x", "k".repeat(256 * 1024 - 1));
        let longer = format!("{expected}x");
        let _ = median(&same_len, &expected, 5); // warm up
        let a = median(&same_len, &expected, 21);
        let b = median(&longer, &expected, 21);
        let ratio = a.as_secs_f64() / b.as_secs_f64();
        eprintln!("same length {a:?}, one longer {b:?}, ratio {ratio:.2}");
        assert!(
            (0.5..2.0).contains(&ratio),
            "same length {a:?} vs one longer {b:?}"
        );
    }
}
