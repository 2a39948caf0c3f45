//! A small FLAC encoder (FLAC format, RFC 9639): each block becomes one frame whose
//! subframes are CONSTANT, FIXED (orders 0–4, the one with the least residual) with
//! partitioned Rice coding, or VERBATIM when that is smaller. No LPC and no stereo
//! decorrelation: decoded lossy audio carries little that either would win back, and the
//! encoder has to run many times faster than real time in the browser (docs/DESIGN.md).
//!
//! Frames use the variable-blocksize strategy (the header carries the first sample's number),
//! so blocks of any size (Vorbis packets vary) follow one another.

/// Samples are written with this many bits: float decoders' output rounded to 24 bits keeps
/// the rounding noise ~146 dB below full scale (16 bits would cap the match with a float
/// reference near 90 dB, less for quiet passages).
pub const BITS_PER_SAMPLE: u32 = 24;

/// Largest Rice parameter of the 5-bit parameter method (`11111` is the escape code).
const MAX_RICE_PARAM: u32 = 30;
/// Finest partition order tried (64 partitions).
const MAX_PARTITION_ORDER: u32 = 6;

/// Encodes blocks of interleaved 24-bit samples into FLAC frames.
pub struct FlacEncoder {
    sample_rate: u32,
    channels: usize,
    /// Number of the next block's first sample (per channel).
    next_sample: u64,
    bits: BitWriter,
    /// One channel's samples, widened, reused for every subframe.
    chan: Vec<i64>,
    residual: Vec<u64>,
}

impl FlacEncoder {
    /// `channels` from 1 to 8, `sample_rate` from 1 to 655350 Hz.
    pub fn new(sample_rate: u32, channels: usize) -> Self {
        FlacEncoder {
            sample_rate,
            channels,
            next_sample: 0,
            bits: BitWriter::default(),
            chan: Vec::new(),
            residual: Vec::new(),
        }
    }

    /// The 34-byte STREAMINFO body (FLAC §8.2) for blocks of `min_block..=max_block` samples;
    /// frame sizes, total samples and MD5 are "unknown" (0), as a stream encoded as it plays
    /// cannot know them.
    pub fn stream_info(&self, min_block: u16, max_block: u16) -> [u8; 34] {
        let mut b = [0u8; 34];
        b[0..2].copy_from_slice(&min_block.to_be_bytes()); // minimum block size
        b[2..4].copy_from_slice(&max_block.to_be_bytes()); // maximum block size
        // b[4..10]: minimum and maximum frame size, 24 bits each: 0 = unknown.
        let rate = self.sample_rate;
        let ch = self.channels as u32 - 1;
        let bps = BITS_PER_SAMPLE - 1;
        b[10] = (rate >> 12) as u8; // sample rate, 20 bits
        b[11] = (rate >> 4) as u8;
        b[12] = ((rate & 0xf) << 4) as u8 | (ch << 1) as u8 | (bps >> 4) as u8; // channels-1, bps-1
        b[13] = ((bps & 0xf) << 4) as u8; // bps-1 low bits; total samples (36 bits) = 0
        // b[18..34]: MD5 of the audio, all zero = not computed.
        b
    }

    /// `fLaC` + the STREAMINFO block as the last metadata block: an MKV-style FLAC
    /// CodecPrivate, what a FLAC [`Track`](crate::packet::Track) carries.
    pub fn codec_private(&self, min_block: u16, max_block: u16) -> Vec<u8> {
        let mut v = b"fLaC".to_vec();
        v.extend_from_slice(&[0x80, 0, 0, 34]); // last-metadata-block flag + STREAMINFO, length 34
        v.extend_from_slice(&self.stream_info(min_block, max_block));
        v
    }

    /// Restarts the sample numbering at `sample` (after a seek: numbers only need to grow).
    pub fn set_next_sample(&mut self, sample: u64) {
        self.next_sample = sample;
    }

