//! Boolean Beaver triples, bit-sliced: each party `i` holds words `a_i`,
//! `b_i`, `c_i`, and bit `k` of `⊕_i c_i` is the AND of bit `k` of `⊕_i a_i`
//! and of `⊕_i b_i`, every bit an independent triple. GMW spends one triple
//! per AND gate and instance.
//!
//! Two sources (see [`crate::preprocess::Preprocessing`]):
//!
//! - [`generate_ot`]: among `n` compute parties, with random OT between
//!   every pair (Asharov, Lindell, Schneider and Zohner, "More Efficient
//!   Oblivious Transfer and Extensions for Faster Secure Computation", CCS
//!   2013). Party `i` picks `b_i` at random; then
//!   `⊕c = ⊕_i a_i b_i ⊕ ⊕_{i≠j} a_i b_j`, and each cross term `a_i b_j` comes
//!   from one random OT on bits with `i` as sender and `j` as receiver: the
//!   receiver's choice bit is its `b_j`, the sender's messages `(m0, m1)` give
//!   `a_i = m0 ⊕ m1` and share `u = m0`, the receiver gets `v = m_{b_j}`, and
//!   `u ⊕ v = a_i b_j`. Each sender's `a_i` is defined by its OTs with its first
//!   peer; towards every later peer it sends one correction bit per triple
//!   (`a_i ⊕ m0 ⊕ m1`), so with two parties nothing but the OT itself travels.
//!   The bit OTs are IKNP correlated OTs ([`crate::ot::OtExtSender::correlated`]) hashed
//!   to one bit with the fixed-key circular-correlation-robust hash
//!   `H(x) = π(σ(x)) ⊕ σ(x)` of Guo, Katz, Wang and Yu (S&P 2020; the hash
//!   emp-ot uses for semi-honest random OT): one AES call per hashed row
//!   instead of two for the tweakable hash, and no 32-byte message pairs to
//!   allocate. Two OTs per triple and pair of parties.
//! - [`deal`] / [`receive_dealt`]: a dealer party samples the triples and
//!   hands each compute party a 16-byte PRG seed that expands to its shares;
//!   only the last compute party gets its `c` explicitly (the correction that
//!   makes `⊕c = ⊕a ∧ ⊕b`). INSECURE against the dealer, which knows every
//!   triple: with the opened `d = x ⊕ a`, `e = y ⊕ b` that any one party (or
//!   an eavesdropper) sees, it learns every secret wire.
//!
//! Message flow of [`generate_ot`], per chunk of triples, pair by pair in the
//! order `(0,1), (0,2), …, (1,2), …` (every party follows the same order, so
//! no two parties wait on each other): the OT with the lower index as sender
//! (the receiver sends its IKNP columns, then the sender its corrections if
//! any), then the same with the roles swapped.

use zeroize::{Zeroize, Zeroizing};

use crate::backend::Session;
use crate::block::Block;
use crate::crypto::{FixedKeyAes, Prg};
use crate::error::VmError;
use crate::net::Peers;

/// Triple words per OT batch: 2^19 OTs, 8 MiB of IKNP rows per batch.
const CHUNK_WORDS: usize = 8192;

/// Triple words expanded at a time from a dealer's seed (`a`, `b`, `c` in turn).
const DEAL_WORDS: usize = 1024;

/// Rows hashed per AES call on the sender's side (two blocks each; the
/// receiver hashes twice as many rows of one block). A multiple of 64.
const HASH_BATCH: usize = 256;

/// One party's shares of bit-sliced Boolean triples (zeroised on drop).
#[derive(Debug, Default)]
pub struct BoolTriples {
    /// Shares of `a`.
    pub a: Zeroizing<Vec<u64>>,
    /// Shares of `b`.
    pub b: Zeroizing<Vec<u64>>,
    /// Shares of `c = a ∧ b`.
    pub c: Zeroizing<Vec<u64>>,
}

