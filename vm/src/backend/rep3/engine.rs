//! One party's evaluation: share files, local gates, the AND and MUL
//! rounds, input sharing and output opening (conversions: `convert.rs`).
//!
//! Party `i` holds, of every secret value `x = x_0 + x_1 + x_2` (XOR for
//! bits), the two shares `(x_i, x_{i+1})`, kept in two files `*0` (`x_i`) and
//! `*1` (`x_{i+1}`). Share 0 (`x_0`) is held by party 0 as its first share and
//! by party 2 as its second: those two add public constants, so that they are
//! added once.

use std::sync::atomic::{AtomicU64, Ordering};

use veil_circuit::{Circuit, Domain};
use zeroize::Zeroize;

use super::convert::Region;
use super::program::{Layer, Loc, Local, Program};
use super::round::{exchange, next_of, prev_of, Alpha, Io, ALPHA_WORDS};
use super::stream::{low_mask, BitReader, BitWriter, WordStream};
use crate::backend::layers::Src;
use crate::backend::{KnownInputs, ReceivedOutputs};
use crate::error::VmError;
use crate::net::Peers;

/// Wires per block when inputs and outputs are turned between
/// instance-major words and per-wire rows.
const BLOCK: usize = 64;

/// `t = x_i y_i + x_i y_{i+1} + x_{i+1} y_i` on ring elements: the 3-out-of-3 share of `x · y`.
#[inline]
pub(crate) fn mul_share(x0: u64, x1: u64, y0: u64, y1: u64) -> u64 {
    x0.wrapping_mul(y0.wrapping_add(y1))
        .wrapping_add(x1.wrapping_mul(y0))
}

/// `t = x_i y_i ⊕ x_i y_{i+1} ⊕ x_{i+1} y_i` on bits: the 3-out-of-3 share of `x ∧ y`.
#[inline]
pub(crate) fn and_share(x0: u64, x1: u64, y0: u64, y1: u64) -> u64 {
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
    if len == 1 {
        v[o] = f(v[a], v[b]);
    } else if disjoint(o, a, len) && disjoint(o, b, len) {
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
    if len == 1 {
        v[o] = f(v[a], p[0]);
    } else if disjoint(o, a, len) {
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

/// Lane `t` of a bit-sliced row.
#[inline]
pub(crate) fn lane(row: &[u64], t: usize) -> u64 {
    (row[t / 64] >> (t % 64)) & 1
}

/// One party's shares and scratch for a run.
pub(crate) struct Engine<'a> {
    pub(super) prog: &'a Program,
    pub(super) me: usize,
    /// Instances.
    pub(super) n: usize,
    /// Boolean words per register.
    pub(super) w: usize,
    /// Bits a Boolean word carries on the wire: `n` below 64 instances, else 64.
    pub(super) bbits: u32,
    /// Valid lanes of the last Boolean word.
    pub(super) last: u64,
    pub(super) rbits: u32,
    pub(super) rmask: u64,
    /// All ones where this party adds public values to its first / second share.
    pub(super) m0: u64,
    pub(super) m1: u64,
    /// Boolean shares (first, second), arithmetic shares, public tables.
    pub(super) b0: Vec<u64>,
    pub(super) b1: Vec<u64>,
    pub(super) a0: Vec<u64>,
    pub(super) a1: Vec<u64>,
    pub(super) pb: Vec<u64>,
    pub(super) pa: Vec<u64>,
    pub(super) alpha: Alpha,
    pub(super) io: Io,
    /// Conversion scratch: a pair of share rows, and one row of products.
    pub(super) cv0: Vec<u64>,
    pub(super) cv1: Vec<u64>,
    pub(super) tmp: Vec<u64>,
    pub(super) regions: Vec<Region>,
    /// Where the B2A rows start in the scratch: `T` (then `P`), and `B` (then `Q`).
    pub(super) b2a_t: usize,
    pub(super) b2a_u: usize,
}

impl std::fmt::Debug for Engine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("me", &self.me)
            .field("instances", &self.n)
            .finish()
    }
}

/// The large buffers of one party's engine, kept between runs so that a
/// session of many runs does not map fresh memory for each (first touches of
/// fresh pages cost more than the evaluation itself on wide layers). They are
/// zeroised before they are kept.
#[derive(Default)]
pub(crate) struct Buffers {
    /// `b0, b1, a0, a1, pb, pa, cv0, cv1, tmp`.
    words: [Vec<u64>; 9],
    /// The pairwise streams' words.
    alpha: [Vec<u64>; 2],
    /// The round messages.
    bytes: [Vec<u8>; 4],
}

