//! One party's evaluation: share files, local gates, multiplication rounds
//! and the conversions between Boolean and arithmetic sharings.
//!
//! Party `i` holds, of every secret value `x = x_0 + x_1 + x_2` (XOR for
//! bits), the two shares `(x_i, x_{i+1})`, kept in two files `*0` (`x_i`) and
//! `*1` (`x_{i+1}`). Share 0 (`x_0`) is held by party 0 as its first share and
//! by party 2 as its second: those two add public constants, so that they are
//! added once.

use std::sync::atomic::{AtomicU64, Ordering};

use veil_circuit::Circuit;
use zeroize::Zeroize;

use super::program::{Bit, Layer, Loc, Local, Program};
use super::stream::{low_mask, BitReader, BitWriter, WordStream};
use crate::backend::layers::Src;
use crate::backend::{KnownInputs, ReceivedOutputs};
use crate::error::VmError;
use crate::net::Peers;

/// Bytes sent to each peer before waiting for the peer's bytes of the same
/// exchange: every party sends and receives in the same round, so bounding
/// what is in flight keeps bounded buffers (in memory or TCP) from filling
/// up on both sides at once.
const CHUNK: usize = 1 << 18;

/// The party after `p` (it holds the share after ours).
#[inline]
fn next_of(p: usize) -> usize {
    (p + 1) % 3
}

/// The party before `p`.
#[inline]
fn prev_of(p: usize) -> usize {
    (p + 2) % 3
}

/// Sends `sends[p]` to every party `p` and receives `recvs[p]` from it, in
/// chunks of [`CHUNK`] bytes: each party sends chunk `k` everywhere before
/// receiving chunk `k` from anywhere, so nobody waits on anybody's full buffer.
fn exchange(peers: &mut Peers, sends: [&[u8]; 3], recvs: [&mut [u8]; 3]) -> Result<(), VmError> {
    let me = peers.me();
    let longest = sends
        .iter()
        .map(|s| s.len())
        .chain(recvs.iter().map(|r| r.len()))
        .max()
        .unwrap_or(0);
    let mut recvs = recvs;
    let mut off = 0;
    while off < longest {
        for (p, s) in sends.iter().enumerate() {
            if p != me && off < s.len() {
                let ch = peers.channel(p)?;
                ch.send(&s[off..(off + CHUNK).min(s.len())])?;
                ch.flush()?;
            }
        }
        for (p, r) in recvs.iter_mut().enumerate() {
            if p != me && off < r.len() {
                let end = (off + CHUNK).min(r.len());
                peers.channel(p)?.recv(&mut r[off..end])?;
            }
        }
        off += CHUNK;
    }
    Ok(())
}

/// The state of the current round: the two outgoing messages, the two
/// incoming ones, and the randomness of the zero-sharing.
///
/// Each multiplication ("job") of a round goes one of two ways, alternating
/// by job: *forward*, the party keeps its 3-out-of-3 share `t_i` as its
/// first share and sends it to the previous party (for which it is the
/// second share); *backward*, it keeps `t_i` as its second share and sends it
/// to the next party. Either way the result is again a replicated sharing;
/// alternating uses both directions of both links, so each link carries half
/// the bytes and every round is one exchange on each channel.
#[derive(Debug, Default)]
struct Io {
    fwd: BitWriter,
    bwd: BitWriter,
    from_next: Vec<u8>,
    from_prev: Vec<u8>,
    rd_next: BitReader,
    rd_prev: BitReader,
    sent_jobs: usize,
    read_jobs: usize,
    round: usize,
    rn: Vec<u64>,
    rp: Vec<u64>,
}

impl Io {
    /// Starts a round (the directions of its jobs depend on its number).
    fn begin(&mut self) {
        self.round += 1;
        self.fwd.clear();
        self.bwd.clear();
        self.sent_jobs = 0;
        self.read_jobs = 0;
    }

    /// The direction of the next job sent (true: forward).
    #[inline]
    fn send_dir(&mut self) -> bool {
        let d = (self.sent_jobs + self.round).is_multiple_of(2);
        self.sent_jobs += 1;
        d
    }

    /// The direction of the next job read back (the same sequence).
    #[inline]
    fn recv_dir(&mut self) -> bool {
        let d = (self.read_jobs + self.round).is_multiple_of(2);
        self.read_jobs += 1;
        d
    }

    #[inline]
    fn put(&mut self, fwd: bool, v: u64, bits: u32) {
        if fwd {
            self.fwd.put(v, bits)
        } else {
            self.bwd.put(v, bits)
        }
    }

    #[inline]
    fn get(&mut self, fwd: bool, bits: u32) -> u64 {
        if fwd {
            self.rd_next.get(&self.from_next, bits)
        } else {
            self.rd_prev.get(&self.from_prev, bits)
        }
    }

    /// Draws `len` words from each pairwise stream into `rn`, `rp`.
    fn draw(&mut self, next: &mut WordStream, prev: &mut WordStream, len: usize) {
        if self.rn.len() < len {
            self.rn.resize(len, 0);
            self.rp.resize(len, 0);
        }
        next.fill(&mut self.rn[..len]);
        prev.fill(&mut self.rp[..len]);
    }

