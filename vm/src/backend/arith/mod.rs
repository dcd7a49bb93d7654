//! Arith: additive secret sharing over Z_2^k (`k` the circuit's
//! `ring_bits`) among N ≥ 2 parties, for arithmetic and mixed circuits;
//! semi-honest, secure against any coalition of up to N − 1 compute parties
//! (with OT preprocessing).
//!
//! Parties follow gmw's rules ([`crate::backend::gmw`]): the circuit's own,
//! then compute-only helpers (`helper1`, …) up to `--parties N`, at least two;
//! with `--preprocessing dealer` one more party, `dealer`, that only deals
//! the correlated randomness and is trusted (INSECURE against it).
//!
//! Values: every secret wire holds, per instance, one `u64` share: an
//! additive share mod 2^k for arithmetic wires, an XOR share in the low bit
//! for Boolean wires. A register holds `instances` words (`--parallel`), so
//! one instance costs one word per wire.
//!
//! Gates:
//! - local: `+`, `−`, multiplication by a public value or constant, XOR, NOT,
//!   AND with a public bit; a public value is added (or a bit flipped) by
//!   party 0 only;
//! - MUL through arithmetic Beaver triples `(a, b, c = ab)`: open
//!   `d = x − a`, `e = y − b`, then `z_i = c_i + d·b_i + e·a_i (+ d·e for party 0)`;
//! - AND the same over GF(2) with Boolean triples ([`boolean`]);
//! - `BitsToArith` with one daBit `r` (a random bit shared both ways) per
//!   secret bit: open `c = b ⊕ r` (Boolean), then `[b]_A = c + [r]_A − 2c[r]_A`
//!   locally, and `Σ 2^i [b_i]_A`;
//! - `ArithToBits` to `K` bits with a random mask `r = Σ_{i<K} 2^i r_i + 2^K R`
//!   whose low `K` bits are daBits and whose high part `R` is the sum of a
//!   fresh local random value of each party: open `y = x − r` (arithmetic),
//!   then add the public `y` to the shared bits `r_i` with a ripple-carry
//!   adder (one AND per bit, since `y` is public: `K − 2` more rounds).
//!
//! Message flow of one run (between compute parties unless marked):
//! 1. triples: with a dealer, dealer → each party 16-byte seeds (Boolean
//!    triples, then arithmetic triples and daBits), and → the last compute
//!    party its explicit `c` words and daBit shares; with OT, the Boolean
//!    triples of [`boolean::generate_ot`], the arithmetic triples of
//!    [`arith::ot_triples`] (Gilboa), and the daBits of [`arith::ot_dabits`]
//!    (N − 1 rounds of openings);
//! 2. inputs: party `i` → every `j > i` a fresh 16-byte seed; the pair's
//!    stream gives the non-owner's shares, the owner keeps its value minus
//!    (or XOR) the streams, so no share travels;
//! 3. evaluate: per layer of the schedule ([`Layers`]), local gates, then ONE
//!    message per peer with every opening of the layer: `d`, `e` of every
//!    MUL, `y` of every `ArithToBits` (words mod 2^k), then, bit-packed,
//!    `d`, `e` of every AND and `c` of every `BitsToArith` bit; then the carry
//!    rounds of the layer's `ArithToBits` gates, if any, one message each;
//! 4. outputs: each party sends its shares of an output's secret wires to
//!    that output's recipients only (pair by pair, the lower index first).
//!
//! Security: semi-honest. Every opened value is masked by a fresh triple
//! element or daBit (or uniform mask `r`), and input shares by fresh PRG
//! streams, so a coalition's view is uniform apart from its outputs. Every
//! message has a length fixed by the circuit and any bit pattern is a valid
//! share, so a peer cannot make a party panic; a peer that hangs up gives an
//! error naming it.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use veil_circuit::{Domain, ValidCircuit};