    /// One FLAC frame holding `samples` (interleaved, `channels` per sample, each within
    /// 24 bits). At most 65535 samples per channel.
    pub fn encode(&mut self, samples: &[i32]) -> Vec<u8> {
        let n = samples.len() / self.channels;
        debug_assert!((1..=65535).contains(&n) && samples.len() == n * self.channels);
        let mut w = std::mem::take(&mut self.bits);
        w.clear();
        // Frame header (FLAC §9.1).
        w.put(0x7ffc, 15); // sync code 0b111111111111100
        w.put(1, 1); // blocking strategy: variable block size (header carries the sample number)
        w.put(0b0111, 4); // block size: 16-bit (blocksize - 1) at the end of the header
        w.put(rate_code(self.sample_rate), 4);
        w.put(self.channels as u64 - 1, 4); // channel assignment: independent channels
        w.put(0b110, 3); // sample size: 24 bits
        w.put(0, 1); // reserved
        put_utf8_number(&mut w, self.next_sample);
        w.put(n as u64 - 1, 16);
        match self.sample_rate {
            r if rate_code(r) == 0b1100 => w.put((r / 1000) as u64, 8),
            r if rate_code(r) == 0b1101 => w.put(r as u64, 16),
            r if rate_code(r) == 0b1110 => w.put((r / 10) as u64, 16),
            _ => {}
        }
        let crc8 = crc8(w.bytes());
        w.put(crc8 as u64, 8);
        for c in 0..self.channels {
            self.chan.clear();
            self.chan.extend(samples[c..].iter().step_by(self.channels).map(|&s| s as i64));
            encode_subframe(&mut w, &self.chan, &mut self.residual);
        }
        w.align();
        let crc16 = crc16(w.bytes());
        w.put(crc16 as u64, 16);
        self.next_sample += n as u64;
        let out = w.bytes().to_vec();
        self.bits = w;
        out
    }
}

/// The frame header's 4-bit sample rate code (FLAC §9.1.1.3).
fn rate_code(rate: u32) -> u64 {
    match rate {
        88200 => 0b0001,
        176400 => 0b0010,
        192000 => 0b0011,
        8000 => 0b0100,
        16000 => 0b0101,
        22050 => 0b0110,
        24000 => 0b0111,
        32000 => 0b1000,
        44100 => 0b1001,
        48000 => 0b1010,
        96000 => 0b1011,
        r if r % 1000 == 0 && r / 1000 <= 255 => 0b1100, // kHz in 8 bits at the end
        r if r <= 65535 => 0b1101,                       // Hz in 16 bits
        r if r % 10 == 0 && r / 10 <= 65535 => 0b1110,   // tens of Hz in 16 bits
        _ => 0b0000,                                     // from STREAMINFO
    }
}

/// The "UTF-8"-like coded number of FLAC §9.1.5 (up to 36 bits).
fn put_utf8_number(w: &mut BitWriter, v: u64) {
    if v < 0x80 {
        w.put(v, 8);
        return;
    }
    let mut len = 2;
    while len < 7 && v >= 1u64 << (5 * len + 1) {
        len += 1;
    }
    let lead_bits = 7 - len; // payload bits in the first byte
    let lead = (0xffu64 << (8 - len)) & 0xff;
    w.put(lead | (v >> (6 * (len - 1))) & ((1 << lead_bits) - 1), 8);
    for i in (0..len - 1).rev() {
        w.put(0x80 | (v >> (6 * i)) & 0x3f, 8);
    }
}

/// Residual of the fixed predictor of `order` (FLAC §9.2.5.2) at sample `i` (≥ order).
#[cfg(test)]
#[inline]
fn fixed_residual(x: &[i64], order: usize, i: usize) -> i64 {
    match order {
        0 => x[i],
        1 => x[i] - x[i - 1],
        2 => x[i] - 2 * x[i - 1] + x[i - 2],
        3 => x[i] - 3 * x[i - 1] + 3 * x[i - 2] - x[i - 3],
        _ => x[i] - 4 * x[i - 1] + 6 * x[i - 2] - 4 * x[i - 3] + x[i - 4],
    }
}