    /// Sends the forward message to the previous party and the backward one
    /// to the next, and receives theirs (the same lengths, by symmetry).
    fn exchange(&mut self, peers: &mut Peers) -> Result<(), VmError> {
        let me = peers.me();
        self.fwd.finish();
        self.bwd.finish();
        self.from_next.resize(self.fwd.bytes.len(), 0);
        self.from_prev.resize(self.bwd.bytes.len(), 0);
        let mut sends: [&[u8]; 3] = [&[], &[], &[]];
        sends[prev_of(me)] = &self.fwd.bytes;
        sends[next_of(me)] = &self.bwd.bytes;
        let mut recvs: [&mut [u8]; 3] = [&mut [], &mut [], &mut []];
        recvs[next_of(me)] = &mut self.from_next[..];
        recvs[prev_of(me)] = &mut self.from_prev[..];
        exchange(peers, sends, recvs)?;
        self.rd_next.reset();
        self.rd_prev.reset();
        Ok(())
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        self.fwd.clear();
        self.bwd.clear();
        self.from_next.zeroize();
        self.from_prev.zeroize();
        self.rn.zeroize();
        self.rp.zeroize();
    }
}

/// Finishes one Boolean job: `t` (the 3-out-of-3 share, `w` words) gets the
/// zero-sharing added, is kept in `z0` or `z1` by direction, and is sent.
#[allow(clippy::too_many_arguments)]
fn share_bool(
    io: &mut Io,
    next: &mut WordStream,
    prev: &mut WordStream,
    t: &[u64],
    z0: &mut [u64],
    z1: &mut [u64],
    bits: u32,
    last: u64,
) {
    let w = t.len();
    io.draw(next, prev, w);
    let fwd = io.send_dir();
    for i in 0..w {
        let v = t[i] ^ io.rn[i] ^ io.rp[i];
        let m = if i + 1 == w { last } else { u64::MAX };
        io.put(fwd, v & m, bits);
        if fwd {
            z0[i] = v;
        } else {
            z1[i] = v;
        }
    }
}

/// Reads back the other half of a Boolean job into `z1` or `z0`.
fn take_bool(io: &mut Io, z0: &mut [u64], z1: &mut [u64], bits: u32) {
    let fwd = io.recv_dir();
    let z = if fwd { z1 } else { z0 };
    for v in z.iter_mut() {
        *v = io.get(fwd, bits);
    }
}

/// [`share_bool`] for ring elements (zero-sharing `rn − rp`).
fn share_arith(
    io: &mut Io,
    next: &mut WordStream,
    prev: &mut WordStream,
    t: &[u64],
    z0: &mut [u64],
    z1: &mut [u64],
    bits: u32,
) {
    let n = t.len();
    let mask = low_mask(bits);
    io.draw(next, prev, n);
    let fwd = io.send_dir();
    for i in 0..n {
        let v = t[i].wrapping_add(io.rn[i]).wrapping_sub(io.rp[i]) & mask;
        io.put(fwd, v, bits);
        if fwd {
            z0[i] = v;
        } else {
            z1[i] = v;
        }
    }
}

/// [`take_bool`] for ring elements.
fn take_arith(io: &mut Io, z0: &mut [u64], z1: &mut [u64], bits: u32) {
    take_bool(io, z0, z1, bits)
}

/// The shares of the *trivial* sharing of party `j`'s summand: the value with
/// only share `j` set (to the party's share bit or element), as party `me`
/// holds it given its two shares `(s0, s1)`.
#[inline]
fn trivial(me: usize, j: usize, s0: u64, s1: u64) -> (u64, u64) {
    (
        if j == me { s0 } else { 0 },
        if j == next_of(me) { s1 } else { 0 },
    )
}

/// `t = x_i y_i + x_i y_{i+1} + x_{i+1} y_i` on ring elements: the 3-out-of-3 share of `x · y`.
#[inline]
fn mul_share(x0: u64, x1: u64, y0: u64, y1: u64) -> u64 {
    x0.wrapping_mul(y0.wrapping_add(y1))
        .wrapping_add(x1.wrapping_mul(y0))
}

/// `t = x_i y_i ⊕ x_i y_{i+1} ⊕ x_{i+1} y_i` on bits: the 3-out-of-3 share of `x ∧ y`.
#[inline]
fn and_share(x0: u64, x1: u64, y0: u64, y1: u64) -> u64 {
    (x0 & (y0 ^ y1)) ^ (x1 & y0)
}

/// The part of `lo ++ [hole] ++ hi` at `x` (which is outside the hole).
#[inline]
fn part<'a>(lo: &'a [u64], hi: &'a [u64], hole: usize, len: usize, x: usize) -> &'a [u64] {
    if x < hole {
        &lo[x..x + len]
    } else {
        &hi[x - hole - len..x - hole]
    }
}

#[inline]
fn disjoint(o: usize, a: usize, len: usize) -> bool {
    o + len <= a || a + len <= o
}