use super::layers::{Interactive, Layers, LocalOp, Operand, Src};
use super::{
    sharing_parties, BackendKind, BackendOptions, KnownInputs, Phases, Protocol, ReceivedOutputs,
    Session, SharingParties,
};
use crate::block::Block;
use crate::crypto::Prg;
use crate::error::VmError;
use crate::net::Peers;
use crate::preprocess::arith::{self, ArithTriples, DaBits};
use crate::preprocess::boolean::{self, BoolTriples};

/// What one layer consumes, per instance.
#[derive(Debug, Clone, Copy, Default)]
struct LayerCost {
    muls: usize,
    ands: usize,
    /// Secret bits of `BitsToArith` gates (one daBit each).
    b2a_bits: usize,
    /// `ArithToBits` gates.
    a2b: usize,
    /// Their output bits (one daBit each).
    a2b_bits: usize,
    /// ANDs of their carry chains.
    carry_ands: usize,
    /// The most output bits of one `ArithToBits` gate.
    a2b_max: usize,
}

/// The arith backend for one circuit. With [`Preprocessing::Dealer`](crate::preprocess::Preprocessing::Dealer) it is
/// INSECURE against the dealer party (see the module documentation).
#[derive(Debug)]
pub struct Arith {
    circuit: Arc<ValidCircuit>,
    layers: Layers,
    costs: Vec<LayerCost>,
    total: LayerCost,
    parties: Vec<String>,
    compute: usize,
    dealer: Option<usize>,
}

/// One run's correlated randomness, consumed in schedule order.
struct Material {
    mul: ArithTriples,
    and: BoolTriples,
    dabits: DaBits,
}

/// One party's wire values: `w` words per register and per public slot.
struct State {
    w: usize,
    reg: Vec<u64>,
    public: Vec<u64>,
}

impl Arith {
    /// Prepares `circuit` (arithmetic, Boolean or mixed) for
    /// `options.parties` compute parties (default: the circuit's, at least two).
    pub fn new(circuit: Arc<ValidCircuit>, options: &BackendOptions) -> Result<Arith, VmError> {
        let c = circuit.circuit();
        let SharingParties {
            names: parties,
            compute,
            dealer,
        } = sharing_parties("arith", c, options)?;
        let layers = Layers::new(c);
        let mut costs = Vec::with_capacity(layers.layers.len());
        let mut total = LayerCost::default();
        for l in &layers.layers {
            let mut k = LayerCost::default();
            for g in &l.interactive {
                match g {
                    Interactive::Mul { .. } => k.muls += 1,
                    Interactive::And { .. } => k.ands += 1,
                    Interactive::BitsToArith { bits, .. } => {
                        k.b2a_bits += bits
                            .iter()
                            .filter(|o| matches!(o, Operand::Secret(_)))
                            .count()
                    }
                    Interactive::ArithToBits { outs, .. } => {
                        k.a2b += 1;
                        k.a2b_bits += outs.len();
                        k.carry_ands += outs.len().saturating_sub(2);
                        k.a2b_max = k.a2b_max.max(outs.len());
                    }
                }
            }
            total.muls += k.muls;
            total.ands += k.ands + k.carry_ands;
            total.b2a_bits += k.b2a_bits;
            total.a2b_bits += k.a2b_bits;
            costs.push(k);
        }
        Ok(Arith {
            circuit,
            layers,
            costs,
            total,
            parties,
            compute,
            dealer,
        })
    }

    /// Per run of `instances`: (arithmetic triples, Boolean triple words, daBits).
    fn needs(&self, instances: usize) -> (usize, usize, usize) {
        let t = &self.total;
        (
            t.muls * instances,
            (t.ands * instances).div_ceil(64),
            (t.b2a_bits + t.a2b_bits) * instances,
        )
    }