impl BoolTriples {
    /// `words` words of zero shares (64 triples per word).
    pub fn zeroed(words: usize) -> BoolTriples {
        BoolTriples {
            a: Zeroizing::new(vec![0; words]),
            b: Zeroizing::new(vec![0; words]),
            c: Zeroizing::new(vec![0; words]),
        }
    }

    /// The number of words (64 triples each).
    pub fn words(&self) -> usize {
        self.a.len()
    }

    /// Densely packed triples (`gates · instances` bits) laid out for
    /// bit-sliced evaluation: gate `g` gets `⌈instances / 64⌉` words holding
    /// triples `g·instances ..` in bits `0 .. instances` and zero above. With
    /// fewer than 64 instances this is what keeps preprocessing from paying
    /// for 64 triples per gate and instance.
    pub fn spread(mut self, gates: usize, instances: usize) -> BoolTriples {
        let w = instances.div_ceil(64);
        if instances.is_multiple_of(64) {
            for v in [&mut self.a, &mut self.b, &mut self.c] {
                v.truncate(gates * w);
            }
            return self;
        }
        let mut out = BoolTriples::zeroed(gates * w);
        for (dense, dst) in [
            (&self.a, &mut out.a),
            (&self.b, &mut out.b),
            (&self.c, &mut out.c),
        ] {
            for (g, words) in dst.chunks_exact_mut(w).enumerate() {
                for (k, word) in words.iter_mut().enumerate() {
                    let len = (instances - 64 * k).min(64);
                    *word = bits_at(dense, g * instances + 64 * k, len);
                }
            }
        }
        out
    }
}

/// The `len ≤ 64` bits of `words` starting at bit `start`, in the low bits.
#[inline]
fn bits_at(words: &[u64], start: usize, len: usize) -> u64 {
    let (i, off) = (start / 64, start % 64);
    let mut v = words.get(i).copied().unwrap_or(0) >> off;
    if off > 0 {
        v |= words.get(i + 1).copied().unwrap_or(0) << (64 - off);
    }
    if len < 64 {
        v &= (1u64 << len) - 1;
    }
    v
}

/// Fills `out` with words from `prg`.
pub fn fill_words(prg: &mut Prg, out: &mut [u64]) {
    let mut pairs = out.chunks_exact_mut(2);
    for p in &mut pairs {
        let x = prg.block().to_u128();
        p[0] = x as u64;
        p[1] = (x >> 64) as u64;
    }
    if let [last] = pairs.into_remainder() {
        *last = prg.block().to_u128() as u64;
    }
}

/// XORs words from `prg` into `out` (the same stream as [`fill_words`]).
pub fn xor_words(prg: &mut Prg, out: &mut [u64]) {
    let mut pairs = out.chunks_exact_mut(2);
    for p in &mut pairs {
        let x = prg.block().to_u128();
        p[0] ^= x as u64;
        p[1] ^= (x >> 64) as u64;
    }
    if let [last] = pairs.into_remainder() {
        *last ^= prg.block().to_u128() as u64;
    }
}

/// Expands one party's dealt seed: per chunk of [`DEAL_WORDS`], its `a`, then
/// `b`, then (unless `explicit_c`) `c` words.
fn expand_dealt(prg: &mut Prg, t: &mut BoolTriples, explicit_c: bool) {
    let words = t.words();
    let mut lo = 0;
    while lo < words {
        let hi = (lo + DEAL_WORDS).min(words);
        fill_words(prg, &mut t.a[lo..hi]);
        fill_words(prg, &mut t.b[lo..hi]);
        if !explicit_c {
            fill_words(prg, &mut t.c[lo..hi]);
        }
        lo = hi;
    }
}