/// `v[o..o+len] = f(v[a..], v[b..])` elementwise.
#[inline]
fn bin(v: &mut [u64], a: usize, b: usize, o: usize, len: usize, f: impl Fn(u64, u64) -> u64) {
    if disjoint(o, a, len) && disjoint(o, b, len) {
        let (lo, hi) = v.split_at_mut(o);
        let (out, hi) = hi.split_at_mut(len);
        let (x, y) = (part(lo, hi, o, len, a), part(lo, hi, o, len, b));
        for ((z, x), y) in out.iter_mut().zip(x).zip(y) {
            *z = f(*x, *y);
        }
    } else {
        for i in 0..len {
            v[o + i] = f(v[a + i], v[b + i]);
        }
    }
}

/// `v[o..o+len] = f(v[a..], p[..])` elementwise (`p` a public row).
#[inline]
fn un(v: &mut [u64], a: usize, o: usize, len: usize, p: &[u64], f: impl Fn(u64, u64) -> u64) {
    if disjoint(o, a, len) {
        let (lo, hi) = v.split_at_mut(o);
        let (out, hi) = hi.split_at_mut(len);
        let x = part(lo, hi, o, len, a);
        for ((z, x), p) in out.iter_mut().zip(x).zip(p) {
            *z = f(*x, *p);
        }
    } else {
        for i in 0..len {
            v[o + i] = f(v[a + i], p[i]);
        }
    }
}

/// The rounds an A2B conversion of `m` bits takes: the carry-save adder, the
/// generate bits, then Kogge–Stone levels over the `m − 2` middle carries.
pub(crate) fn a2b_rounds(m: usize) -> usize {
    match m {
        0 | 1 => 0,
        2 => 1,
        _ => 2 + (usize::BITS - (m - 3).leading_zeros()) as usize,
    }
}

/// Offsets (in words) of one A2B conversion's bit rows in the scratch pair.
#[derive(Debug, Clone, Copy)]
struct Region {
    m: usize,
    l: usize,
    input: usize,
    /// The three summands' sum bits (the party's shares, transposed).
    s: usize,
    /// The carry-save carries (row 0 stays zero).
    c: usize,
    /// Kogge–Stone generate and propagate of bits `1..m−1`, and the products of a level.
    g: usize,
    pp: usize,
    z: usize,
    z2: usize,
}

/// One party's shares and scratch for a run.
pub(crate) struct Engine<'a> {
    prog: &'a Program,
    me: usize,
    /// Instances.
    n: usize,
    /// Boolean words per register.
    w: usize,
    /// Bits a Boolean word carries on the wire: `n` below 64 instances, else 64.
    bbits: u32,
    /// Valid lanes of the last Boolean word.
    last: u64,
    rbits: u32,
    rmask: u64,
    /// All ones where this party adds public values to its first / second share.
    m0: u64,
    m1: u64,
    b0: Vec<u64>,
    b1: Vec<u64>,
    a0: Vec<u64>,
    a1: Vec<u64>,
    pb: Vec<u64>,
    pa: Vec<u64>,
    next: WordStream,
    prev: WordStream,
    io: Io,
    /// Conversion scratch: a pair of share rows, and one row of products.
    cv0: Vec<u64>,
    cv1: Vec<u64>,
    tmp: Vec<u64>,
    regions: Vec<Region>,
    /// Where the B2A rows start in the scratch: `T` (then `P`), and `B` (then `Q`).
    b2a_t: usize,
    b2a_u: usize,
}

impl std::fmt::Debug for Engine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("me", &self.me)
            .field("instances", &self.n)
            .finish()
    }
}

impl Drop for Engine<'_> {
    fn drop(&mut self) {
        self.b0.zeroize();
        self.b1.zeroize();
        self.a0.zeroize();
        self.a1.zeroize();
        self.cv0.zeroize();
        self.cv1.zeroize();
        self.tmp.zeroize();
    }
}