    /// The correlated randomness of one run (phase "triples", and "set-up"
    /// the first time OT is needed).
    fn preprocess(
        &self,
        instances: usize,
        peers: &mut Peers,
        session: &mut Session,
        phases: &mut Phases,
    ) -> Result<Material, VmError> {
        let (me, n) = (peers.me(), self.compute);
        let (muls, words, dabits) = self.needs(instances);
        let k = self.layers.ring_bits;
        if let Some(dealer) = self.dealer {
            return phases.time("triples", || {
                let and = boolean::receive_dealt(peers, dealer, me == n - 1, words)?;
                let (mul, dabits) =
                    arith::receive_dealt(peers, dealer, me == n - 1, muls, dabits, k)?;
                Ok(Material { mul, and, dabits })
            });
        }
        let fold = (n - 1) * dabits;
        if (words > 0 || muls + fold > 0) && !boolean::ot_ready(session, me, n) {
            phases.time("set-up", || boolean::setup_ot(peers, session, n))?;
        }
        phases.time("triples", || {
            let and = boolean::generate_ot(peers, session, n, words)?;
            let mut mul = arith::ot_triples(peers, session, muls + fold, k)?;
            let extra = ArithTriples {
                a: mul.a.split_off(muls),
                b: mul.b.split_off(muls),
                c: mul.c.split_off(muls),
            };
            let dabits = arith::ot_dabits(peers, n, dabits, k, &extra)?;
            Ok(Material { mul, and, dabits })
        })
    }

    /// A compute party's run.
    fn compute_side(
        &self,
        inputs: &KnownInputs,
        instances: usize,
        peers: &mut Peers,
        session: &mut Session,
        phases: &mut Phases,
    ) -> Result<ReceivedOutputs, VmError> {
        let material = self.preprocess(instances, peers, session, phases)?;
        let w = instances;
        let mut st = State {
            w,
            reg: vec![0; self.layers.registers as usize * w],
            public: vec![0; self.layers.pub_slots as usize * w],
        };
        phases.time("inputs", || self.share_inputs(inputs, &mut st, peers))?;
        let progress = session.progress.clone();
        phases.time("evaluate", || {
            self.evaluate(&mut st, &material, peers, |gates| {
                if let Some(p) = &progress {
                    p.fetch_add((gates * instances) as u64, Ordering::Relaxed);
                }
            })
        })?;
        phases.time("outputs", || self.open_outputs(&st, peers))
    }

