//! GMW: Boolean circuits among N ≥ 2 parties holding XOR shares of every
//! secret wire, AND gates through Beaver triples; semi-honest, secure against
//! any coalition of up to N − 1 compute parties (with OT preprocessing).
//!
//! Parties: the circuit's own, then compute-only helpers (`helper1`, … with
//! no inputs or outputs) up to `--parties N`, at least two in all (a
//! one-party circuit gets a helper). With `--preprocessing dealer` one more
//! party, `dealer`, generates the triples and does nothing else: that mode
//! is INSECURE against the dealer (it knows every triple, so any one party's
//! view or the traffic gives it every secret wire) and is meant for tests and
//! online-only benchmarks; the CLI prints [`Preprocessing::warning`](crate::preprocess::Preprocessing::warning).
//!
//! Values are bit-sliced: a register holds `⌈instances / 64⌉` words, instance
//! `i` at bit `i % 64` of word `i / 64`, so one XOR or AND instruction does 64
//! instances (`--parallel`), and one instance costs one word per wire.
//! Triples are generated densely (one per AND gate and instance, not per
//! word bit) and spread into words; the unused high bits of a last word
//! (padding lanes) get zero triples and so evaluate, unmasked, a dummy
//! instance whose secret inputs are zero. Every operation is bitwise, so
//! lanes never mix, and the padding lanes say nothing about real instances.
//!
//! Message flow of one run (between compute parties unless marked):
//! 1. triples ([`crate::preprocess::boolean`]): with OT, for every pair of
//!    parties two batches of IKNP OTs (set up once per session, the first
//!    time as phase "set-up") and, with three parties or more, correction
//!    bits; with a dealer, dealer → each party a 16-byte seed, and dealer →
//!    the last compute party its `c` words;
//! 2. inputs: party `i` → every party `j > i` a fresh 16-byte seed (one round,
//!    every run: the session keeps no state for it); the
//!    pair's AES-CTR stream ([`boolean::fill_words`]), read group by group in
//!    circuit order, `wires · ⌈instances / 64⌉` words for each secret group of
//!    either party, gives the non-owner's shares, and the owner keeps its
//!    bit-sliced value XOR the streams it shares with every other party, so
//!    no share travels at all;
//! 3. evaluate: per layer of the schedule ([`Layers`]), local gates without
//!    communication (a public bit or a NOT is applied by party 0 only, an AND
//!    with a public bit by all), then all AND gates of the layer in one
//!    message per peer: each party sends every other its shares of
//!    `d = x ⊕ a` and `e = y ⊕ b` for every gate, and sets
//!    `z_i = c_i ⊕ d·b_i ⊕ e·a_i (⊕ d·e for party 0)`; so the rounds are the
//!    AND-depth plus two (seeds, outputs), plus one where OT triples need
//!    corrections (three parties or more);
//! 4. outputs: each party sends its shares of an output's secret wires only
//!    to that output's recipients, who XOR them; a non-recipient receives
//!    nothing about it.
//!
//! Messages over a mebibyte are exchanged in mebibyte pieces, each piece
//! sent to every peer before any is read, so that parties sending each other
//! large messages never all block on full buffers (each channel holds at most
//! two pieces in flight, which the in-memory channels' 4 MiB always take; a
//! network channel must buffer as much); every piece after the first counts
//! as a round.
//!
//! Security: semi-honest. The opened `d`, `e` are masked by fresh triples
//! and the input shares by fresh PRG streams, so a coalition's view is
//! uniform apart from its own outputs. Nothing a peer sends can make a party
//! panic: every message has a length fixed by the circuit, any bit pattern is
//! a valid share, and a peer that hangs up or stalls gives a typed error
//! naming it.

mod program;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use veil_circuit::ValidCircuit;
use zeroize::{Zeroize, Zeroizing};

use self::program::{LayerEnd, Op, Program, PubGate};
use super::layers::{Layers, Src};
use super::{
    sharing_parties, BackendKind, BackendOptions, KnownInputs, Phases, Protocol, ReceivedOutputs,
    Session, SharingParties,
};
use crate::block::Block;
use crate::crypto::Prg;
use crate::error::VmError;
use crate::net::Peers;
use crate::preprocess::boolean::{self, BoolTriples};

/// Bytes per piece of a large message (see the module documentation).
const PIECE: usize = 1 << 20;