impl<'a> Engine<'a> {
    /// Party `me`'s engine for `n ≥ 1` instances, with the streams it shares
    /// with the next and the previous party.
    pub fn new(
        prog: &'a Program,
        me: usize,
        n: usize,
        next: WordStream,
        prev: WordStream,
    ) -> Engine<'a> {
        let w = n.div_ceil(64);
        let bbits = if n < 64 { n as u32 } else { 64 };
        let last = if n.is_multiple_of(64) {
            u64::MAX
        } else {
            low_mask((n % 64) as u32)
        };
        let rbits = prog.ring_bits.clamp(1, 64);
        Engine {
            prog,
            me,
            n,
            w,
            bbits,
            last,
            rbits,
            rmask: low_mask(rbits),
            m0: if me == 0 { u64::MAX } else { 0 },
            m1: if me == 2 { u64::MAX } else { 0 },
            b0: vec![0; prog.bool_regs as usize * w],
            b1: vec![0; prog.bool_regs as usize * w],
            a0: vec![0; prog.arith_regs as usize * n],
            a1: vec![0; prog.arith_regs as usize * n],
            pb: vec![0; prog.pub_bool as usize * w],
            pa: vec![0; prog.pub_arith as usize * n],
            next,
            prev,
            io: Io::default(),
            cv0: Vec::new(),
            cv1: Vec::new(),
            tmp: Vec::new(),
            regions: Vec::new(),
            b2a_t: 0,
            b2a_u: 0,
        }
    }

    /// Evaluates the public wires of every instance into the public tables
    /// (once for all instances when no input is public).
    pub fn public(&mut self, c: &Circuit, inputs: &KnownInputs) -> Result<(), VmError> {
        let src = &self.prog.layers_src;
        let (n, w) = (self.n, self.w);
        let mut vals = vec![0u64; src.pub_slots as usize];
        let any_public = c.inputs.iter().any(|g| g.public);
        let reps = if any_public { n } else { 1 };
        for t in 0..reps {
            for (g, srcs) in src.inputs.iter().enumerate() {
                if !c.inputs[g].public {
                    continue;
                }
                let words = known_words(c, inputs, g, n, srcs.len())?;
                for (j, s) in srcs.iter().enumerate() {
                    if let Src::Known(k) = *s {
                        vals[k as usize] = words[t * srcs.len() + j];
                    }
                }
            }
            src.eval_public(&mut vals);
            for (s, loc) in self.prog.slot_map.iter().enumerate() {
                match *loc {
                    Loc::PubBool(i) => {
                        let row = &mut self.pb[i as usize * w..(i as usize + 1) * w];
                        if reps == 1 {
                            row.fill(if vals[s] & 1 == 1 { u64::MAX } else { 0 });
                        } else {
                            row[t / 64] |= (vals[s] & 1) << (t % 64);
                        }
                    }
                    Loc::PubArith(i) => {
                        let row = &mut self.pa[i as usize * n..(i as usize + 1) * n];
                        if reps == 1 {
                            row.fill(vals[s]);
                        } else {
                            row[t] = vals[s];
                        }
                    }
                    Loc::Bool(_) | Loc::Arith(_) => {}
                }
            }
        }
        Ok(())
    }

    /// Shares the secret inputs: the owner `o` takes share `o` from the
    /// stream it shares with party `o − 1` and share `o + 1` from the one it
    /// shares with party `o + 1`, and sends the third (`x` minus both, which
    /// looks uniform to each receiver) to both others.
    pub fn inputs(
        &mut self,
        c: &Circuit,
        inputs: &KnownInputs,
        peers: &mut Peers,
    ) -> Result<(), VmError> {
        let me = self.me;
        let (n, w) = (self.n, self.w);
        let mut mine = BitWriter::default();
        let mut expect = [0usize; 3];
        let mut row = vec![0u64; w.max(n)];
        let mut r0 = vec![0u64; w.max(n)];
        let mut r1 = vec![0u64; w.max(n)];
        for (g, locs) in self.prog.inputs.iter().enumerate() {
            let group = &c.inputs[g];
            if group.public {
                continue;
            }
            let o = group.party as usize;
            if o == me {
                let words = known_words(c, inputs, g, n, locs.len())?;
                let width = locs.len();
                for (j, loc) in locs.iter().enumerate() {
                    match *loc {
                        Loc::Bool(r) => {
                            let x = &mut row[..w];
                            x.fill(0);
                            for t in 0..n {
                                x[t / 64] |= (words[t * width + j] & 1) << (t % 64);
                            }
                            self.prev.fill(&mut r0[..w]);
                            self.next.fill(&mut r1[..w]);
                            let base = r as usize * w;
                            for i in 0..w {
                                let third = x[i] ^ r0[i] ^ r1[i];
                                let m = if i + 1 == w { self.last } else { u64::MAX };
                                mine.put(third & m, self.bbits);
                                self.b0[base + i] = r0[i];
                                self.b1[base + i] = r1[i];
                            }
                        }
                        Loc::Arith(r) => {
                            self.prev.fill(&mut r0[..n]);
                            self.next.fill(&mut r1[..n]);
                            let base = r as usize * n;
                            for t in 0..n {
                                let x = words[t * width + j];
                                let third = x.wrapping_sub(r0[t]).wrapping_sub(r1[t]) & self.rmask;
                                mine.put(third, self.rbits);
                                self.a0[base + t] = r0[t];
                                self.a1[base + t] = r1[t];
                            }
                        }
                        Loc::PubBool(_) | Loc::PubArith(_) => {}
                    }
                }
            } else {
                // Party o + 1 knows share o + 1 (its first); party o + 2 knows
                // share o (its second); the other share comes from the owner.
                let first = me == next_of(o);
                for loc in locs {
                    match *loc {
                        Loc::Bool(r) => {
                            let dst = r as usize * w..(r as usize + 1) * w;
                            if first {
                                self.prev.fill(&mut self.b0[dst]);
                            } else {
                                self.next.fill(&mut self.b1[dst]);
                            }
                            expect[o] += w * self.bbits as usize;
                        }
                        Loc::Arith(r) => {
                            let dst = r as usize * n..(r as usize + 1) * n;
                            if first {
                                self.prev.fill(&mut self.a0[dst]);
                            } else {
                                self.next.fill(&mut self.a1[dst]);
                            }
                            expect[o] += n * self.rbits as usize;
                        }
                        Loc::PubBool(_) | Loc::PubArith(_) => {}
                    }
                }
            }
        }
        r0.zeroize();
        r1.zeroize();
        row.zeroize();
        mine.finish();
        let mut bufs: Vec<Vec<u8>> = expect.iter().map(|b| vec![0u8; b.div_ceil(8)]).collect();
        {
            let mut sends: [&[u8]; 3] = [&[], &[], &[]];
            for (p, s) in sends.iter_mut().enumerate() {
                if p != me {
                    *s = &mine.bytes;
                }
            }
            let [x, y, z] = &mut bufs[..] else {
                return Err(VmError::Crashed {
                    party: String::new(),
                    why: "input buffers".into(),
                });
            };
            exchange(peers, sends, [&mut x[..], &mut y[..], &mut z[..]])?;
        }
        let mut readers = [
            BitReader::default(),
            BitReader::default(),
            BitReader::default(),
        ];
        for (g, locs) in self.prog.inputs.iter().enumerate() {
            let group = &c.inputs[g];
            let o = group.party as usize;
            if group.public || o == me {
                continue;
            }
            let first = me == next_of(o);
            for loc in locs {
                match *loc {
                    Loc::Bool(r) => {
                        for i in 0..w {
                            let v = readers[o].get(&bufs[o], self.bbits);
                            if first {
                                self.b1[r as usize * w + i] = v;
                            } else {
                                self.b0[r as usize * w + i] = v;
                            }
                        }
                    }
                    Loc::Arith(r) => {
                        for t in 0..n {
                            let v = readers[o].get(&bufs[o], self.rbits);
                            if first {
                                self.a1[r as usize * n + t] = v;
                            } else {
                                self.a0[r as usize * n + t] = v;
                            }
                        }
                    }
                    Loc::PubBool(_) | Loc::PubArith(_) => {}
                }
            }
        }
        for b in &mut bufs {
            b.zeroize();
        }
        mine.clear();
        Ok(())
    }

    /// Runs every layer; `progress` advances by the AND and MUL gates done.
    pub fn evaluate(
        &mut self,
        peers: &mut Peers,
        progress: Option<&AtomicU64>,
    ) -> Result<(), VmError> {
        let prog = self.prog;
        for layer in &prog.layers {
            self.locals(&layer.local);
            if layer.interactive() {
                self.interactive(layer, peers)?;
                if let Some(p) = progress {
                    let gates = (layer.ands.len() + layer.muls.len()) as u64;
                    p.fetch_add(gates * self.n as u64, Ordering::Relaxed);
                }
            }
        }
        Ok(())
    }

    fn locals(&mut self, ops: &[Local]) {
        let (w, n, m0, m1) = (self.w, self.n, self.m0, self.m1);
        for op in ops {
            match *op {
                Local::Xor { a, b, out } => {
                    let (a, b, o) = (a as usize * w, b as usize * w, out as usize * w);
                    bin(&mut self.b0, a, b, o, w, |x, y| x ^ y);
                    bin(&mut self.b1, a, b, o, w, |x, y| x ^ y);
                }
                Local::XorPub { a, p, out } => {
                    let (a, o, p) = (a as usize * w, out as usize * w, p as usize * w);
                    let p = &self.pb[p..p + w];
                    un(&mut self.b0, a, o, w, p, |x, p| x ^ (p & m0));
                    un(&mut self.b1, a, o, w, p, |x, p| x ^ (p & m1));
                }
                Local::Not { a, out } => {
                    let (a, o) = (a as usize * w, out as usize * w);
                    const_op(&mut self.b0, a, o, w, |x| x ^ m0);
                    const_op(&mut self.b1, a, o, w, |x| x ^ m1);
                }
                Local::CopyBool { a, out } => {
                    let (a, o) = (a as usize * w, out as usize * w);
                    self.b0.copy_within(a..a + w, o);
                    self.b1.copy_within(a..a + w, o);
                }
                Local::AndPub { a, p, out } => {
                    let (a, o, p) = (a as usize * w, out as usize * w, p as usize * w);
                    let p = &self.pb[p..p + w];
                    un(&mut self.b0, a, o, w, p, |x, p| x & p);
                    un(&mut self.b1, a, o, w, p, |x, p| x & p);
                }
                Local::CopyArith { a, out } => {
                    let (a, o) = (a as usize * n, out as usize * n);
                    self.a0.copy_within(a..a + n, o);
                    self.a1.copy_within(a..a + n, o);
                }
                Local::Add { a, b, out } => {
                    let (a, b, o) = (a as usize * n, b as usize * n, out as usize * n);
                    bin(&mut self.a0, a, b, o, n, u64::wrapping_add);
                    bin(&mut self.a1, a, b, o, n, u64::wrapping_add);
                }
                Local::Sub { a, b, out } => {
                    let (a, b, o) = (a as usize * n, b as usize * n, out as usize * n);
                    bin(&mut self.a0, a, b, o, n, u64::wrapping_sub);
                    bin(&mut self.a1, a, b, o, n, u64::wrapping_sub);
                }
                Local::AddPub { a, p, out } => {
                    let (a, o, p) = (a as usize * n, out as usize * n, p as usize * n);
                    let p = &self.pa[p..p + n];
                    un(&mut self.a0, a, o, n, p, |x, p| x.wrapping_add(p & m0));
                    un(&mut self.a1, a, o, n, p, |x, p| x.wrapping_add(p & m1));
                }
                Local::PubSub { p, a, out } => {
                    let (a, o, p) = (a as usize * n, out as usize * n, p as usize * n);
                    let p = &self.pa[p..p + n];
                    un(&mut self.a0, a, o, n, p, |x, p| (p & m0).wrapping_sub(x));
                    un(&mut self.a1, a, o, n, p, |x, p| (p & m1).wrapping_sub(x));
                }
                Local::SubPub { a, p, out } => {
                    let (a, o, p) = (a as usize * n, out as usize * n, p as usize * n);
                    let p = &self.pa[p..p + n];
                    un(&mut self.a0, a, o, n, p, |x, p| x.wrapping_sub(p & m0));
                    un(&mut self.a1, a, o, n, p, |x, p| x.wrapping_sub(p & m1));
                }
                Local::MulPub { a, p, out } => {
                    let (a, o, p) = (a as usize * n, out as usize * n, p as usize * n);
                    let p = &self.pa[p..p + n];
                    un(&mut self.a0, a, o, n, p, u64::wrapping_mul);
                    un(&mut self.a1, a, o, n, p, u64::wrapping_mul);
                }
                Local::AddConst { a, c, out } => {
                    let (a, o) = (a as usize * n, out as usize * n);
                    let (c0, c1) = (c & m0, c & m1);
                    const_op(&mut self.a0, a, o, n, |x| x.wrapping_add(c0));
                    const_op(&mut self.a1, a, o, n, |x| x.wrapping_add(c1));
                }
                Local::MulConst { a, c, out } => {
                    let (a, o) = (a as usize * n, out as usize * n);
                    const_op(&mut self.a0, a, o, n, |x| x.wrapping_mul(c));
                    const_op(&mut self.a1, a, o, n, |x| x.wrapping_mul(c));
                }
            }
        }
    }
}