/// The dealer's side: samples `words` words of triples for compute parties
/// `0..compute` and sends each its seed, and the last one its `c` words.
pub fn deal(peers: &mut Peers, compute: usize, words: usize) -> Result<(), VmError> {
    if words == 0 || compute == 0 {
        return Ok(());
    }
    let mut os = Prg::from_os()?;
    let mut prgs = Vec::with_capacity(compute);
    for p in 0..compute {
        let mut seed = os.block();
        peers.channel(p)?.send(&seed.to_bytes())?;
        prgs.push(Prg::from_seed(seed));
        seed.zeroize();
    }
    let last = compute - 1;
    for p in 0..compute {
        peers.channel(p)?.flush()?;
    }
    let n = DEAL_WORDS.min(words);
    let mut a = Zeroizing::new(vec![0u64; n]);
    let mut b = Zeroizing::new(vec![0u64; n]);
    let mut c = Zeroizing::new(vec![0u64; n]);
    let mut scratch = Zeroizing::new(vec![0u64; n]);
    let mut bytes = Zeroizing::new(vec![0u8; 8 * n]);
    let mut lo = 0;
    while lo < words {
        let m = (words - lo).min(DEAL_WORDS);
        let (a, b, c, s) = (&mut a[..m], &mut b[..m], &mut c[..m], &mut scratch[..m]);
        a.fill(0);
        b.fill(0);
        c.fill(0);
        for (p, prg) in prgs.iter_mut().enumerate() {
            fill_words(prg, s);
            xor_into(a, s);
            fill_words(prg, s);
            xor_into(b, s);
            if p != last {
                fill_words(prg, s);
                xor_into(c, s);
            }
        }
        // c_last = (⊕a ∧ ⊕b) ⊕ ⊕_{p<last} c_p.
        let out = &mut bytes[..8 * m];
        for ((o, (&x, &y)), &z) in out
            .chunks_exact_mut(8)
            .zip(a.iter().zip(b.iter()))
            .zip(c.iter())
        {
            o.copy_from_slice(&((x & y) ^ z).to_le_bytes());
        }
        peers.channel(last)?.send(out)?;
        lo += m;
    }
    peers.channel(last)?.flush()?;
    Ok(())
}

/// A compute party's side of [`deal`]: its shares of `words` words of
/// triples from the dealer (party `dealer`); `last` for the party that gets
/// `c` explicitly.
pub fn receive_dealt(
    peers: &mut Peers,
    dealer: usize,
    last: bool,
    words: usize,
) -> Result<BoolTriples, VmError> {
    let mut t = BoolTriples::zeroed(words);
    if words == 0 {
        return Ok(t);
    }
    let ch = peers.channel(dealer)?;
    let mut seed = [0u8; 16];
    ch.recv(&mut seed)?;
    let mut prg = Prg::from_seed(Block::from_bytes(seed));
    seed.zeroize();
    expand_dealt(&mut prg, &mut t, last);
    if last {
        let mut bytes = Zeroizing::new(vec![0u8; 8 * DEAL_WORDS.min(words)]);
        for c in t.c.chunks_mut(DEAL_WORDS) {
            let bytes = &mut bytes[..8 * c.len()];
            ch.recv(bytes)?;
            for (w, b) in c.iter_mut().zip(bytes.as_chunks::<8>().0) {
                *w = u64::from_le_bytes(*b);
            }
        }
    }
    Ok(t)
}

/// The peer whose OTs define party `p`'s `a` (its first pair in the global order).
fn first_peer(p: usize) -> usize {
    usize::from(p == 0)
}

/// The pairs of compute parties `0..compute` that include `me`, in the
/// global order every party follows.
fn my_pairs(me: usize, compute: usize) -> Vec<(usize, usize)> {
    (0..compute)
        .flat_map(|i| (i + 1..compute).map(move |j| (i, j)))
        .filter(|&(i, j)| i == me || j == me)
        .collect()
}

/// Whether the session already has OT extensions both ways with every other
/// compute party.
pub fn ot_ready(session: &Session, me: usize, compute: usize) -> bool {
    (0..compute).filter(|&p| p != me).all(|p| {
        session.ot_senders.get(p).is_some_and(Option::is_some)
            && session.ot_receivers.get(p).is_some_and(Option::is_some)
    })
}