impl std::fmt::Debug for Buffers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Buffers(..)")
    }
}

impl Drop for Engine<'_> {
    fn drop(&mut self) {
        self.take_buffers();
    }
}

impl<'a> Engine<'a> {
    /// Party `me`'s engine for `n ≥ 1` instances, with the streams it shares
    /// with the next and the previous party, on buffers from an earlier run
    /// (or new ones).
    pub fn new(
        prog: &'a Program,
        me: usize,
        n: usize,
        (next, prev): (WordStream, WordStream),
        buffers: Buffers,
    ) -> Engine<'a> {
        let Buffers {
            words,
            alpha,
            bytes,
        } = buffers;
        let w = n.div_ceil(64);
        let bbits = if n < 64 { n as u32 } else { 64 };
        let last = if n.is_multiple_of(64) {
            u64::MAX
        } else {
            low_mask((n % 64) as u32)
        };
        let rbits = prog.ring_bits.clamp(1, 64);
        let sizes = [
            prog.bool_regs as usize * w,
            prog.bool_regs as usize * w,
            prog.arith_regs as usize * n,
            prog.arith_regs as usize * n,
            prog.pub_bool as usize * w,
            prog.pub_arith as usize * n,
            0,
            0,
            0,
        ];
        let [b0, b1, a0, a1, pb, pa, cv0, cv1, tmp] = {
            let mut i = 0;
            words.map(|mut v| {
                v.clear();
                v.resize(sizes[i], 0);
                i += 1;
                v
            })
        };
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
            b0,
            b1,
            a0,
            a1,
            pb,
            pa,
            alpha: Alpha::new(next, prev, alpha),
            io: Io::with_buffers(bytes),
            cv0,
            cv1,
            tmp,
            regions: Vec::new(),
            b2a_t: 0,
            b2a_u: 0,
        }
    }

    /// Zeroises the buffers and hands them over for a later run.
    pub fn take_buffers(&mut self) -> Buffers {
        let mut words = [
            std::mem::take(&mut self.b0),
            std::mem::take(&mut self.b1),
            std::mem::take(&mut self.a0),
            std::mem::take(&mut self.a1),
            std::mem::take(&mut self.pb),
            std::mem::take(&mut self.pa),
            std::mem::take(&mut self.cv0),
            std::mem::take(&mut self.cv1),
            std::mem::take(&mut self.tmp),
        ];
        for v in &mut words {
            v.zeroize();
        }
        Buffers {
            words,
            alpha: self.alpha.take_buffers(),
            bytes: self.io.take_buffers(),
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
        let mut rows: Vec<u64> = Vec::new();
        let mut r0 = vec![0u64; n];
        let mut r1 = vec![0u64; n];
        let mut third = vec![0u64; n];
        for (g, locs) in self.prog.inputs.iter().enumerate() {
            let group = &c.inputs[g];
            if group.public {
                continue;
            }
            let o = group.party as usize;
            if o == me {
                // A block of wires at a time: the instance-major words into
                // rows (no strided accesses), then shares drawn per wire.
                let width = locs.len();
                let words = known_words(c, inputs, g, n, width)?;
                let arith = group.domain == Domain::Arith;
                let len = if arith { n } else { w };
                rows.clear();
                rows.resize(BLOCK.min(width) * len, 0);
                for (first, block) in locs.chunks(BLOCK).enumerate() {
                    let first = first * BLOCK;
                    let rows = &mut rows[..block.len() * len];
                    rows.fill(0);
                    for t in 0..n {
                        let src = &words[t * width + first..t * width + first + block.len()];
                        for (jj, &x) in src.iter().enumerate() {
                            if arith {
                                rows[jj * n + t] = x;
                            } else {
                                rows[jj * w + t / 64] |= (x & 1) << (t % 64);
                            }
                        }
                    }
                    for (jj, loc) in block.iter().enumerate() {
                        let x = &rows[jj * len..(jj + 1) * len];
                        let (r0, r1) = (&mut r0[..len], &mut r1[..len]);
                        self.alpha.prev.fill(r0);
                        self.alpha.next.fill(r1);
                        match *loc {
                            Loc::Bool(r) => {
                                for i in 0..w {
                                    let m = if i + 1 == w { self.last } else { u64::MAX };
                                    third[i] = (x[i] ^ r0[i] ^ r1[i]) & m;
                                }
                                mine.put_all(&third[..w], self.bbits);
                                let base = r as usize * w;
                                self.b0[base..base + w].copy_from_slice(r0);
                                self.b1[base..base + w].copy_from_slice(r1);
                            }
                            Loc::Arith(r) => {
                                for t in 0..n {
                                    third[t] =
                                        x[t].wrapping_sub(r0[t]).wrapping_sub(r1[t]) & self.rmask;
                                }
                                mine.put_all(&third[..n], self.rbits);
                                let base = r as usize * n;
                                self.a0[base..base + n].copy_from_slice(r0);
                                self.a1[base..base + n].copy_from_slice(r1);
                            }
                            Loc::PubBool(_) | Loc::PubArith(_) => {}
                        }
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
                                self.alpha.prev.fill(&mut self.b0[dst]);
                            } else {
                                self.alpha.next.fill(&mut self.b1[dst]);
                            }
                            expect[o] += w * self.bbits as usize;
                        }
                        Loc::Arith(r) => {
                            let dst = r as usize * n..(r as usize + 1) * n;
                            if first {
                                self.alpha.prev.fill(&mut self.a0[dst]);
                            } else {
                                self.alpha.next.fill(&mut self.a1[dst]);
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
        third.zeroize();
        rows.zeroize();
        mine.finish();
        let mut bufs: [Vec<u8>; 3] = expect.map(|bits| vec![0u8; bits.div_ceil(8)]);
        {
            let mut sends: [&[u8]; 3] = [&[], &[], &[]];
            for (p, s) in sends.iter_mut().enumerate() {
                if p != me {
                    *s = &mine.bytes;
                }
            }
            let [x, y, z] = &mut bufs;
            exchange(peers, sends, [x, y, z])?;
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
                        let dst = r as usize * w..(r as usize + 1) * w;
                        let file = if first { &mut self.b1 } else { &mut self.b0 };
                        readers[o].get_all(&bufs[o], &mut file[dst], self.bbits);
                    }
                    Loc::Arith(r) => {
                        let dst = r as usize * n..(r as usize + 1) * n;
                        let file = if first { &mut self.a1 } else { &mut self.a0 };
                        readers[o].get_all(&bufs[o], &mut file[dst], self.rbits);
                    }
                    Loc::PubBool(_) | Loc::PubArith(_) => {}
                }
            }
        }
        for b in &mut bufs {
            b.zeroize();
        }
        mine.bytes.zeroize();
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
                    let gates = layer.mults() as u64;
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

    /// One layer's interactive gates: round 0 holds every AND and MUL and
    /// the first step of every conversion; later rounds the conversions'
    /// further steps, all conversions of the layer together.
    fn interactive(&mut self, layer: &Layer, peers: &mut Peers) -> Result<(), VmError> {
        self.prepare_conversions(layer);
        for r in 0..layer.rounds() {
            self.io.begin();
            if r == 0 {
                self.and_send::<true>(&layer.ands[0]);
                self.and_send::<false>(&layer.ands[1]);
                self.mul_send::<true>(&layer.muls[0]);
                self.mul_send::<false>(&layer.muls[1]);
            }
            self.b2a_step(layer, r, true);
            self.a2b_step(r, true);
            self.io.exchange(peers)?;
            if r == 0 {
                self.and_recv::<true>(&layer.ands[0]);
                self.and_recv::<false>(&layer.ands[1]);
                self.mul_recv::<true>(&layer.muls[0]);
                self.mul_recv::<false>(&layer.muls[1]);
            }
            self.b2a_step(layer, r, false);
            self.a2b_step(r, false);
        }
        self.finish_conversions(layer);
        Ok(())
    }

    /// AND gates resharing forward (`FWD`) or backward: `t_i = x_i y_i ⊕
    /// x_i y_{i+1} ⊕ x_{i+1} y_i ⊕ α_i`, kept as first (second) share and
    /// sent to the previous (next) party.
    fn and_send<const FWD: bool>(&mut self, gates: &[[u32; 3]]) {
        let Engine {
            w,
            bbits,
            b0,
            b1,
            io,
            alpha,
            tmp,
            ..
        } = self;
        let (w, bbits) = (*w, *bbits);
        let out = if FWD { &mut io.fwd } else { &mut io.bwd };
        if tmp.len() < ALPHA_WORDS.max(w) {
            tmp.resize(ALPHA_WORDS.max(w), 0);
        }
        if w == 1 {
            // One word per gate: compute a group, then scatter and send it.
            for group in gates.chunks(ALPHA_WORDS) {
                let (rn, rp) = alpha.draw(group.len());
                let ts = &mut tmp[..group.len()];
                for (k, &[a, b, _]) in group.iter().enumerate() {
                    let (a, b) = (a as usize, b as usize);
                    ts[k] = and_share(b0[a], b1[a], b0[b], b1[b]) ^ rn[k] ^ rp[k];
                }
                let keep = if FWD { &mut *b0 } else { &mut *b1 };
                for (&[_, _, o], &t) in group.iter().zip(ts.iter()) {
                    keep[o as usize] = t;
                }
                out.put_all(ts, bbits);
            }
            return;
        }
        let row = &mut tmp[..w];
        for group in gates.chunks((ALPHA_WORDS / w).max(1)) {
            let (rn, rp) = alpha.draw(group.len() * w);
            for (k, &[a, b, o]) in group.iter().enumerate() {
                let (a, b, o) = (a as usize * w, b as usize * w, o as usize * w);
                let (x0, x1, y0, y1) = (&b0[a..a + w], &b1[a..a + w], &b0[b..b + w], &b1[b..b + w]);
                let (rn, rp) = (&rn[k * w..(k + 1) * w], &rp[k * w..(k + 1) * w]);
                for i in 0..w {
                    row[i] = and_share(x0[i], x1[i], y0[i], y1[i]) ^ rn[i] ^ rp[i];
                }
                if FWD {
                    b0[o..o + w].copy_from_slice(row);
                } else {
                    b1[o..o + w].copy_from_slice(row);
                }
                out.put_all(row, bbits);
            }
        }
    }

    /// The other share of each AND gate: from the next party for forward
    /// gates (its first share is our second), from the previous otherwise.
    fn and_recv<const FWD: bool>(&mut self, gates: &[[u32; 3]]) {
        let Engine {
            w,
            bbits,
            b0,
            b1,
            io,
            tmp,
            ..
        } = self;
        let (w, bbits) = (*w, *bbits);
        let (rd, bytes, dst) = if FWD {
            (&mut io.rd_next, &io.from_next, b1)
        } else {
            (&mut io.rd_prev, &io.from_prev, b0)
        };
        if w == 1 {
            if tmp.len() < ALPHA_WORDS {
                tmp.resize(ALPHA_WORDS, 0);
            }
            let ts = &mut tmp[..ALPHA_WORDS];
            for group in gates.chunks(ALPHA_WORDS) {
                rd.get_all(bytes, &mut ts[..group.len()], bbits);
                for (&[_, _, o], &t) in group.iter().zip(ts.iter()) {
                    dst[o as usize] = t;
                }
            }
            return;
        }
        for &[_, _, o] in gates {
            let o = o as usize * w;
            rd.get_all(bytes, &mut dst[o..o + w], bbits);
        }
    }

    /// MUL gates resharing forward (`FWD`) or backward: `t_i = x_i y_i +
    /// x_i y_{i+1} + x_{i+1} y_i + α_i`.
    fn mul_send<const FWD: bool>(&mut self, gates: &[[u32; 3]]) {
        let Engine {
            n,
            rbits,
            rmask,
            a0,
            a1,
            io,
            alpha,
            tmp,
            ..
        } = self;
        let (n, rbits, rmask) = (*n, *rbits, *rmask);
        let out = if FWD { &mut io.fwd } else { &mut io.bwd };
        if tmp.len() < ALPHA_WORDS.max(n) {
            tmp.resize(ALPHA_WORDS.max(n), 0);
        }
        if n == 1 {
            for group in gates.chunks(ALPHA_WORDS) {
                let (rn, rp) = alpha.draw(group.len());
                let ts = &mut tmp[..group.len()];
                for (k, &[a, b, _]) in group.iter().enumerate() {
                    let (a, b) = (a as usize, b as usize);
                    ts[k] = mul_share(a0[a], a1[a], a0[b], a1[b])
                        .wrapping_add(rn[k])
                        .wrapping_sub(rp[k])
                        & rmask;
                }
                let keep = if FWD { &mut *a0 } else { &mut *a1 };
                for (&[_, _, o], &t) in group.iter().zip(ts.iter()) {
                    keep[o as usize] = t;
                }
                out.put_all(ts, rbits);
            }
            return;
        }
        let row = &mut tmp[..n];
        for group in gates.chunks((ALPHA_WORDS / n).max(1)) {
            let (rn, rp) = alpha.draw(group.len() * n);
            for (k, &[a, b, o]) in group.iter().enumerate() {
                let (a, b, o) = (a as usize * n, b as usize * n, o as usize * n);
                let (x0, x1, y0, y1) = (&a0[a..a + n], &a1[a..a + n], &a0[b..b + n], &a1[b..b + n]);
                let (rn, rp) = (&rn[k * n..(k + 1) * n], &rp[k * n..(k + 1) * n]);
                for i in 0..n {
                    row[i] = mul_share(x0[i], x1[i], y0[i], y1[i])
                        .wrapping_add(rn[i])
                        .wrapping_sub(rp[i])
                        & rmask;
                }
                if FWD {
                    a0[o..o + n].copy_from_slice(row);
                } else {
                    a1[o..o + n].copy_from_slice(row);
                }
                out.put_all(row, rbits);
            }
        }
    }

    /// The other share of each MUL gate (see [`Engine::and_recv`]).
    fn mul_recv<const FWD: bool>(&mut self, gates: &[[u32; 3]]) {
        let Engine {
            n,
            rbits,
            a0,
            a1,
            io,
            tmp,
            ..
        } = self;
        let (n, rbits) = (*n, *rbits);
        let (rd, bytes, dst) = if FWD {
            (&mut io.rd_next, &io.from_next, a1)
        } else {
            (&mut io.rd_prev, &io.from_prev, a0)
        };
        if n == 1 {
            if tmp.len() < ALPHA_WORDS {
                tmp.resize(ALPHA_WORDS, 0);
            }
            let ts = &mut tmp[..ALPHA_WORDS];
            for group in gates.chunks(ALPHA_WORDS) {
                rd.get_all(bytes, &mut ts[..group.len()], rbits);
                for (&[_, _, o], &t) in group.iter().zip(ts.iter()) {
                    dst[o as usize] = t;
                }
            }
            return;
        }
        for &[_, _, o] in gates {
            let o = o as usize * n;
            rd.get_all(bytes, &mut dst[o..o + n], rbits);
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
            // Wire by wire into rows, then rows into the instance-major
            // words a block of wires at a time (no strided accesses).
            let width = locs.len();
            let mut words = vec![0u64; n * width];
            let mut rows = vec![0u64; BLOCK.min(width) * n];
            for (first, block) in locs.chunks(BLOCK).enumerate() {
                let first = first * BLOCK;
                for (jj, loc) in block.iter().enumerate() {
                    let row = &mut rows[jj * n..(jj + 1) * n];
                    match *loc {
                        Loc::Bool(r) => {
                            let base = r as usize * w;
                            for i in 0..w {
                                let v = rd.get(&buf, self.bbits)
                                    ^ self.b0[base + i]
                                    ^ self.b1[base + i];
                                let lanes = &mut row[i * 64..((i + 1) * 64).min(n)];
                                for (k, x) in lanes.iter_mut().enumerate() {
                                    *x = (v >> k) & 1;
                                }
                            }
                        }
                        Loc::Arith(r) => {
                            let base = r as usize * n;
                            for (t, x) in row.iter_mut().enumerate() {
                                let v = rd.get(&buf, self.rbits);
                                *x = v
                                    .wrapping_add(self.a0[base + t])
                                    .wrapping_add(self.a1[base + t])
                                    & self.rmask;
                            }
                        }
                        Loc::PubBool(p) => {
                            let bits = &self.pb[p as usize * w..(p as usize + 1) * w];
                            for (t, x) in row.iter_mut().enumerate() {
                                *x = lane(bits, t);
                            }
                        }
                        Loc::PubArith(p) => {
                            row.copy_from_slice(&self.pa[p as usize * n..(p as usize + 1) * n]);
                        }
                    }
                }
                for t in 0..n {
                    let dst = &mut words[t * width + first..t * width + first + block.len()];
                    for (jj, d) in dst.iter_mut().enumerate() {
                        *d = rows[jj * n + t];
                    }
                }
            }
            rows.zeroize();
            result.push(Some(words));
        }
        buf.zeroize();
        Ok(result)
    }
}

/// `v[o..o+len] = f(v[a..])` elementwise.
#[inline]
fn const_op(v: &mut [u64], a: usize, o: usize, len: usize, f: impl Fn(u64) -> u64) {
    if len == 1 {
        v[o] = f(v[a]);
    } else if disjoint(o, a, len) {
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
