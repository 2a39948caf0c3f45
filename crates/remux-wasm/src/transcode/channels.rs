//! Channel order: decoders give their codec's order, FLAC (and MP4's `dfLa`) has one fixed
//! order per channel count (FLAC §9.1.3): 1 mono; 2 L R; 3 L R C; 4 FL FR BL BR;
//! 5 FL FR FC BL BR; 6 FL FR FC LFE BL BR; 7 FL FR FC LFE BC SL SR; 8 FL FR FC LFE BL BR SL SR.

/// `order[i]` is the decoder's channel that goes to FLAC channel `i`.
pub type Order = Vec<usize>;

/// No change.
pub fn identity(channels: usize) -> Order {
    (0..channels).collect()
}

/// AC-3 / E-AC-3 (A/52 Table 5.8): front channels in `acmod` order, then the LFE if `lfeon`.
pub fn ac3(acmod: u8, lfe: bool, channels: usize) -> Order {
    let fronts = match acmod {
        3 => vec![0, 2, 1],          // L C R -> L R C
        7 => vec![0, 2, 1, 3, 4],    // L C R Ls Rs -> L R C Ls Rs
        5 => vec![0, 2, 1, 3],       // L C R S -> L R C S (no exact FLAC 4.0 match)
        m => identity(match m {
            1 => 1,
            0 | 2 => 2,
            4 => 3,
            _ => 4,
        }),
    };
    with_lfe(fronts, lfe, channels)
}

/// DTS core (TS 102 114 Table 5-4 AMODE): primary channels, then the LFE.
pub fn dts(amode: u8, lfe: bool, channels: usize) -> Order {
    let fronts = match amode {
        5 => vec![1, 2, 0],          // C L R -> L R C
        7 => vec![1, 2, 0, 3],       // C L R S -> L R C S
        9 => vec![1, 2, 0, 3, 4],    // C L R SL SR -> L R C SL SR
        m => identity(match m {
            0 => 1,
            1..=4 => 2,
            6 => 3,
            _ => 4,
        }),
    };
    with_lfe(fronts, lfe, channels)
}

/// The fronts (decoder indices) plus the LFE as the decoder's last channel, put where FLAC
/// wants it: 4th of 6, 7 or 8 channels. Layouts FLAC has no place for keep the decoder's order.
fn with_lfe(fronts: Order, lfe: bool, channels: usize) -> Order {
    let mut o = fronts;
    if lfe {
        let l = o.len();
        if l == 5 {
            o.insert(3, l);
        } else {
            o.push(l);
        }
    }
    if o.len() != channels || o.iter().any(|&c| c >= channels) {
        return identity(channels);
    }
    o
}

/// Vorbis (Vorbis I spec §4.3.9).
pub fn vorbis(channels: usize) -> Order {
    match channels {
        3 => vec![0, 2, 1],                   // L C R
        5 => vec![0, 2, 1, 3, 4],             // FL FC FR RL RR
        6 => vec![0, 2, 1, 5, 3, 4],          // FL FC FR RL RR LFE
        7 => vec![0, 2, 1, 6, 5, 3, 4],       // FL FC FR SL SR RC LFE
        8 => vec![0, 2, 1, 7, 5, 6, 3, 4],    // FL FC FR SL SR RL RR LFE
        n => identity(n),
    }
}

/// Appends `frames` interleaved samples of `src` to `out`, reordered by `order`.
pub fn push_reordered(out: &mut Vec<f32>, src: &[f32], order: &[usize]) {
    let c = order.len();
    out.reserve(src.len());
    for frame in src.chunks_exact(c) {
        out.extend(order.iter().map(|&i| frame[i]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_one_puts_centre_third_and_lfe_fourth() {
        // A/52: L C R Ls Rs LFE.
        assert_eq!(ac3(7, true, 6), vec![0, 2, 1, 5, 3, 4]);
        // DTS: C L R SL SR LFE.
        assert_eq!(dts(9, true, 6), vec![1, 2, 0, 5, 3, 4]);
        assert_eq!(vorbis(6), vec![0, 2, 1, 5, 3, 4]);
        assert_eq!(ac3(2, false, 2), vec![0, 1]);
        // A count that does not match the layout keeps the decoder's order.
        assert_eq!(ac3(7, true, 8), identity(8));
    }
}