#[inline]
fn zigzag(r: i64) -> u64 {
    ((r << 1) ^ (r >> 63)) as u64
}

/// The Rice parameter for `len` values summing to `sum`, and the bits it would take
/// (estimated from the sum, as libFLAC does: exact enough to choose partitions).
#[inline]
fn rice_estimate(sum: u64, len: usize) -> (u32, u64) {
    let n = len as u64;
    if n == 0 {
        return (0, 0);
    }
    let k = if sum > n { (63 - (sum / n).leading_zeros()).min(MAX_RICE_PARAM) } else { 0 };
    (k, n * (k as u64 + 1) + (sum >> k))
}

/// Writes one subframe for the samples of one channel in `x`.
fn encode_subframe(w: &mut BitWriter, x: &[i64], residual: &mut Vec<u64>) {
    let n = x.len();
    let bps = BITS_PER_SAMPLE;
    if x.iter().all(|&s| s == x[0]) {
        w.put(0b0000_0000, 8); // zero pad, type CONSTANT, no wasted bits
        w.put_signed(x[0], bps);
        return;
    }
    if n <= 4 {
        verbatim(w, x);
        return;
    }
    // The fixed order with the least total absolute residual, all five in one pass over the
    // running differences (each order's residual is the difference of the one below).
    let mut sums = [0u64; 5];
    let (mut l0, mut l1, mut l2, mut l3) = (x[3], x[3] - x[2], x[3] - 2 * x[2] + x[1], x[3] - 3 * x[2] + 3 * x[1] - x[0]);
    for &v in &x[4..] {
        let e0 = v;
        let e1 = e0 - l0;
        let e2 = e1 - l1;
        let e3 = e2 - l2;
        let e4 = e3 - l3;
        sums[0] += e0.unsigned_abs();
        sums[1] += e1.unsigned_abs();
        sums[2] += e2.unsigned_abs();
        sums[3] += e3.unsigned_abs();
        sums[4] += e4.unsigned_abs();
        (l0, l1, l2, l3) = (e0, e1, e2, e3);
    }
    let order = (0..5).min_by_key(|&o| sums[o]).unwrap_or(0);
    residual.clear();
    match order {
        0 => residual.extend(x.iter().map(|&v| zigzag(v))),
        1 => residual.extend(x.windows(2).map(|w| zigzag(w[1] - w[0]))),
        2 => residual.extend(x.windows(3).map(|w| zigzag(w[2] - 2 * w[1] + w[0]))),
        3 => residual.extend(x.windows(4).map(|w| zigzag(w[3] - 3 * w[2] + 3 * w[1] - w[0]))),
        _ => residual.extend(
            x.windows(5).map(|w| zigzag(w[4] - 4 * w[3] + 6 * w[2] - 4 * w[1] + w[0])),
        ),
    }
    // Partition order: sums of the finest partitions, merged pairwise for coarser ones; the
    // order with the fewest estimated bits wins. Partitions must divide the block and the
    // first must hold more than the warm-up samples.
    let mut top = 0;
    while top < MAX_PARTITION_ORDER && n.is_multiple_of(1 << (top + 1)) && (n >> (top + 1)) > order {
        top += 1;
    }
    let per = n >> top;
    let mut part_sums: Vec<u64> = Vec::with_capacity(1 << top);
    let mut at = 0;
    for i in 0..1usize << top {
        let len = if i == 0 { per - order } else { per };
        part_sums.push(residual[at..at + len].iter().sum());
        at += len;
    }
    let mut best = (u64::MAX, 0u32);
    let mut sums_p = part_sums.clone();
    for p in (0..=top).rev() {
        let per = n >> p;
        let bits: u64 = sums_p
            .iter()
            .enumerate()
            .map(|(i, &s)| 5 + rice_estimate(s, if i == 0 { per - order } else { per }).1)
            .sum();
        if bits <= best.0 {
            best = (bits, p);
        }
        sums_p = sums_p.chunks(2).map(|c| c.iter().sum()).collect();
    }
    let (bits, p) = best;
    if bits + order as u64 * bps as u64 + 6 >= n as u64 * bps as u64 {
        verbatim(w, x);
        return;
    }
    w.put(0b0001_0000 | (order as u64) << 1, 8); // pad, type FIXED of `order`, no wasted bits
    for &s in &x[..order] {
        w.put_signed(s, bps); // warm-up samples
    }
    w.put(0b01, 2); // residual coding: partitioned Rice with 5-bit parameters
    w.put(p as u64, 4);
    let per = n >> p;
    let group = 1usize << (top - p); // finest partitions per chosen partition
    let mut at = 0;
    for i in 0..1usize << p {
        let len = if i == 0 { per - order } else { per };
        let sum: u64 = part_sums[i * group..(i + 1) * group].iter().sum();
        let (k, _) = rice_estimate(sum, len);
        w.put(k as u64, 5);
        for &v in &residual[at..at + len] {
            w.put_rice(v, k);
        }
        at += len;
    }
}