/// `v[o..o+len] = f(v[a..])` elementwise.
#[inline]
fn const_op(v: &mut [u64], a: usize, o: usize, len: usize, f: impl Fn(u64) -> u64) {
    if disjoint(o, a, len) {
        let (lo, hi) = v.split_at_mut(o);
        let (out, hi) = hi.split_at_mut(len);
        let x = part(lo, hi, o, len, a);
        for (z, x) in out.iter_mut().zip(x) {
            *z = f(*x);
        }
    } else {
        for i in 0..len {
            v[o + i] = f(v[a + i]);
        }
    }
}

/// The words of input group `g` (all instances), checked against its width.
fn known_words<'i>(
    c: &Circuit,
    inputs: &'i KnownInputs,
    g: usize,
    n: usize,
    width: usize,
) -> Result<&'i [u64], VmError> {
    let group = &c.inputs[g];
    match inputs.get(g) {
        Some(Some(words)) if words.len() == n * width => Ok(words),
        Some(Some(words)) => Err(VmError::Input(format!(
            "input `{}`: {} words for {n} instance(s) of {width} wires",
            group.name,
            words.len()
        ))),
        _ => Err(VmError::Input(format!("input `{}` is missing", group.name))),
    }
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

/// Lane `t` of a bit-sliced row.
#[inline]
fn lane(row: &[u64], t: usize) -> u64 {
    (row[t / 64] >> (t % 64)) & 1
}