/// The GMW backend for one circuit. With [`Preprocessing::Dealer`](crate::preprocess::Preprocessing::Dealer) it is
/// INSECURE against the dealer party (see the module documentation).
#[derive(Debug)]
pub struct Gmw {
    circuit: Arc<ValidCircuit>,
    layers: Layers,
    program: Program,
    parties: Vec<String>,
    /// Compute parties: `0..compute` (the circuit's, then helpers).
    compute: usize,
    /// The dealer's index (`compute`), if triples come from a dealer.
    dealer: Option<usize>,
}

impl Gmw {
    /// Prepares `circuit`, which must be Boolean, for `options.parties`
    /// compute parties (default: the circuit's, at least two).
    pub fn new(circuit: Arc<ValidCircuit>, options: &BackendOptions) -> Result<Gmw, VmError> {
        let c = circuit.circuit();
        let unsupported = |why: String| VmError::Unsupported {
            backend: "gmw",
            why,
        };
        if !c.is_boolean() {
            return Err(unsupported(
                "it has arithmetic wires or gates; gmw runs Boolean circuits (compile with \
                 `--target bool`, or use `--backend arith` or `--backend rep3`)"
                    .into(),
            ));
        }
        let SharingParties {
            names: parties,
            compute,
            dealer,
        } = sharing_parties("gmw", c, options)?;
        let layers = Layers::new(c);
        let program = Program::new(&layers)
            .map_err(|what| unsupported(format!("its schedule has {what}; gmw is Boolean only")))?;
        Ok(Gmw {
            circuit,
            layers,
            program,
            parties,
            compute,
            dealer,
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
        let me = peers.me();
        let n = self.compute;
        let w = instances.div_ceil(64);
        let gates = self.program.ands.len();
        let words = (gates * instances).div_ceil(64);
        let dense = match self.dealer {
            Some(dealer) => phases.time("triples", || {
                boolean::receive_dealt(peers, dealer, me == n - 1, words)
            })?,
            None => {
                if words > 0 && !boolean::ot_ready(session, me, n) {
                    phases.time("set-up", || boolean::setup_ot(peers, session, n))?;
                }
                phases.time("triples", || boolean::generate_ot(peers, session, n, words))?
            }
        };
        let triples = phases.time("triples", || dense.spread(gates, instances));
        let mut st = State {
            w,
            reg: Zeroizing::new(vec![0; self.layers.registers as usize * w]),
            public: vec![0; self.layers.pub_slots as usize * w],
        };
        phases.time("inputs", || {
            self.share_inputs(inputs, instances, &mut st, peers)
        })?;
        let progress = session.progress.clone();
        phases.time("evaluate", || {
            let count = |ands: usize| {
                if let Some(p) = &progress {
                    p.fetch_add((ands * instances) as u64, Ordering::Relaxed);
                }
            };
            if w == 1 {
                evaluate::<1>(&self.program, &mut st, &triples, peers, n, count)
            } else {
                evaluate::<0>(&self.program, &mut st, &triples, peers, n, count)
            }
        })?;
        drop(triples);
        phases.time("outputs", || self.open_outputs(&st, instances, peers))
    }

    /// Public inputs into the public table (then the public gates), and the
    /// shares of every secret input (see step 2 of the module documentation).
    fn share_inputs(
        &self,
        inputs: &KnownInputs,
        instances: usize,
        st: &mut State,
        peers: &mut Peers,
    ) -> Result<(), VmError> {
        let c = self.circuit.circuit();
        let (me, n, w) = (peers.me(), self.compute, st.w);
        let mut sliced = Zeroizing::new(Vec::new());
        for ((g, srcs), words) in c.inputs.iter().zip(&self.layers.inputs).zip(inputs) {
            if let (true, Some(words)) = (g.public, words) {
                bit_slice(words, srcs.len(), instances, w, &mut sliced);
                for (s, bits) in srcs.iter().zip(sliced.chunks_exact(w)) {
                    if let Src::Known(k) = *s {
                        st.public[k as usize * w..][..w].copy_from_slice(bits);
                    }
                }
            }
        }
        eval_public(&self.program.pub_gates, &mut st.public, w);

        if c.inputs.iter().all(|g| g.public) {
            return Ok(());
        }
        let mut prgs: Vec<Option<Prg>> = (0..n).map(|_| None).collect();
        let mut os = Prg::from_os()?;
        for (p, slot) in prgs.iter_mut().enumerate().skip(me + 1) {
            let mut seed = os.block();
            let ch = peers.channel(p)?;
            ch.send(&seed.to_bytes())?;
            ch.flush()?;
            *slot = Some(Prg::from_seed(seed));
            seed.zeroize();
        }
        for (p, slot) in prgs.iter_mut().enumerate().take(me) {
            let mut seed = [0u8; 16];
            peers.channel(p)?.recv(&mut seed)?;
            *slot = Some(Prg::from_seed(Block::from_bytes(seed)));
            seed.zeroize();
        }
        for ((g, srcs), words) in c.inputs.iter().zip(&self.layers.inputs).zip(inputs) {
            if g.public {
                continue;
            }
            // The group's shares, wire by wire: the owner's is its value
            // XOR every stream it shares; everyone else's is the stream it
            // shares with the owner.
            let owner = g.party as usize;
            if owner == me {
                let words = words.as_deref().ok_or_else(|| {
                    VmError::Input(format!(
                        "party `{}` lacks its input `{}`",
                        self.parties[me], g.name
                    ))
                })?;
                bit_slice(words, srcs.len(), instances, w, &mut sliced);
                for prg in prgs.iter_mut().flatten() {
                    boolean::xor_words(prg, &mut sliced);
                }
            } else {
                sliced.clear();
                sliced.resize(srcs.len() * w, 0);
                if let Some(prg) = prgs[owner].as_mut() {
                    boolean::fill_words(prg, &mut sliced);
                }
            }
            for (s, share) in srcs.iter().zip(sliced.chunks_exact(w)) {
                if let Src::Secret(r) = *s {
                    st.reg[r as usize * w..][..w].copy_from_slice(share);
                }
            }
        }
        Ok(())
    }

    /// Sends this party's shares of each output to its recipients, and
    /// reconstructs the outputs it receives (instance-major words).
    fn open_outputs(
        &self,
        st: &State,
        instances: usize,
        peers: &mut Peers,
    ) -> Result<ReceivedOutputs, VmError> {
        let c = self.circuit.circuit();
        let (me, n, w) = (peers.me(), self.compute, st.w);
        let secret = |srcs: &[Src]| srcs.iter().filter(|s| matches!(s, Src::Secret(_))).count();
        // What each compute party receives from each other one, in bytes.
        let mut incoming = vec![0usize; n];
        for (g, srcs) in c.outputs.iter().zip(&self.layers.outputs) {
            for &r in &g.recipients {
                if let Some(len) = incoming.get_mut(r as usize) {
                    *len += 8 * w * secret(srcs);
                }
            }
        }
        let to = |p: usize, g: usize| c.outputs[g].recipients.contains(&(p as u32));
        let mut messages: Vec<Zeroizing<Vec<u8>>> = Vec::with_capacity(n);
        for (p, &len) in incoming.iter().enumerate() {
            let mut m = Zeroizing::new(Vec::with_capacity(if p == me { 0 } else { len }));
            if p != me {
                for (g, srcs) in self.layers.outputs.iter().enumerate() {
                    if to(p, g) {
                        for s in srcs {
                            if let Src::Secret(r) = *s {
                                for x in &st.reg[r as usize * w..][..w] {
                                    m.extend_from_slice(&x.to_le_bytes());
                                }
                            }
                        }
                    }
                }
            }
            messages.push(m);
        }
        // This party's own shares of its outputs, then everyone else's.
        let mut mine = Zeroizing::new(Vec::with_capacity(incoming[me] / 8));
        for (g, srcs) in self.layers.outputs.iter().enumerate() {
            if to(me, g) {
                for s in srcs {
                    if let Src::Secret(r) = *s {
                        mine.extend_from_slice(&st.reg[r as usize * w..][..w]);
                    }
                }
            }
        }
        let max_len = incoming.iter().copied().max().unwrap_or(0);
        let mut scratch = Zeroizing::new(vec![0u8; max_len.min(PIECE)]);
        exchange(
            peers,
            n,
            max_len,
            |p| &messages[p][..],
            |_| incoming[me],
            &mut scratch,
            |_, off, piece| xor_bytes_into(&mut mine[off / 8..], piece),
        )?;
        let mut shares = mine.iter();
        let mut out = Vec::with_capacity(c.outputs.len());
        for (g, srcs) in self.layers.outputs.iter().enumerate() {
            if !to(me, g) {
                out.push(None);
                continue;
            }
            let width = srcs.len();
            let mut bits = Zeroizing::new(Vec::with_capacity(width * w));
            for s in srcs {
                match *s {
                    Src::Known(k) => bits.extend_from_slice(&st.public[k as usize * w..][..w]),
                    Src::Secret(_) => bits.extend(shares.by_ref().take(w)),
                }
            }
            let mut words = vec![0u64; instances * width];
            for (i, inst) in words.chunks_exact_mut(width).enumerate() {
                for (o, bits) in inst.iter_mut().zip(bits.chunks_exact(w)) {
                    *o = (bits[i / 64] >> (i % 64)) & 1;
                }
            }
            out.push(Some(words));
        }
        Ok(out)
    }
}

impl Protocol for Gmw {
    fn kind(&self) -> BackendKind {
        BackendKind::Gmw
    }

    fn parties(&self) -> &[String] {
        &self.parties
    }

    /// Secret AND gates per instance (one triple each).
    fn paid_gates(&self) -> u64 {
        self.layers.counts.0
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
            let words = (self.program.ands.len() * instances).div_ceil(64);
            phases.time("triples", || boolean::deal(peers, self.compute, words))?;
            return Ok(vec![None; self.circuit.circuit().outputs.len()]);
        }
        self.compute_side(inputs, instances, peers, session, phases)
    }
}

/// One party's wire values during a run: `w` words per register and slot.
struct State {
    w: usize,
    /// Shares of the secret wires.
    reg: Zeroizing<Vec<u64>>,
    /// The public wires, bit-sliced like the shares.
    public: Vec<u64>,
}

/// Bit-slices an input group of `width` wires whose words are instance-major
/// (`words[i·width + j]` is instance `i`'s bit `j`): wire `j` goes to
/// `out[j·w .. (j + 1)·w]`, instance `i` at bit `i % 64` of its word `i / 64`.
fn bit_slice(words: &[u64], width: usize, instances: usize, w: usize, out: &mut Vec<u64>) {
    out.clear();
    out.resize(width * w, 0);
    if width == 0 {
        return;
    }
    for (i, inst) in words.chunks_exact(width).take(instances).enumerate() {
        let (word, bit) = (i / 64, i % 64);
        for (j, &x) in inst.iter().enumerate() {
            out[j * w + word] |= (x & 1) << bit;
        }
    }
}

/// Evaluates the public gates on bit-sliced slots.
fn eval_public(gates: &[PubGate], v: &mut [u64], w: usize) {
    let at = |s: u32, i: usize| s as usize * w + i;
    for g in gates {
        for i in 0..w {
            match *g {
                PubGate::Xor { a, b, out } => v[at(out, i)] = v[at(a, i)] ^ v[at(b, i)],
                PubGate::And { a, b, out } => v[at(out, i)] = v[at(a, i)] & v[at(b, i)],
                PubGate::Not { a, out } => v[at(out, i)] = !v[at(a, i)],
                PubGate::Const { value, out } => {
                    v[at(out, i)] = 0u64.wrapping_sub(u64::from(value))
                }
                PubGate::Copy { a, out } => v[at(out, i)] = v[at(a, i)],
            }
        }
    }
}

/// `dst[k] ^= ` the `k`-th little-endian word of `bytes`.
#[inline]
fn xor_bytes_into(dst: &mut [u64], bytes: &[u8]) {
    for (d, b) in dst.iter_mut().zip(bytes.as_chunks::<8>().0) {
        *d ^= u64::from_le_bytes(*b);
    }
}

/// Runs the layers (`W = 1` for one word per register, `0` for `st.w`):
/// local ops, then the layer's AND gates in one exchange.
fn evaluate<const W: usize>(
    prog: &Program,
    st: &mut State,
    t: &BoolTriples,
    peers: &mut Peers,
    n: usize,
    count: impl Fn(usize),
) -> Result<(), VmError> {
    let w = if W == 0 { st.w } else { W };
    let me = peers.me();
    let first = me == 0;
    let flip = 0u64.wrapping_sub(u64::from(first));
    let (reg, public) = (&mut st.reg[..], &st.public[..]);
    let (ta, tb, tc) = (&t.a[..], &t.b[..], &t.c[..]);
    let mut de = Zeroizing::new(vec![0u64; 2 * prog.max_ands * w]);
    let mut bytes = Zeroizing::new(vec![0u8; 16 * prog.max_ands * w]);
    let mut scratch = Zeroizing::new(vec![0u8; (16 * prog.max_ands * w).min(PIECE)]);
    let (mut ops_lo, mut ands_lo) = (0usize, 0usize);
    for &LayerEnd { ops_end, ands_end } in &prog.layers {
        let (ops_hi, ands_hi) = (ops_end as usize, ands_end as usize);
        for op in &prog.ops[ops_lo..ops_hi] {
            match *op {
                Op::Xor { a, b, out } => {
                    let (a, b, o) = (a as usize * w, b as usize * w, out as usize * w);
                    for i in 0..w {
                        reg[o + i] = reg[a + i] ^ reg[b + i];
                    }
                }
                Op::XorPub { a, p, out } => {
                    let (a, p, o) = (a as usize * w, p as usize * w, out as usize * w);
                    for i in 0..w {
                        reg[o + i] = reg[a + i] ^ (public[p + i] & flip);
                    }
                }
                Op::Not { a, out } => {
                    let (a, o) = (a as usize * w, out as usize * w);
                    for i in 0..w {
                        reg[o + i] = reg[a + i] ^ flip;
                    }
                }
                Op::Copy { a, out } => {
                    let (a, o) = (a as usize * w, out as usize * w);
                    for i in 0..w {
                        reg[o + i] = reg[a + i];
                    }
                }
                Op::AndPub { a, p, out } => {
                    let (a, p, o) = (a as usize * w, p as usize * w, out as usize * w);
                    for i in 0..w {
                        reg[o + i] = reg[a + i] & public[p + i];
                    }
                }
            }
        }
        let ands = &prog.ands[ands_lo..ands_hi];
        if !ands.is_empty() {
            let k = ands.len();
            let base = ands_lo * w;
            let de = &mut de[..2 * k * w];
            for (g, (&[a, b, _], de)) in ands.iter().zip(de.chunks_exact_mut(2 * w)).enumerate() {
                let (a, b, t) = (a as usize * w, b as usize * w, base + g * w);
                let (d, e) = de.split_at_mut(w);
                for i in 0..w {
                    d[i] = reg[a + i] ^ ta[t + i];
                    e[i] = reg[b + i] ^ tb[t + i];
                }
            }
            let out = &mut bytes[..16 * k * w];
            for (o, x) in out.as_chunks_mut::<8>().0.iter_mut().zip(de.iter()) {
                *o = x.to_le_bytes();
            }
            let len = out.len();
            let out = &*out;
            exchange(
                peers,
                n,
                len,
                |_| out,
                |_| len,
                &mut scratch,
                |_, off, piece| xor_bytes_into(&mut de[off / 8..], piece),
            )?;
            for (g, (&[_, _, o], de)) in ands.iter().zip(de.chunks_exact(2 * w)).enumerate() {
                let (o, t) = (o as usize * w, base + g * w);
                let (d, e) = de.split_at(w);
                for i in 0..w {
                    let (d, e) = (d[i], e[i]);
                    reg[o + i] = tc[t + i] ^ (d & tb[t + i]) ^ (e & ta[t + i]) ^ (d & e & flip);
                }
            }
            count(k);
        }
        ops_lo = ops_hi;
        ands_lo = ands_hi;
    }
    Ok(())
}

/// Sends `out(p)` to every compute peer `p` and receives `inn(p)` bytes from
/// each, handing them to `got(p, offset, bytes)`, in pieces of [`PIECE`]
/// bytes: every party must pass the same `max_len` (the longest message
/// between any two of them), so that all take the same number of steps.
fn exchange<'a>(
    peers: &mut Peers,
    n: usize,
    max_len: usize,
    out: impl Fn(usize) -> &'a [u8],
    inn: impl Fn(usize) -> usize,
    scratch: &mut [u8],
    mut got: impl FnMut(usize, usize, &[u8]),
) -> Result<(), VmError> {
    let me = peers.me();
    for step in 0..max_len.div_ceil(PIECE) {
        let lo = step * PIECE;
        for p in (0..n).filter(|&p| p != me) {
            let o = out(p);
            if lo < o.len() {
                let ch = peers.channel(p)?;
                ch.send(&o[lo..o.len().min(lo + PIECE)])?;
                ch.flush()?;
            }
        }
        for p in (0..n).filter(|&p| p != me) {
            let len = inn(p);
            if lo < len {
                let buf = &mut scratch[..(len - lo).min(PIECE)];
                peers.channel(p)?.recv(buf)?;
                got(p, lo, buf);
            }
        }
    }
    Ok(())
}