fn verbatim(w: &mut BitWriter, x: &[i64]) {
    w.put(0b0000_0010, 8); // pad, type VERBATIM, no wasted bits
    for &s in x {
        w.put_signed(s, BITS_PER_SAMPLE);
    }
}

/// MSB-first bit writer.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    /// Bits held in `acc` (fewer than 8 after every call).
    n: u32,
}

impl BitWriter {
    fn clear(&mut self) {
        self.out.clear();
        self.acc = 0;
        self.n = 0;
    }

    /// The low `bits` bits of `v` (`bits` ≤ 56; 48 with [`put_rice`](Self::put_rice)'s call).
    #[inline]
    fn put(&mut self, v: u64, bits: u32) {
        if bits == 0 {
            return;
        }
        self.acc = (self.acc << bits) | (v & ((1u64 << bits) - 1));
        self.n += bits;
        while self.n >= 8 {
            self.n -= 8;
            self.out.push((self.acc >> self.n) as u8);
        }
    }

    #[inline]
    fn put_signed(&mut self, v: i64, bits: u32) {
        self.put(v as u64, bits);
    }

    /// `v` Rice-coded with parameter `k`: `v >> k` zeros, a one, then the low `k` bits.
    #[inline]
    fn put_rice(&mut self, v: u64, k: u32) {
        let mut q = v >> k;
        if q + 1 + k as u64 <= 48 {
            // The usual case in one write: q zeros, the stop bit, the low k bits.
            self.put((1u64 << k) | (v & ((1u64 << k) - 1)), q as u32 + 1 + k);
            return;
        }
        while q >= 32 {
            self.put(0, 32);
            q -= 32;
        }
        self.put(1, q as u32 + 1);
        self.put(v, k);
    }

    fn align(&mut self) {
        if self.n > 0 {
            self.put(0, 8 - self.n);
        }
    }

    /// The whole bytes written so far.
    fn bytes(&self) -> &[u8] {
        &self.out
    }
}

/// CRC-8, polynomial x^8 + x^2 + x + 1 (FLAC frame header).
fn crc8(b: &[u8]) -> u8 {
    let mut c = 0u8;
    for &x in b {
        c ^= x;
        for _ in 0..8 {
            c = if c & 0x80 != 0 { (c << 1) ^ 0x07 } else { c << 1 };
        }
    }
    c
}