impl Engine<'_> {
    /// One layer's interactive gates: round 0 holds every AND and MUL, the
    /// first step of every conversion; later rounds the conversions' further
    /// steps, all conversions of the layer together.
    fn interactive(&mut self, layer: &Layer, peers: &mut Peers) -> Result<(), VmError> {
        let mut rounds = 0;
        if !layer.ands.is_empty() || !layer.muls.is_empty() {
            rounds = 1;
        }
        if !layer.b2a.is_empty() {
            rounds = 2;
        }
        for g in &layer.a2b {
            rounds = rounds.max(a2b_rounds(g.outs.len()));
        }
        self.prepare_conversions(layer);
        for r in 0..rounds {
            self.io.begin();
            if r == 0 {
                self.and_send(&layer.ands);
                self.mul_send(&layer.muls);
            }
            if r < 2 {
                self.b2a_step(layer, r, true);
            }
            self.a2b_step(r, true);
            self.io.exchange(peers)?;
            if r == 0 {
                self.and_recv(&layer.ands);
                self.mul_recv(&layer.muls);
            }
            if r < 2 {
                self.b2a_step(layer, r, false);
            }
            self.a2b_step(r, false);
        }
        self.finish_conversions(layer);
        Ok(())
    }

    /// AND gates: `t = x_i y_i ⊕ x_i y_{i+1} ⊕ x_{i+1} y_i ⊕ α_i`, kept and sent.
    fn and_send(&mut self, ands: &[[u32; 3]]) {
        let Engine {
            w,
            bbits,
            b0,
            b1,
            io,
            next,
            prev,
            tmp,
            ..
        } = self;
        let (w, bbits) = (*w, *bbits);
        io.draw(next, prev, ands.len() * w);
        if tmp.len() < w {
            tmp.resize(w, 0);
        }
        let row = &mut tmp[..w];
        for (k, &[a, b, o]) in ands.iter().enumerate() {
            let (a, b, o) = (a as usize * w, b as usize * w, o as usize * w);
            let (x0, x1) = (&b0[a..a + w], &b1[a..a + w]);
            let (y0, y1) = (&b0[b..b + w], &b1[b..b + w]);
            let (rn, rp) = (&io.rn[k * w..(k + 1) * w], &io.rp[k * w..(k + 1) * w]);
            for i in 0..w {
                row[i] = and_share(x0[i], x1[i], y0[i], y1[i]) ^ rn[i] ^ rp[i];
            }
            if io.send_dir() {
                b0[o..o + w].copy_from_slice(row);
                io.fwd.put_all(row, bbits);
            } else {
                b1[o..o + w].copy_from_slice(row);
                io.bwd.put_all(row, bbits);
            }
        }
    }

    fn and_recv(&mut self, ands: &[[u32; 3]]) {
        let Engine {
            w,
            bbits,
            b0,
            b1,
            io,
            ..
        } = self;
        let (w, bbits) = (*w, *bbits);
        for &[_, _, o] in ands {
            let o = o as usize * w;
            if io.recv_dir() {
                io.rd_next.get_all(&io.from_next, &mut b1[o..o + w], bbits);
            } else {
                io.rd_prev.get_all(&io.from_prev, &mut b0[o..o + w], bbits);
            }
        }
    }

    /// MUL gates: `t = x_i y_i + x_i y_{i+1} + x_{i+1} y_i + α_i`, kept and sent.
    fn mul_send(&mut self, muls: &[[u32; 3]]) {
        let Engine {
            n,
            rbits,
            rmask,
            a0,
            a1,
            io,
            next,
            prev,
            tmp,
            ..
        } = self;
        let (n, rbits, rmask) = (*n, *rbits, *rmask);
        io.draw(next, prev, muls.len() * n);
        if tmp.len() < n {
            tmp.resize(n, 0);
        }
        let row = &mut tmp[..n];
        for (k, &[a, b, o]) in muls.iter().enumerate() {
            let (a, b, o) = (a as usize * n, b as usize * n, o as usize * n);
            let (x0, x1) = (&a0[a..a + n], &a1[a..a + n]);
            let (y0, y1) = (&a0[b..b + n], &a1[b..b + n]);
            let (rn, rp) = (&io.rn[k * n..(k + 1) * n], &io.rp[k * n..(k + 1) * n]);
            for i in 0..n {
                row[i] = mul_share(x0[i], x1[i], y0[i], y1[i])
                    .wrapping_add(rn[i])
                    .wrapping_sub(rp[i])
                    & rmask;
            }
            if io.send_dir() {
                a0[o..o + n].copy_from_slice(row);
                io.fwd.put_all(row, rbits);
            } else {
                a1[o..o + n].copy_from_slice(row);
                io.bwd.put_all(row, rbits);
            }
        }
    }

    fn mul_recv(&mut self, muls: &[[u32; 3]]) {
        let Engine {
            n,
            rbits,
            a0,
            a1,
            io,
            ..
        } = self;
        let (n, rbits) = (*n, *rbits);
        for &[_, _, o] in muls {
            let o = o as usize * n;
            if io.recv_dir() {
                io.rd_next.get_all(&io.from_next, &mut a1[o..o + n], rbits);
            } else {
                io.rd_prev.get_all(&io.from_prev, &mut a0[o..o + n], rbits);
            }
        }
    }

    /// Lays out the conversion scratch of a layer and transposes the A2B
    /// inputs' shares into bit rows.
    fn prepare_conversions(&mut self, layer: &Layer) {
        let (n, w) = (self.n, self.w);
        self.regions.clear();
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

    /// B2A, per secret bit `b = b_0 ⊕ b_1 ⊕ b_2` (each `b_j` trivially
    /// shared as a ring element): round 0 computes `T = b_0 ⊕ b_1 =
    /// b_0 + b_1 − 2 b_0 b_1`, round 1 `B = T ⊕ b_2 = T + b_2 − 2 T b_2`.
    /// `send`: compute and send; otherwise read back and combine.
    fn b2a_step(&mut self, layer: &Layer, r: usize, send: bool) {
        let Engine {
            me,
            n,
            w,
            rbits,
            b0,
            b1,
            io,
            next,
            prev,
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
                share_arith(
                    io,
                    next,
                    prev,
                    &tmp[..n],
                    &mut cv0[z..z + n],
                    &mut cv1[z..z + n],
                    rbits,
                );
            } else {
                take_arith(io, &mut cv0[z..z + n], &mut cv1[z..z + n], rbits);
                for t in 0..n {
                    let (s0, s1) = (lane(row0, t), lane(row1, t));
                    if r == 0 {
                        let (x0, x1) = trivial(me, 0, s0, s1);
                        let (y0, y1) = trivial(me, 1, s0, s1);
                        cv0[to + t] = x0.wrapping_add(y0).wrapping_sub(cv0[to + t] << 1);
                        cv1[to + t] = x1.wrapping_add(y1).wrapping_sub(cv1[to + t] << 1);
                    } else {
                        let (y0, y1) = trivial(me, 2, s0, s1);
                        cv0[uo + t] = cv0[to + t].wrapping_add(y0).wrapping_sub(cv0[uo + t] << 1);
                        cv1[uo + t] = cv1[to + t].wrapping_add(y1).wrapping_sub(cv1[uo + t] << 1);
                    }
                }
            }
        }
    }

    /// A2B, for `x = x_0 + x_1 + x_2` with each `x_j` trivially shared as
    /// bits: round 0 is the carry-save adder (the sum bits are the party's
    /// own shares; the carry `maj(x_0, x_1, x_2) = x_0 x_1 ⊕ x_1 x_2 ⊕ x_2
    /// x_0` has the 3-out-of-3 share `x_i x_{i+1}`), round 1 the generate
    /// bits of `s + c`, rounds 2… the Kogge–Stone levels.
    fn a2b_step(&mut self, r: usize, send: bool) {
        let Engine {
            w,
            bbits,
            last,
            io,
            next,
            prev,
            cv0,
            cv1,
            tmp,
            regions,
            ..
        } = self;
        let (w, bbits, last) = (*w, *bbits, *last);
        // One job: `tmp = f(rows)` then shared into row `dst`, or read back.
        let mut job = |cv0: &mut Vec<u64>,
                       cv1: &mut Vec<u64>,
                       tmp: &mut Vec<u64>,
                       x: usize,
                       y: usize,
                       dst: usize,
                       csa: bool| {
            if send {
                for i in 0..w {
                    tmp[i] = if csa {
                        cv0[x + i] & cv1[x + i]
                    } else {
                        and_share(cv0[x + i], cv1[x + i], cv0[y + i], cv1[y + i])
                    };
                }
                let (z0, z1) = (&mut cv0[dst..dst + w], &mut cv1[dst..dst + w]);
                share_bool(io, next, prev, &tmp[..w], z0, z1, bbits, last);
            } else {
                take_bool(io, &mut cv0[dst..dst + w], &mut cv1[dst..dst + w], bbits);
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
                    let d = 1usize << (r - 2);
                    let more = 2 * d < reg.l;
                    for q in d..reg.l {
                        let (pq, gd, pd) =
                            (reg.pp + q * w, reg.g + (q - d) * w, reg.pp + (q - d) * w);
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

    /// Writes the conversions' results to their registers.
    fn finish_conversions(&mut self, layer: &Layer) {
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

    /// Opens the outputs to their recipients: party `i` sends its second
    /// share of every output party `i − 1` receives (the share that party
    /// lacks), and nothing else.
    pub fn outputs(&mut self, c: &Circuit, peers: &mut Peers) -> Result<ReceivedOutputs, VmError> {
        let me = self.me;
        let (n, w) = (self.n, self.w);
        let (prev, next) = (prev_of(me), next_of(me));
        let gets = |g: usize, p: usize| c.outputs[g].recipients.contains(&(p as u32));
        let mut out = BitWriter::default();
        let mut expect = 0usize;
        for (g, locs) in self.prog.outputs.iter().enumerate() {
            let (to_prev, to_me) = (gets(g, prev), gets(g, me));
            for loc in locs {
                match *loc {
                    Loc::Bool(r) => {
                        if to_prev {
                            for i in 0..w {
                                let m = if i + 1 == w { self.last } else { u64::MAX };
                                out.put(self.b1[r as usize * w + i] & m, self.bbits);
                            }
                        }
                        if to_me {
                            expect += w * self.bbits as usize;
                        }
                    }
                    Loc::Arith(r) => {
                        if to_prev {
                            for t in 0..n {
                                out.put(self.a1[r as usize * n + t] & self.rmask, self.rbits);
                            }
                        }
                        if to_me {
                            expect += n * self.rbits as usize;
                        }
                    }
                    Loc::PubBool(_) | Loc::PubArith(_) => {}
                }
            }
        }
        out.finish();
        let mut buf = vec![0u8; expect.div_ceil(8)];
        {
            let mut sends: [&[u8]; 3] = [&[], &[], &[]];
            sends[prev] = &out.bytes;
            let mut recvs: [&mut [u8]; 3] = [&mut [], &mut [], &mut []];
            recvs[next] = &mut buf[..];
            exchange(peers, sends, recvs)?;
        }
        out.clear();
        let mut rd = BitReader::default();
        let mut result = Vec::with_capacity(c.outputs.len());
        for (g, locs) in self.prog.outputs.iter().enumerate() {
            if !gets(g, me) {
                result.push(None);
                continue;
            }
            let width = locs.len();
            let mut words = vec![0u64; n * width];
            for (j, loc) in locs.iter().enumerate() {
                match *loc {
                    Loc::Bool(r) => {
                        let base = r as usize * w;
                        for i in 0..w {
                            let v =
                                rd.get(&buf, self.bbits) ^ self.b0[base + i] ^ self.b1[base + i];
                            for t in i * 64..((i + 1) * 64).min(n) {
                                words[t * width + j] = (v >> (t % 64)) & 1;
                            }
                        }
                    }
                    Loc::Arith(r) => {
                        let base = r as usize * n;
                        for t in 0..n {
                            let v = rd.get(&buf, self.rbits);
                            words[t * width + j] = v
                                .wrapping_add(self.a0[base + t])
                                .wrapping_add(self.a1[base + t])
                                & self.rmask;
                        }
                    }
                    Loc::PubBool(p) => {
                        let row = &self.pb[p as usize * w..(p as usize + 1) * w];
                        for t in 0..n {
                            words[t * width + j] = lane(row, t);
                        }
                    }
                    Loc::PubArith(p) => {
                        for t in 0..n {
                            words[t * width + j] = self.pa[p as usize * n + t];
                        }
                    }
                }
            }
            result.push(Some(words));
        }
        buf.zeroize();
        Ok(result)
    }
}