    /// Public inputs and gates, then the shares of every secret input.
    fn share_inputs(
        &self,
        inputs: &KnownInputs,
        st: &mut State,
        peers: &mut Peers,
    ) -> Result<(), VmError> {
        let c = self.circuit.circuit();
        let (me, n, w) = (peers.me(), self.compute, st.w);
        let mask = veil_circuit::validate::ring_mask(self.layers.ring_bits);
        let slots = self.layers.pub_slots as usize;
        // Public values, instance by instance, then slot-major.
        let mut one = vec![0u64; slots];
        for i in 0..w {
            one.fill(0);
            for ((g, srcs), words) in c.inputs.iter().zip(&self.layers.inputs).zip(inputs) {
                if let (true, Some(words)) = (g.public, words) {
                    let width = srcs.len();
                    for (s, &x) in srcs.iter().zip(&words[i * width..(i + 1) * width]) {
                        if let Src::Known(k) = *s {
                            one[k as usize] = x;
                        }
                    }
                }
            }
            self.layers.eval_public(&mut one);
            for (s, &x) in one.iter().enumerate() {
                st.public[s * w + i] = x;
            }
        }
        if c.inputs.iter().all(|g| g.public) {
            return Ok(());
        }
        let mut prgs: Vec<Option<Prg>> = (0..n).map(|_| None).collect();
        let mut os = Prg::from_os()?;
        for (p, slot) in prgs.iter_mut().enumerate().skip(me + 1) {
            let seed = os.block();
            let ch = peers.channel(p)?;
            ch.send(&seed.to_bytes())?;
            ch.flush()?;
            *slot = Some(Prg::from_seed(seed));
        }
        for (p, slot) in prgs.iter_mut().enumerate().take(me) {
            let mut seed = [0u8; 16];
            peers.channel(p)?.recv(&mut seed)?;
            *slot = Some(Prg::from_seed(Block::from_bytes(seed)));
        }
        let mut stream = Vec::new();
        let mut shares = Vec::new();
        for ((g, srcs), words) in c.inputs.iter().zip(&self.layers.inputs).zip(inputs) {
            if g.public {
                continue;
            }
            let width = srcs.len();
            let m = if g.domain == Domain::Bool { 1 } else { mask };
            let arith = g.domain != Domain::Bool;
            // Wire-major: wire j of instance i at j·w + i.
            shares.clear();
            shares.resize(width * w, 0);
            stream.resize(width * w, 0);
            let owner = g.party as usize;
            if owner == me {
                let words = words.as_deref().ok_or_else(|| {
                    VmError::Input(format!(
                        "party `{}` lacks its input `{}`",
                        self.parties[me], g.name
                    ))
                })?;
                for (i, inst) in words.chunks_exact(width.max(1)).take(w).enumerate() {
                    for (j, &x) in inst.iter().enumerate() {
                        shares[j * w + i] = x & m;
                    }
                }
                for prg in prgs.iter_mut().flatten() {
                    boolean::fill_words(prg, &mut stream);
                    for (s, r) in shares.iter_mut().zip(&stream) {
                        *s = if arith {
                            s.wrapping_sub(*r) & m
                        } else {
                            (*s ^ r) & 1
                        };
                    }
                }
            } else if let Some(prg) = prgs[owner].as_mut() {
                boolean::fill_words(prg, &mut shares);
                for s in shares.iter_mut() {
                    *s &= m;
                }
            }
            for (s, share) in srcs.iter().zip(shares.chunks_exact(w)) {
                if let Src::Secret(r) = *s {
                    st.reg[r as usize * w..][..w].copy_from_slice(share);
                }
            }
        }
        Ok(())
    }

