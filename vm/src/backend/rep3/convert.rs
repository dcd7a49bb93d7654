//! Conversions between Boolean and arithmetic sharings, batched over every
//! conversion of a layer (their rounds run alongside the layer's ANDs and MULs).
//!
//! Both start from *trivial* sharings: party `i` knows the summands `x_i`
//! and `x_{i+1}` of `x`, so each summand `x_j` is a shared value in the other
//! domain whose only nonzero share is share `j` (known to the two parties
//! that hold it), at no cost.
//!
//! - B2A, per bit `b = b_0 ⊕ b_1 ⊕ b_2`: `T = b_0 ⊕ b_1 = b_0 + b_1 − 2 b_0 b_1`
//!   (round 0), `b = T ⊕ b_2 = T + b_2 − 2 T b_2` (round 1), then
//!   `Σ 2^i b_i`. Two multiplications per bit.
//! - A2B, for `x = x_0 + x_1 + x_2` over `m` bits: a carry-save adder gives
//!   sum bits `s = x_0 ⊕ x_1 ⊕ x_2` (the party's own shares, free) and carries
//!   `maj(x_0, x_1, x_2) = x_0 x_1 ⊕ x_1 x_2 ⊕ x_2 x_0`, whose 3-out-of-3 share
//!   `x_i ∧ x_{i+1}` party `i` computes alone (round 0); then `s + 2c` with a
//!   Kogge–Stone adder: generate bits `g = s ∧ c` (round 1) and `⌈log₂(m−2)⌉`
//!   prefix levels (rounds 2…). Bit 0 has no carry in and bit 1 none from
//!   bit 0 (`c_0 = 0`), so the prefix runs over bits `1..m−1`.

use super::engine::{and_share, lane, mul_share, Engine};
use super::program::{Bit, Layer};
use super::round::next_of;

/// The rounds an A2B conversion of `m` bits takes: the carry-save adder, the
/// generate bits, then Kogge–Stone levels over the `m − 2` middle carries.
pub(crate) fn a2b_rounds(m: usize) -> usize {
    match m {
        0 | 1 => 0,
        2 => 1,
        _ => 2 + (usize::BITS - (m - 3).leading_zeros()) as usize,
    }
}

/// The shares of the trivial sharing of party `j`'s summand (only share `j`
/// set), as party `me` holds it given its own two shares `(s0, s1)`.
#[inline]
fn trivial(me: usize, j: usize, s0: u64, s1: u64) -> (u64, u64) {
    (
        if j == me { s0 } else { 0 },
        if j == next_of(me) { s1 } else { 0 },
    )
}

/// Offsets (in words) of one A2B conversion's bit rows in the scratch pair.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region {
    /// Bits converted, and middle carries (`m − 2`).
    m: usize,
    l: usize,
    /// The input's arithmetic slot.
    input: usize,
    /// The sum bits (the party's shares, transposed), `m` rows.
    s: usize,
    /// The carry-save carries, `m` rows (row 0 stays zero).
    c: usize,
    /// Kogge–Stone generate and propagate of bits `1..m−1`, and the two
    /// products of a level, `l` rows each.
    g: usize,
    pp: usize,
    z: usize,
    z2: usize,
}

/// The secret bit operands of a layer's B2A conversions, in order.
fn b2a_bits(layer: &Layer) -> impl Iterator<Item = u32> + '_ {
    layer
        .b2a
        .iter()
        .flat_map(|g| g.bits.iter())
        .filter_map(|b| match *b {
            Bit::Secret(r) => Some(r),
            Bit::Known(_) => None,
        })
}