/// CRC-16, polynomial x^16 + x^15 + x^2 + 1 (whole FLAC frame).
fn crc16(b: &[u8]) -> u16 {
    let mut c = 0u16;
    for &x in b {
        c ^= (x as u16) << 8;
        for _ in 0..8 {
            c = if c & 0x8000 != 0 { (c << 1) ^ 0x8005 } else { c << 1 };
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FLAC decoder for the subset this encoder writes, to check it round-trips exactly.
    fn decode(frame: &[u8], channels: usize) -> Vec<i32> {
        struct R<'a>(&'a [u8], usize);
        impl R<'_> {
            fn get(&mut self, bits: u32) -> u64 {
                let mut v = 0;
                for _ in 0..bits {
                    let b = (self.0[self.1 / 8] >> (7 - self.1 % 8)) & 1;
                    v = v << 1 | b as u64;
                    self.1 += 1;
                }
                v
            }
            fn signed(&mut self, bits: u32) -> i64 {
                let v = self.get(bits);
                ((v << (64 - bits)) as i64) >> (64 - bits)
            }
        }
        assert_eq!(crc16(frame), 0, "frame CRC");
        let mut r = R(frame, 0);
        assert_eq!(r.get(16), 0xfff9);
        assert_eq!(r.get(4), 0b0111);
        r.get(4);
        assert_eq!(r.get(4) as usize, channels - 1);
        r.get(4);
        let first = r.get(8);
        for _ in 1..(first as u8).leading_ones().max(1) {
            r.get(8);
        }
        let n = r.get(16) as usize + 1;
        r.get(8);
        let mut chans = Vec::new();
        for _ in 0..channels {
            let kind = r.get(8);
            let mut x: Vec<i64> = Vec::new();
            match kind {
                0 => x = vec![r.signed(24); n],
                2 => x.extend((0..n).map(|_| r.signed(24))),
                t if t & 0b1111_0000 == 0b0001_0000 => {
                    let order = ((t >> 1) & 7) as usize;
                    x.extend((0..order).map(|_| r.signed(24)));
                    assert_eq!(r.get(2), 1);
                    let p = r.get(4);
                    for i in 0..1usize << p {
                        let len = (n >> p) - if i == 0 { order } else { 0 };
                        let k = r.get(5) as u32;
                        for _ in 0..len {
                            let mut q = 0;
                            while r.get(1) == 0 {
                                q += 1;
                            }
                            let u = (q << k) | r.get(k);
                            let res = ((u >> 1) as i64) ^ -((u & 1) as i64);
                            let i = x.len();
                            let pred = fixed_residual(&{
                                let mut y = x.clone();
                                y.push(0);
                                y
                            }, order, i);
                            x.push(res - pred);
                        }
                    }
                }
                t => panic!("unexpected subframe type {t:#x}"),
            }
            chans.push(x);
        }
        (0..n).flat_map(|i| chans.iter().map(move |c| c[i] as i32)).collect()
    }

    #[test]
    fn frames_decode_to_the_samples_encoded() {
        let mut enc = FlacEncoder::new(48000, 3);
        let n = 1536;
        let mut s = Vec::new();
        for i in 0..n {
            let t = i as f64 / 48000.0;
            s.push(((t * 440.0 * std::f64::consts::TAU).sin() * 4_000_000.0) as i32); // tone: FIXED
            s.push(1234); // constant: CONSTANT
            s.push(((i as i64 * 2_654_435_761) % 16_000_000 - 8_000_000) as i32); // noise: VERBATIM
        }
        let f = enc.encode(&s);
        assert_eq!(decode(&f, 3), s);
        assert!(f.len() < n * 3 * 3, "the tone and the constant channel are compressed");
        // A second, odd-sized block numbers its first sample after the first block.
        let f2 = enc.encode(&s[..3 * 37]);
        assert_eq!(decode(&f2, 3), &s[..3 * 37]);
        assert_eq!(&f2[4..6], &[0xc0 | (1536 >> 6) as u8, 0x80 | (1536 & 0x3f) as u8]);
    }

    #[test]
    fn sample_numbers_are_coded_like_utf8() {
        for (v, want) in [(0x7f, vec![0x7f]), (0x80, vec![0xc2, 0x80]), (0x10000, vec![0xf0, 0x90, 0x80, 0x80])] {
            let mut w = BitWriter::default();
            put_utf8_number(&mut w, v);
            assert_eq!(w.bytes(), want, "{v:#x}");
        }
    }
}