/// Sets up the session's OT extensions both ways with every other compute
/// party (base OTs: public-key work, once per session), pair by pair in the
/// global order, the lower index's sender first.
pub fn setup_ot(peers: &mut Peers, session: &mut Session, compute: usize) -> Result<(), VmError> {
    let me = peers.me();
    for (i, j) in my_pairs(me, compute) {
        let other = i + j - me;
        let ch = peers.channel(other)?;
        if me == i {
            session.ot_sender(other, ch)?;
            session.ot_receiver(other, ch)?;
        } else {
            session.ot_receiver(other, ch)?;
            session.ot_sender(other, ch)?;
        }
    }
    Ok(())
}

/// Generates `words` words of triples among compute parties `0..compute`
/// (this party is `peers.me()`) with random OTs between every pair, setting
/// up the session's OT extensions on first use.
pub fn generate_ot(
    peers: &mut Peers,
    session: &mut Session,
    compute: usize,
    words: usize,
) -> Result<BoolTriples, VmError> {
    let me = peers.me();
    let mut t = BoolTriples::zeroed(words);
    if words == 0 || compute < 2 {
        return Ok(t);
    }
    let mut prg = Prg::from_os()?;
    fill_words(&mut prg, &mut t.b);
    let mut work = OtWork::new(CHUNK_WORDS.min(words));
    let pairs = my_pairs(me, compute);
    let mut lo = 0;
    while lo < words {
        let hi = (lo + CHUNK_WORDS).min(words);
        for &(i, j) in &pairs {
            let other = i + j - me;
            // Lower index sends first, then the roles swap.
            for sender in [i, j] {
                let ch = peers.channel(other)?;
                if sender == me {
                    let ot = session.ot_sender(other, ch)?;
                    let delta = ot.delta();
                    let rows = ot.correlated(ch, 64 * (hi - lo))?;
                    let m = hi - lo;
                    work.sender_bits(&rows, delta, m);
                    let (u, x) = (&work.u[..m], &work.x[..m]);
                    xor_into(&mut t.c[lo..hi], u);
                    if other == first_peer(me) {
                        t.a[lo..hi].copy_from_slice(x);
                    } else {
                        // Correction towards this peer: a ⊕ (m0 ⊕ m1).
                        let bytes = &mut work.bytes[..8 * m];
                        for ((o, &a), &x) in bytes
                            .chunks_exact_mut(8)
                            .zip(t.a[lo..hi].iter())
                            .zip(x.iter())
                        {
                            o.copy_from_slice(&(a ^ x).to_le_bytes());
                        }
                        ch.send(bytes)?;
                        ch.flush()?;
                    }
                    let mut rows = rows;
                    rows.zeroize();
                } else {
                    let m = hi - lo;
                    let choices = &mut work.choices[..64 * m];
                    for (cs, &b) in choices.chunks_exact_mut(64).zip(t.b[lo..hi].iter()) {
                        for (k, c) in cs.iter_mut().enumerate() {
                            *c = (b >> k) & 1 == 1;
                        }
                    }
                    let ot = session.ot_receiver(other, ch)?;
                    let mut rows = ot.correlated(ch, choices)?;
                    work.receiver_bits(&rows, m);
                    rows.zeroize();
                    let v = &mut work.u[..m];
                    if first_peer(other) != me {
                        let bytes = &mut work.bytes[..8 * m];
                        ch.recv(bytes)?;
                        for ((v, b), d) in v
                            .iter_mut()
                            .zip(t.b[lo..hi].iter())
                            .zip(bytes.as_chunks::<8>().0)
                        {
                            *v ^= b & u64::from_le_bytes(*d);
                        }
                    }
                    xor_into(&mut t.c[lo..hi], v);
                }
            }
        }
        lo = hi;
    }
    for ((c, &a), &b) in t.c.iter_mut().zip(t.a.iter()).zip(t.b.iter()) {
        *c ^= a & b;
    }
    Ok(t)
}

/// `dst ^= src`, word by word.
fn xor_into(dst: &mut [u64], src: &[u64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= s;
    }
}

