//! Holes in buffered media: where a stuck playhead should go. Pure, so it is tested natively;
//! the player (wasm only) applies it in `player/holes.rs`.

/// The widest hole in the buffered ranges [`skip_hole`] jumps: wider than a few dropped
/// frames or audio packets at a fragment edge, narrower than anything a person would miss.
pub const MAX_HOLE_SECS: f64 = 1.0;

/// Where the playhead should go when it sits in a hole of `ranges` (sorted, in seconds) at
/// `t`: the start of the next range, if `t` is in no range (or within a frame of one's end)
/// and that range starts at most [`MAX_HOLE_SECS`] later, or is the first range (the
/// playhead is before all the media, however far).
pub fn hole_exit(ranges: &[(f64, f64)], t: f64) -> Option<f64> {
    // Inside a range with media still ahead of the playhead: no hole.
    if ranges.iter().any(|&(s, e)| s <= t + 0.01 && t < e - 0.05) {
        return None;
    }
    let next = ranges.iter().map(|r| r.0).find(|&s| s > t + 0.01)?;
    let first = ranges.first().map(|r| r.0) == Some(next);
    (next - t <= MAX_HOLE_SECS || first).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::hole_exit;

    #[test]
    fn inside_a_range_is_no_hole() {
        assert_eq!(hole_exit(&[(0.0, 3.0)], 1.0), None);
        assert_eq!(hole_exit(&[(0.478, 0.88), (1.0, 3.0)], 0.5), None);
    }

    #[test]
    fn before_the_first_media_goes_to_it_however_far() {
        assert_eq!(hole_exit(&[(0.478, 3.0)], 0.0), Some(0.478));
        assert_eq!(hole_exit(&[(5.0, 9.0)], 0.0), Some(5.0));
    }

    #[test]
    fn a_small_hole_is_jumped_at_its_edge() {
        let r = [(0.478, 0.88), (1.0, 3.0)];
        assert_eq!(hole_exit(&r, 0.88), Some(1.0));
        // Within a frame of the range's end counts as at the edge.
        assert_eq!(hole_exit(&r, 0.85), Some(1.0));
        assert_eq!(hole_exit(&r, 0.93), Some(1.0));
    }

    #[test]
    fn a_wide_hole_or_the_end_is_left_alone() {
        // Seconds of media missing: the fetch fills it, jumping would skip a scene.
        assert_eq!(hole_exit(&[(0.0, 2.0), (5.0, 9.0)], 2.0), None);
        assert_eq!(hole_exit(&[(0.0, 3.0)], 3.0), None);
        assert_eq!(hole_exit(&[], 0.0), None);
    }
}