    /// Runs the layers: local gates, then one opening per layer (and the
    /// carry rounds of its `ArithToBits` gates).
    fn evaluate(
        &self,
        st: &mut State,
        mat: &Material,
        peers: &mut Peers,
        count: impl Fn(usize),
    ) -> Result<(), VmError> {
        let (me, n, w) = (peers.me(), self.compute, st.w);
        let first = me == 0;
        let mask = veil_circuit::validate::ring_mask(self.layers.ring_bits);
        let p0 = if first { u64::MAX } else { 0 };
        let (reg, public) = (&mut st.reg[..], &st.public[..]);
        let mut os = Prg::from_os()?;
        let mut msg: Vec<u64> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        let mut ys: Vec<u64> = Vec::new();
        let mut carry: Vec<u64> = Vec::new();
        let mut sums: Vec<u64> = Vec::new();
        // Consumption counters: arithmetic triples, Boolean triples, daBits.
        let (mut tm, mut tb, mut td) = (0usize, 0usize, 0usize);
        let bit = |v: &[u64], t: usize| (v[t / 64] >> (t % 64)) & 1;
        let (ta, tbb, tc) = (&mat.mul.a[..], &mat.mul.b[..], &mat.mul.c[..]);
        let (ba, bb, bc) = (&mat.and.a[..], &mat.and.b[..], &mat.and.c[..]);
        let (db, da) = (&mat.dabits.b[..], &mat.dabits.a[..]);
        for (layer, cost) in self.layers.layers.iter().zip(&self.costs) {
            for op in &layer.local {
                local(op, reg, public, w, mask, p0);
            }
            if layer.interactive.is_empty() {
                continue;
            }
            let arith_words = (2 * cost.muls + cost.a2b) * w;
            let bool_bits = (2 * cost.ands + cost.b2a_bits) * w;
            msg.clear();
            msg.resize(arith_words + bool_bits.div_ceil(64), 0);
            let (m0, b0, d0) = (tm, tb, td);
            // Build the opening: arithmetic words first.
            let mut at = 0;
            let d_a2b = d0 + cost.b2a_bits * w;
            let mut dcur = d_a2b;
            for g in &layer.interactive {
                match *g {
                    Interactive::Mul { a, b, .. } => {
                        let (a, b) = (a as usize * w, b as usize * w);
                        for i in 0..w {
                            msg[at] = reg[a + i].wrapping_sub(ta[tm]) & mask;
                            msg[at + 1] = reg[b + i].wrapping_sub(tbb[tm]) & mask;
                            at += 2;
                            tm += 1;
                        }
                    }
                    Interactive::ArithToBits { input, ref outs } => {
                        let x = input as usize * w;
                        let kk = outs.len();
                        for i in 0..w {
                            let mut r = 0u64;
                            for j in 0..kk {
                                r = r.wrapping_add(da[dcur + j] << j);
                            }
                            if kk < 64 {
                                // 2^K·R: this party's part of the mask's unknown high bits.
                                r = r.wrapping_add((os.block().to_u128() as u64) << kk);
                            }
                            msg[at] = reg[x + i].wrapping_sub(r) & mask;
                            at += 1;
                            dcur += kk;
                        }
                    }
                    _ => {}
                }
            }
            // Then the Boolean bits.
            let mut bi = 0usize;
            let mut dcur = d0;
            let base = arith_words;
            let put = |msg: &mut [u64], bi: &mut usize, v: u64| {
                msg[base + *bi / 64] |= (v & 1) << (*bi % 64);
                *bi += 1;
            };
            for g in &layer.interactive {
                match *g {
                    Interactive::And { a, b, .. } => {
                        let (a, b) = (a as usize * w, b as usize * w);
                        for i in 0..w {
                            put(&mut msg, &mut bi, reg[a + i] ^ bit(ba, tb));
                            put(&mut msg, &mut bi, reg[b + i] ^ bit(bb, tb));
                            tb += 1;
                        }
                    }
                    Interactive::BitsToArith { ref bits, .. } => {
                        for o in bits {
                            if let Operand::Secret(r) = *o {
                                let r = r as usize * w;
                                for i in 0..w {
                                    put(&mut msg, &mut bi, reg[r + i] ^ db[dcur]);
                                    dcur += 1;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            arith::open_shares(peers, n, &mut msg, arith_words, mask, &mut bytes)?;
            // Results.
            (tm, tb) = (m0, b0);
            let mut at = 0;
            let mut bi = 0usize;
            let get = |msg: &[u64], bi: &mut usize| {
                let v = (msg[base + *bi / 64] >> (*bi % 64)) & 1;
                *bi += 1;
                v
            };
            let mut dcur = d0;
            ys.clear();
            for g in &layer.interactive {
                match *g {
                    Interactive::Mul { out, .. } => {
                        let o = out as usize * w;
                        for i in 0..w {
                            let (d, e) = (msg[at], msg[at + 1]);
                            at += 2;
                            let z = tc[tm]
                                .wrapping_add(d.wrapping_mul(tbb[tm]))
                                .wrapping_add(e.wrapping_mul(ta[tm]))
                                .wrapping_add(d.wrapping_mul(e) & p0);
                            reg[o + i] = z & mask;
                            tm += 1;
                        }
                    }
                    Interactive::ArithToBits { .. } => {
                        for _ in 0..w {
                            ys.push(msg[at]);
                            at += 1;
                        }
                    }
                    Interactive::And { out, .. } => {
                        let o = out as usize * w;
                        for i in 0..w {
                            let d = get(&msg, &mut bi);
                            let e = get(&msg, &mut bi);
                            reg[o + i] = bit(bc, tb)
                                ^ (d & bit(bb, tb))
                                ^ (e & bit(ba, tb))
                                ^ (d & e & p0 & 1);
                            tb += 1;
                        }
                    }
                    Interactive::BitsToArith { ref bits, out } => {
                        let o = out as usize * w;
                        for i in 0..w {
                            reg[o + i] = 0;
                        }
                        for (j, op) in bits.iter().enumerate() {
                            let weight = 1u64 << j;
                            match *op {
                                Operand::Secret(_) => {
                                    for i in 0..w {
                                        let c = get(&msg, &mut bi);
                                        // [b] = c + [r](1 − 2c).
                                        let r = da[dcur];
                                        let v = (c & p0)
                                            .wrapping_add(r.wrapping_mul(1u64.wrapping_sub(2 * c)));
                                        reg[o + i] =
                                            reg[o + i].wrapping_add(v.wrapping_mul(weight)) & mask;
                                        dcur += 1;
                                    }
                                }
                                Operand::Known(p) => {
                                    let p = p as usize * w;
                                    for i in 0..w {
                                        let v = (public[p + i] & 1) & p0;
                                        reg[o + i] =
                                            reg[o + i].wrapping_add(v.wrapping_mul(weight)) & mask;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            debug_assert_eq!(dcur, d_a2b);
            count(cost.muls + cost.ands);
            // ArithToBits: x = y + r on bits, ripple-carry with public y.
            if cost.a2b > 0 {
                let units = cost.a2b * w;
                let kmax = cost.a2b_max;
                // Per unit (gate, instance): its daBit offset, bit count.
                sums.clear();
                sums.resize(units * kmax, 0);
                carry.clear();
                carry.resize(units, 0);
                let y0 = |y: u64, j: usize| (y >> j) & 1 & p0;
                let mut u = 0;
                let mut dcur = d_a2b;
                for g in &layer.interactive {
                    if let Interactive::ArithToBits { ref outs, .. } = *g {
                        let kk = outs.len();
                        for _ in 0..w {
                            let y = ys[u];
                            let r0 = db[dcur];
                            sums[u * kmax] = y0(y, 0) ^ r0;
                            // c_1 = y_0 ∧ r_0 (y public: local).
                            carry[u] = ((y & 1) & r0) & 1;
                            if kk > 1 {
                                sums[u * kmax + 1] = y0(y, 1) ^ db[dcur + 1] ^ carry[u];
                            }
                            u += 1;
                            dcur += kk;
                        }
                    }
                }
                // Rounds j = 1 .. kmax − 2: c_{j+1} = r_j c_j ⊕ y_j (r_j ⊕ c_j).
                for j in 1..kmax.saturating_sub(1) {
                    msg.clear();
                    let active: usize = layer
                        .interactive
                        .iter()
                        .map(|g| match g {
                            Interactive::ArithToBits { outs, .. } if outs.len() > j + 1 => w,
                            _ => 0,
                        })
                        .sum();
                    msg.resize((2 * active).div_ceil(64), 0);
                    let tj = tb;
                    let (mut u, mut dcur, mut bi) = (0, d_a2b, 0usize);
                    for g in &layer.interactive {
                        if let Interactive::ArithToBits { ref outs, .. } = *g {
                            let kk = outs.len();
                            for _ in 0..w {
                                if kk > j + 1 {
                                    let r = db[dcur + j];
                                    msg[bi / 64] |= ((r ^ bit(ba, tb)) & 1) << (bi % 64);
                                    bi += 1;
                                    msg[bi / 64] |= ((carry[u] ^ bit(bb, tb)) & 1) << (bi % 64);
                                    bi += 1;
                                    tb += 1;
                                }
                                u += 1;
                                dcur += kk;
                            }
                        }
                    }
                    arith::open_shares(peers, n, &mut msg, 0, mask, &mut bytes)?;
                    let (mut u, mut dcur, mut bi) = (0, d_a2b, 0usize);
                    tb = tj;
                    for g in &layer.interactive {
                        if let Interactive::ArithToBits { ref outs, .. } = *g {
                            let kk = outs.len();
                            for _ in 0..w {
                                if kk > j + 1 {
                                    let d = (msg[bi / 64] >> (bi % 64)) & 1;
                                    bi += 1;
                                    let e = (msg[bi / 64] >> (bi % 64)) & 1;
                                    bi += 1;
                                    let t = bit(bc, tb)
                                        ^ (d & bit(bb, tb))
                                        ^ (e & bit(ba, tb))
                                        ^ (d & e & p0 & 1);
                                    tb += 1;
                                    let r = db[dcur + j];
                                    let y = ys[u];
                                    let c = t ^ (((y >> j) & 1) & (r ^ carry[u]));
                                    carry[u] = c & 1;
                                    sums[u * kmax + j + 1] =
                                        y0(y, j + 1) ^ db[dcur + j + 1] ^ carry[u];
                                }
                                u += 1;
                                dcur += kk;
                            }
                        }
                    }
                }
                let mut u = 0;
                for g in &layer.interactive {
                    if let Interactive::ArithToBits { ref outs, .. } = *g {
                        for i in 0..w {
                            for (j, &o) in outs.iter().enumerate() {
                                reg[o as usize * w + i] = sums[(u + i) * kmax + j];
                            }
                        }
                        u += w;
                    }
                }
            }
            debug_assert_eq!(tm, m0 + cost.muls * w);
            td = d0 + (cost.b2a_bits + cost.a2b_bits) * w;
        }
        Ok(())
    }

    /// Sends this party's shares of each output to its recipients, and
    /// reconstructs the outputs it receives (instance-major words).
    fn open_outputs(&self, st: &State, peers: &mut Peers) -> Result<ReceivedOutputs, VmError> {
        let c = self.circuit.circuit();
        let (me, n, w) = (peers.me(), self.compute, st.w);
        let mask = veil_circuit::validate::ring_mask(self.layers.ring_bits);
        let to = |p: usize, g: usize| c.outputs[g].recipients.contains(&(p as u32));
        let mut bytes = Vec::new();
        let send = |p: usize, peers: &mut Peers, bytes: &mut Vec<u8>| -> Result<(), VmError> {
            bytes.clear();
            for (g, srcs) in self.layers.outputs.iter().enumerate() {
                if to(p, g) {
                    for s in srcs {
                        if let Src::Secret(r) = *s {
                            for x in &st.reg[r as usize * w..][..w] {
                                bytes.extend_from_slice(&x.to_le_bytes());
                            }
                        }
                    }
                }
            }
            if !bytes.is_empty() {
                let ch = peers.channel(p)?;
                ch.send(bytes)?;
                ch.flush()?;
            }
            Ok(())
        };
        let mut out = Vec::with_capacity(c.outputs.len());
        let mine: Vec<usize> = (0..c.outputs.len()).filter(|&g| to(me, g)).collect();
        // Wire-major values of my outputs: my shares, then everyone's added.
        let mut vals: Vec<Vec<u64>> = Vec::with_capacity(mine.len());
        for &g in &mine {
            let srcs = &self.layers.outputs[g];
            let mut v = vec![0u64; srcs.len() * w];
            for (s, v) in srcs.iter().zip(v.chunks_exact_mut(w.max(1))) {
                match *s {
                    Src::Known(k) => v.copy_from_slice(&st.public[k as usize * w..][..w]),
                    Src::Secret(r) => v.copy_from_slice(&st.reg[r as usize * w..][..w]),
                }
            }
            vals.push(v);
        }
        // Pair by pair, the lower index sending first, so that large
        // outputs never leave two parties both blocked on sending.
        for p in (0..n).filter(|&p| p != me) {
            if me < p {
                send(p, peers, &mut bytes)?;
            }
            for (&g, v) in mine.iter().zip(vals.iter_mut()) {
                let arith = c.outputs[g].domain != Domain::Bool;
                for (s, v) in self.layers.outputs[g]
                    .iter()
                    .zip(v.chunks_exact_mut(w.max(1)))
                {
                    if let Src::Secret(_) = *s {
                        bytes.resize(8 * w, 0);
                        peers.channel(p)?.recv(&mut bytes)?;
                        for (x, b) in v.iter_mut().zip(bytes.as_chunks::<8>().0) {
                            let y = u64::from_le_bytes(*b);
                            *x = if arith {
                                x.wrapping_add(y) & mask
                            } else {
                                (*x ^ y) & 1
                            };
                        }
                    }
                }
            }
            if me > p {
                send(p, peers, &mut bytes)?;
            }
        }
        let mut vals = vals.into_iter();
        for (g, srcs) in self.layers.outputs.iter().enumerate() {
            if !to(me, g) {
                out.push(None);
                continue;
            }
            let v = vals.next().unwrap_or_default();
            let width = srcs.len();
            let mut words = vec![0u64; w * width];
            for (i, inst) in words.chunks_exact_mut(width.max(1)).enumerate() {
                for (j, o) in inst.iter_mut().enumerate() {
                    *o = v[j * w + i];
                }
            }
            out.push(Some(words));
        }
        Ok(out)
    }
}

/// One local gate on `w` instances.
#[inline]
fn local(op: &LocalOp, reg: &mut [u64], public: &[u64], w: usize, mask: u64, p0: u64) {
    let at = |r: u32| r as usize * w;
    match *op {
        LocalOp::Xor { a, b, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i] ^ reg[at(b) + i];
            }
        }
        LocalOp::XorPub { a, p, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i] ^ (public[at(p) + i] & p0 & 1);
            }
        }
        LocalOp::Not { a, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i] ^ (p0 & 1);
            }
        }
        LocalOp::Copy { a, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i];
            }
        }
        LocalOp::AndPub { a, p, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i] & public[at(p) + i];
            }
        }
        LocalOp::Add { a, b, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i].wrapping_add(reg[at(b) + i]) & mask;
            }
        }
        LocalOp::Sub { a, b, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i].wrapping_sub(reg[at(b) + i]) & mask;
            }
        }
        LocalOp::AddPub { a, p, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i].wrapping_add(public[at(p) + i] & p0) & mask;
            }
        }
        LocalOp::PubSub { p, a, out } => {
            for i in 0..w {
                reg[at(out) + i] = (public[at(p) + i] & p0).wrapping_sub(reg[at(a) + i]) & mask;
            }
        }
        LocalOp::SubPub { a, p, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i].wrapping_sub(public[at(p) + i] & p0) & mask;
            }
        }
        LocalOp::MulPub { a, p, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i].wrapping_mul(public[at(p) + i]) & mask;
            }
        }
        LocalOp::AddConst { a, c, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i].wrapping_add(c & p0) & mask;
            }
        }
        LocalOp::MulConst { a, c, out } => {
            for i in 0..w {
                reg[at(out) + i] = reg[at(a) + i].wrapping_mul(c) & mask;
            }
        }
    }
}

impl Protocol for Arith {
    fn kind(&self) -> BackendKind {
        BackendKind::Arith
    }

    fn parties(&self) -> &[String] {
        &self.parties
    }

    /// Secret MUL and AND gates per instance (one triple each).
    fn paid_gates(&self) -> u64 {
        self.layers.counts.0 + self.layers.counts.1
    }

    fn batched(&self) -> bool {
        true
    }

    fn run_party(
        &self,
        inputs: &KnownInputs,
        instances: usize,
        peers: &mut Peers,
        session: &mut Session,
        phases: &mut Phases,
    ) -> Result<ReceivedOutputs, VmError> {
        if Some(peers.me()) == self.dealer {
            let (muls, words, dabits) = self.needs(instances);
            phases.time("triples", || {
                boolean::deal(peers, self.compute, words)?;
                arith::deal(peers, self.compute, muls, dabits, self.layers.ring_bits)
            })?;
            return Ok(vec![None; self.circuit.circuit().outputs.len()]);
        }
        self.compute_side(inputs, instances, peers, session, phases)
    }
}