/// σ(x_hi ‖ x_lo) = (x_hi ⊕ x_lo) ‖ x_hi: a linear orthomorphism (σ and
/// x ↦ σ(x) ⊕ x are both permutations), as the CCR hash requires.
#[inline(always)]
fn sigma(x: u128) -> u128 {
    let hi = x >> 64;
    let lo = x & u128::from(u64::MAX);
    ((hi ^ lo) << 64) | hi
}

/// Scratch space for hashing OT rows to bits, reused across batches.
struct OtWork {
    pi: FixedKeyAes,
    aes: Vec<aes::Block>,
    u: Zeroizing<Vec<u64>>,
    x: Zeroizing<Vec<u64>>,
    choices: Zeroizing<Vec<bool>>,
    bytes: Zeroizing<Vec<u8>>,
}

impl Drop for OtWork {
    fn drop(&mut self) {
        for b in self.aes.iter_mut() {
            *b = aes::Block::default();
        }
    }
}

impl OtWork {
    fn new(words: usize) -> OtWork {
        OtWork {
            pi: FixedKeyAes::new(),
            aes: vec![aes::Block::default(); 2 * HASH_BATCH],
            u: Zeroizing::new(vec![0; words]),
            x: Zeroizing::new(vec![0; words]),
            choices: Zeroizing::new(vec![false; 64 * words]),
            bytes: Zeroizing::new(vec![0; 8 * words]),
        }
    }

    /// The sender's bits of `64·m` OTs into `u = m0` and `x = m0 ⊕ m1`, where
    /// `m_b = lsb H(q ⊕ b·Δ)`. (The low bit of `σ(x)` is bit 64 of `x`.)
    fn sender_bits(&mut self, rows: &[Block], delta: Block, m: usize) {
        let sd = sigma(delta.to_u128());
        let dl = delta.0[8];
        for (batch, rows) in rows.chunks(HASH_BATCH).enumerate() {
            let hashed = &mut self.aes[..2 * rows.len()];
            for (h, q) in hashed.chunks_exact_mut(2).zip(rows) {
                let s0 = sigma(q.to_u128());
                h[0] = s0.to_le_bytes().into();
                h[1] = (s0 ^ sd).to_le_bytes().into();
            }
            self.pi.permute(hashed);
            let first = batch * HASH_BATCH / 64;
            for ((rows, hashed), (u, x)) in rows
                .chunks_exact(64)
                .zip(hashed.chunks_exact(128))
                .zip(self.u[first..m].iter_mut().zip(self.x[first..m].iter_mut()))
            {
                let (mut uw, mut xw) = (0u64, 0u64);
                for (k, (q, h)) in rows.iter().zip(hashed.chunks_exact(2)).enumerate() {
                    let m0 = (h[0][0] ^ q.0[8]) & 1;
                    let m1 = (h[1][0] ^ q.0[8] ^ dl) & 1;
                    uw |= u64::from(m0) << k;
                    xw |= u64::from(m0 ^ m1) << k;
                }
                *u = uw;
                *x = xw;
            }
        }
    }