impl Engine<'_> {
    /// Lays out the conversion scratch of a layer and transposes the A2B
    /// inputs' shares into bit rows.
    pub(super) fn prepare_conversions(&mut self, layer: &Layer) {
        self.regions.clear();
        if layer.a2b.is_empty() && layer.b2a.is_empty() {
            return;
        }
        let (n, w) = (self.n, self.w);
        let mut size = 0;
        for g in &layer.a2b {
            let m = g.outs.len();
            let l = m.saturating_sub(2);
            self.regions.push(Region {
                m,
                l,
                input: g.input as usize,
                s: size,
                c: size + m * w,
                g: size + 2 * m * w,
                pp: size + (2 * m + l) * w,
                z: size + (2 * m + 2 * l) * w,
                z2: size + (2 * m + 3 * l) * w,
            });
            size += (2 * m + 4 * l) * w;
        }
        let q = b2a_bits(layer).count();
        self.b2a_t = size;
        self.b2a_u = size + q * n;
        size += 2 * q * n;
        self.cv0.clear();
        self.cv0.resize(size, 0);
        self.cv1.clear();
        self.cv1.resize(size, 0);
        if self.tmp.len() < n.max(w) {
            self.tmp.resize(n.max(w), 0);
        }
        for reg in &self.regions {
            let base = reg.input * n;
            for t in 0..n {
                let (v0, v1) = (self.a0[base + t], self.a1[base + t]);
                let (word, bit) = (t / 64, t % 64);
                for p in 0..reg.m {
                    self.cv0[reg.s + p * w + word] |= ((v0 >> p) & 1) << bit;
                    self.cv1[reg.s + p * w + word] |= ((v1 >> p) & 1) << bit;
                }
            }
        }
    }

    /// Round `r` of the layer's B2A conversions: with `send`, compute and
    /// send; otherwise read back and combine.
    pub(super) fn b2a_step(&mut self, layer: &Layer, r: usize, send: bool) {
        if r >= 2 || layer.b2a.is_empty() {
            return;
        }
        let Engine {
            me,
            n,
            w,
            rbits,
            b0,
            b1,
            io,
            alpha,
            cv0,
            cv1,
            tmp,
            b2a_t,
            b2a_u,
            ..
        } = self;
        let (me, n, w, rbits) = (*me, *n, *w, *rbits);
        for (q, reg) in b2a_bits(layer).enumerate() {
            let base = reg as usize * w;
            let (row0, row1) = (&b0[base..base + w], &b1[base..base + w]);
            let to = *b2a_t + q * n;
            let uo = *b2a_u + q * n;
            let z = if r == 0 { to } else { uo };
            if send {
                for t in 0..n {
                    let (s0, s1) = (lane(row0, t), lane(row1, t));
                    tmp[t] = if r == 0 {
                        let (x0, x1) = trivial(me, 0, s0, s1);
                        let (y0, y1) = trivial(me, 1, s0, s1);
                        mul_share(x0, x1, y0, y1)
                    } else {
                        let (y0, y1) = trivial(me, 2, s0, s1);
                        mul_share(cv0[to + t], cv1[to + t], y0, y1)
                    };
                }
                let (z0, z1) = (&mut cv0[z..z + n], &mut cv1[z..z + n]);
                io.share(alpha, &tmp[..n], z0, z1, rbits, u64::MAX, true);
            } else {
                io.take(&mut cv0[z..z + n], &mut cv1[z..z + n], rbits);
                for t in 0..n {
                    let (s0, s1) = (lane(row0, t), lane(row1, t));
                    if r == 0 {
                        // T = b_0 + b_1 − 2 b_0 b_1.
                        let (x0, x1) = trivial(me, 0, s0, s1);
                        let (y0, y1) = trivial(me, 1, s0, s1);
                        cv0[to + t] = x0.wrapping_add(y0).wrapping_sub(cv0[to + t] << 1);
                        cv1[to + t] = x1.wrapping_add(y1).wrapping_sub(cv1[to + t] << 1);
                    } else {
                        // b = T + b_2 − 2 T b_2.
                        let (y0, y1) = trivial(me, 2, s0, s1);
                        cv0[uo + t] = cv0[to + t].wrapping_add(y0).wrapping_sub(cv0[uo + t] << 1);
                        cv1[uo + t] = cv1[to + t].wrapping_add(y1).wrapping_sub(cv1[uo + t] << 1);
                    }
                }
            }
        }
    }

    /// Round `r` of the layer's A2B conversions (see the module documentation).
    pub(super) fn a2b_step(&mut self, r: usize, send: bool) {
        if self.regions.is_empty() {
            return;
        }
        let Engine {
            w,
            bbits,
            last,
            io,
            alpha,
            cv0,
            cv1,
            tmp,
            regions,
            ..
        } = self;
        let (w, bbits, last) = (*w, *bbits, *last);
        // One job: `tmp = x ∧ y` (or the carry share `x_i ∧ x_{i+1}` of row
        // `x`), shared into row `dst`; or read back.
        let mut job = |cv0: &mut Vec<u64>,
                       cv1: &mut Vec<u64>,
                       tmp: &mut Vec<u64>,
                       x: usize,
                       y: usize,
                       dst: usize,
                       carry: bool| {
            if send {
                for i in 0..w {
                    tmp[i] = if carry {
                        cv0[x + i] & cv1[x + i]
                    } else {
                        and_share(cv0[x + i], cv1[x + i], cv0[y + i], cv1[y + i])
                    };
                }
                let (z0, z1) = (&mut cv0[dst..dst + w], &mut cv1[dst..dst + w]);
                io.share(alpha, &tmp[..w], z0, z1, bbits, last, false);
            } else {
                io.take(&mut cv0[dst..dst + w], &mut cv1[dst..dst + w], bbits);
            }
        };
        for reg in regions.iter() {
            if r >= a2b_rounds(reg.m) {
                continue;
            }
            match r {
                0 => {
                    for p in 0..reg.m - 1 {
                        let row = reg.s + p * w;
                        job(cv0, cv1, tmp, row, row, reg.c + (p + 1) * w, true);
                    }
                }
                1 => {
                    for q in 0..reg.l {
                        let (x, y) = (reg.s + (q + 1) * w, reg.c + (q + 1) * w);
                        job(cv0, cv1, tmp, x, y, reg.g + q * w, false);
                        if !send {
                            for i in 0..w {
                                cv0[reg.pp + q * w + i] = cv0[x + i] ^ cv0[y + i];
                                cv1[reg.pp + q * w + i] = cv1[x + i] ^ cv1[y + i];
                            }
                        }
                    }
                }
                _ => {
                    // G[q] ⊕= P[q] ∧ G[q − d]; P[q] = P[q] ∧ P[q − d] (if a level follows).
                    let d = 1usize << (r - 2);
                    let more = 2 * d < reg.l;
                    for q in d..reg.l {
                        let pq = reg.pp + q * w;
                        let (gd, pd) = (reg.g + (q - d) * w, reg.pp + (q - d) * w);
                        job(cv0, cv1, tmp, pq, gd, reg.z + q * w, false);
                        if more {
                            job(cv0, cv1, tmp, pq, pd, reg.z2 + q * w, false);
                        }
                    }
                    if !send {
                        for q in d..reg.l {
                            for i in 0..w {
                                let (g, z) = (reg.g + q * w + i, reg.z + q * w + i);
                                cv0[g] ^= cv0[z];
                                cv1[g] ^= cv1[z];
                                if more {
                                    let (p, z2) = (reg.pp + q * w + i, reg.z2 + q * w + i);
                                    cv0[p] = cv0[z2];
                                    cv1[p] = cv1[z2];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Writes the conversions' results to their registers: A2B bit `p` is
    /// `s_p ⊕ c_p ⊕ G[p − 2]` (the carry into bit `p`), B2A the weighted sum
    /// of its bits plus its public bits (added to share 0 only).
    pub(super) fn finish_conversions(&mut self, layer: &Layer) {
        let (n, w, m0, m1) = (self.n, self.w, self.m0, self.m1);
        for (reg, g) in self.regions.iter().zip(&layer.a2b) {
            for (p, &out) in g.outs.iter().enumerate() {
                let o = out as usize * w;
                for i in 0..w {
                    let (s, c) = (reg.s + p * w + i, reg.c + p * w + i);
                    let mut v0 = self.cv0[s] ^ self.cv0[c];
                    let mut v1 = self.cv1[s] ^ self.cv1[c];
                    if p >= 2 {
                        v0 ^= self.cv0[reg.g + (p - 2) * w + i];
                        v1 ^= self.cv1[reg.g + (p - 2) * w + i];
                    }
                    self.b0[o + i] = v0;
                    self.b1[o + i] = v1;
                }
            }
        }
        let mut q = 0;
        for g in &layer.b2a {
            let o = g.out as usize * n;
            self.a0[o..o + n].fill(0);
            self.a1[o..o + n].fill(0);
            for (j, bit) in g.bits.iter().enumerate() {
                match *bit {
                    Bit::Secret(_) => {
                        let uo = self.b2a_u + q * n;
                        q += 1;
                        for t in 0..n {
                            self.a0[o + t] = self.a0[o + t].wrapping_add(self.cv0[uo + t] << j);
                            self.a1[o + t] = self.a1[o + t].wrapping_add(self.cv1[uo + t] << j);
                        }
                    }
                    Bit::Known(p) => {
                        let row = &self.pb[p as usize * w..(p as usize + 1) * w];
                        for t in 0..n {
                            let v = lane(row, t) << j;
                            self.a0[o + t] = self.a0[o + t].wrapping_add(v & m0);
                            self.a1[o + t] = self.a1[o + t].wrapping_add(v & m1);
                        }
                    }
                }
            }
        }
    }
}