    /// The receiver's bits of `64·m` OTs, `v = lsb H(t)`, into `u`.
    fn receiver_bits(&mut self, rows: &[Block], m: usize) {
        for (batch, rows) in rows.chunks(2 * HASH_BATCH).enumerate() {
            let hashed = &mut self.aes[..rows.len()];
            for (h, t) in hashed.iter_mut().zip(rows) {
                *h = sigma(t.to_u128()).to_le_bytes().into();
            }
            self.pi.permute(hashed);
            let first = batch * 2 * HASH_BATCH / 64;
            for ((rows, hashed), v) in rows
                .chunks_exact(64)
                .zip(hashed.chunks_exact(64))
                .zip(self.u[first..m].iter_mut())
            {
                let mut vw = 0u64;
                for (k, (t, h)) in rows.iter().zip(hashed).enumerate() {
                    vw |= u64::from((h[0] ^ t.0[8]) & 1) << k;
                }
                *v = vw;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::net::local::mesh;

    /// Runs `f` as every party of an in-memory mesh of `n` parties.
    fn run_all<T: Send>(
        n: usize,
        f: impl Fn(&mut Peers, &mut Session) -> Result<T, VmError> + Sync,
    ) -> Vec<T> {
        let names: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
        let meshes = mesh(&names, Duration::from_secs(30));
        std::thread::scope(|s| {
            let handles: Vec<_> = meshes
                .into_iter()
                .map(|mut peers| {
                    let f = &f;
                    s.spawn(move || f(&mut peers, &mut Session::default()))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("no panic").expect("no error"))
                .collect()
        })
    }

    /// The XOR of every party's shares is a valid triple in every bit, and
    /// `a` and `b` look random.
    fn check(shares: &[BoolTriples], words: usize) {
        let xor = |pick: fn(&BoolTriples) -> &[u64]| -> Vec<u64> {
            (0..words)
                .map(|k| shares.iter().fold(0, |acc, t| acc ^ pick(t)[k]))
                .collect()
        };
        let (a, b, c) = (xor(|t| &t.a), xor(|t| &t.b), xor(|t| &t.c));
        for k in 0..words {
            assert_eq!(c[k], a[k] & b[k], "word {k}");
        }
        for v in [&a, &b] {
            let ones: u64 = v.iter().map(|x| u64::from(x.count_ones())).sum();
            let bits = (64 * words) as f64;
            let bal = ones as f64 / bits;
            // Five standard deviations.
            assert!(
                (bal - 0.5).abs() < 2.5 / bits.sqrt(),
                "balance {bal} of {bits} bits"
            );
        }
        for t in shares {
            assert_eq!(t.words(), words);
        }
    }

    #[test]
    fn ot_triples_are_triples_across_chunks_and_parties() {
        for (n, words) in [(2, CHUNK_WORDS + 3), (3, 700), (4, 65)] {
            let shares = run_all(n, |peers, session| {
                let t = generate_ot(peers, session, n, words)?;
                // A second batch on the same session's OT extensions.
                let u = generate_ot(peers, session, n, 5)?;
                Ok((t, u))
            });
            let (first, second): (Vec<_>, Vec<_>) = shares.into_iter().unzip();
            check(&first, words);
            check(&second, 5);
        }
    }

    #[test]
    fn dealt_triples_are_triples() {
        for (n, words) in [(2, 3 * DEAL_WORDS + 5), (3, 1)] {
            let mut shares = run_all(n + 1, |peers, _| {
                let me = peers.me();
                if me == n {
                    deal(peers, n, words)?;
                    Ok(None)
                } else {
                    receive_dealt(peers, n, me == n - 1, words).map(Some)
                }
            });
            shares.pop();
            let shares: Vec<BoolTriples> = shares.into_iter().flatten().collect();
            check(&shares, words);
        }
    }

    #[test]
    fn spread_puts_each_gates_triples_in_its_own_words() {
        let dense = BoolTriples {
            a: Zeroizing::new(
                (0..40)
                    .map(|i| 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i + 1))
                    .collect(),
            ),
            b: Zeroizing::new(vec![u64::MAX; 40]),
            c: Zeroizing::new(vec![0; 40]),
        };
        let bit = |v: &[u64], i: usize| (v[i / 64] >> (i % 64)) & 1;
        for instances in [1usize, 3, 63, 64, 65, 130] {
            let gates = 40 * 64 / instances / 2;
            let s = BoolTriples {
                a: dense.a.clone(),
                b: dense.b.clone(),
                c: dense.c.clone(),
            }
            .spread(gates, instances);
            let w = instances.div_ceil(64);
            assert_eq!(s.words(), gates * w);
            for g in 0..gates {
                for i in 0..64 * w {
                    let got = bit(&s.a[g * w..], i);
                    let want = if i < instances {
                        bit(&dense.a, g * instances + i)
                    } else {
                        0
                    };
                    assert_eq!(got, want, "{instances} instances, gate {g}, bit {i}");
                    assert_eq!(bit(&s.b[g * w..], i), u64::from(i < instances));
                }
            }
        }
    }
}
