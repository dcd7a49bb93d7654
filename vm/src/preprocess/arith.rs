//! Arithmetic Beaver triples over Z_2^k from oblivious transfer (Gilboa).
//!
//! Each party `i` draws random `a_i`, `b_i`; the triple is `a = Σ a_i`,
//! `b = Σ b_i`, `c = a·b`, additively shared. `c_i` is `a_i·b_i` plus this
//! party's shares of every cross product `a_i·b_j` and `a_j·b_i`, each made
//! by Gilboa's multiplication from OT: for `a_i·b_j`, party `j` (receiver)
//! chooses with the bits of `b_j`, one random OT per bit; party `i` (sender)
//! turns its random pair `(u0, u1)` for bit `t` into the correlation
//! `u0 − u1 + a_i·2^t`, sent as one ring element. The receiver's sum
//! `Σ (u_{b_t} + b_t·τ_t)` and the sender's `−Σ u0` are shares of
//! `a_i·b_j`. Cost per triple and ordered pair: `k` random OTs and `k` ring
//! elements (semi-honest; the OT extension is IKNP, see [`crate::ot`]).
//!
//! Also: a trusted dealer for triples and daBits ([`deal`], INSECURE against
//! the dealer), daBits from triples ([`ot_dabits`]), and the opening of
//! shares that the arithmetic backend uses ([`open_shares`]).

use crate::backend::Session;
use crate::block::Block;
use crate::crypto::Prg;
use crate::error::VmError;
use crate::net::{Channel, Peers};

/// Triples made per OT batch.
const CHUNK: usize = 2048;

/// One party's shares of `n` triples: `c = a·b` over Z_2^k, element-wise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArithTriples {
    /// Shares of `a`.
    pub a: Vec<u64>,
    /// Shares of `b`.
    pub b: Vec<u64>,
    /// Shares of `c = a·b`.
    pub c: Vec<u64>,
}

/// The mask of Z_2^k.
fn mask(ring_bits: u32) -> u64 {
    if ring_bits >= 64 {
        u64::MAX
    } else {
        (1u64 << ring_bits) - 1
    }
}

/// Low 64 bits of a block, as a ring element before reduction.
fn low(b: Block) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b.0[..8]);
    u64::from_le_bytes(x)
}

/// Generates `n` triples over Z_2^`ring_bits` among all of `peers`' parties
/// (every party must call this with the same `n` and `ring_bits`), with the
/// session's OT extension towards each peer.
pub fn ot_triples(
    peers: &mut Peers,
    session: &mut Session,
    n: usize,
    ring_bits: u32,
) -> Result<ArithTriples, VmError> {
    let m = mask(ring_bits);
    let k = ring_bits.clamp(1, 64) as usize;
    let me = peers.me();
    let mut prg = Prg::from_os()?;
    let mut t = ArithTriples {
        a: (0..n).map(|_| low(prg.block()) & m).collect(),
        b: (0..n).map(|_| low(prg.block()) & m).collect(),
        c: Vec::new(),
    };
    t.c =
        t.a.iter()
            .zip(&t.b)
            .map(|(a, b)| a.wrapping_mul(*b) & m)
            .collect();
    for peer in (0..peers.len()).filter(|&p| p != me) {
        let ch = peers.channel(peer)?;
        // The lower index sends first, so the two ends agree on the order.
        let sender_first = me < peer;
        for round in 0..2 {
            let as_sender = (round == 0) == sender_first;
            // In chunks, so that the OT messages of a batch stay in cache-sized buffers.
            for start in (0..n).step_by(CHUNK) {
                let end = (start + CHUNK).min(n);
                let shares = if as_sender {
                    let sender = session.ot_sender(peer, ch)?;
                    let pairs = sender.random(ch, (end - start) * k)?;
                    send_products(ch, &t.a[start..end], &pairs, k, m)?
                } else {
                    let choices: Vec<bool> = t.b[start..end]
                        .iter()
                        .flat_map(|&b| (0..k).map(move |bit| b >> bit & 1 == 1))
                        .collect();
                    let receiver = session.ot_receiver(peer, ch)?;
                    let got = receiver.random(ch, &choices)?;
                    receive_products(ch, &choices, &got, k, m)?
                };
                for (c, s) in t.c[start..end].iter_mut().zip(shares) {
                    *c = c.wrapping_add(s) & m;
                }
            }
        }
    }
    Ok(t)
}

/// Sender's side of `a[x]·b_peer[x]` for every triple `x`: sends the
/// corrections, returns its shares.
fn send_products(
    ch: &mut dyn Channel,
    a: &[u64],
    pairs: &[[Block; 2]],
    k: usize,
    m: u64,
) -> Result<Vec<u64>, VmError> {
    let mut bytes = Vec::with_capacity(pairs.len() * 8);
    let mut shares = Vec::with_capacity(a.len());
    for (x, &ax) in a.iter().enumerate() {
        let mut share = 0u64;
        for (bit, p) in pairs[x * k..(x + 1) * k].iter().enumerate() {
            let (u0, u1) = (low(p[0]), low(p[1]));
            let tau = u0.wrapping_sub(u1).wrapping_add(ax << bit) & m;
            bytes.extend_from_slice(&tau.to_le_bytes());
            share = share.wrapping_sub(u0);
        }
        shares.push(share & m);
    }
    ch.send(&bytes)?;
    ch.flush()?;
    Ok(shares)
}

/// Receiver's side: reads the corrections, returns its shares.
fn receive_products(
    ch: &mut dyn Channel,
    choices: &[bool],
    got: &[Block],
    k: usize,
    m: u64,
) -> Result<Vec<u64>, VmError> {
    let mut bytes = vec![0u8; choices.len() * 8];
    ch.recv(&mut bytes)?;
    let n = choices.len() / k.max(1);
    let mut shares = Vec::with_capacity(n);
    for x in 0..n {
        let mut share = 0u64;
        for bit in 0..k {
            let j = x * k + bit;
            let mut tau = [0u8; 8];
            tau.copy_from_slice(&bytes[8 * j..8 * j + 8]);
            let tau = u64::from_le_bytes(tau);
            let c = u64::from(choices[j]).wrapping_neg();
            share = share.wrapping_add(low(got[j]).wrapping_add(tau & c));
        }
        shares.push(share & m);
    }
    Ok(shares)
}

/// One party's shares of `n` daBits: random bits `r` shared both ways, XOR
/// shares in the low bit of `b[x]` and additive shares over Z_2^k in `a[x]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaBits {
    /// XOR shares (0 or 1).
    pub b: Vec<u64>,
    /// Additive shares of the same bits.
    pub a: Vec<u64>,
}

/// Bytes per piece of an opening (see [`open_shares`]).
const PIECE_WORDS: usize = 1 << 17;

/// Opens shares among compute parties `0..compute`: sends `msg` to every
/// other compute party and receives theirs (the same length), then
/// `msg[..arith]` becomes the sum of all parties' words over Z_2^k (`mask`)
/// and `msg[arith..]` their XOR. In pieces of a mebibyte, each sent to every
/// peer before any is read, so that no two parties block on full buffers.
/// `bytes` is scratch space.
pub fn open_shares(
    peers: &mut Peers,
    compute: usize,
    msg: &mut [u64],
    arith: usize,
    mask: u64,
    bytes: &mut Vec<u8>,
) -> Result<(), VmError> {
    let me = peers.me();
    let mut lo = 0;
    while lo < msg.len() {
        let hi = (lo + PIECE_WORDS).min(msg.len());
        bytes.clear();
        bytes.resize(8 * (hi - lo), 0);
        for (o, x) in bytes.as_chunks_mut::<8>().0.iter_mut().zip(&msg[lo..hi]) {
            *o = x.to_le_bytes();
        }
        for p in (0..compute).filter(|&p| p != me) {
            let ch = peers.channel(p)?;
            ch.send(bytes)?;
            ch.flush()?;
        }
        for p in (0..compute).filter(|&p| p != me) {
            peers.channel(p)?.recv(bytes)?;
            let words = bytes.as_chunks::<8>().0;
            // Words lo..split are summed, split..hi XORed.
            let split = arith.clamp(lo, hi);
            let (sum, xor) = words.split_at(split - lo);
            for (m, b) in msg[lo..split].iter_mut().zip(sum) {
                *m = m.wrapping_add(u64::from_le_bytes(*b));
            }
            for (m, b) in msg[split..hi].iter_mut().zip(xor) {
                *m ^= u64::from_le_bytes(*b);
            }
        }
        lo = hi;
    }
    let arith = arith.min(msg.len());
    for x in &mut msg[..arith] {
        *x &= mask;
    }
    Ok(())
}

/// `n` random words of Z_2^k (`mask`) from `prg`.
fn ring_words(prg: &mut Prg, n: usize, mask: u64) -> Vec<u64> {
    let mut v = vec![0u64; n];
    crate::preprocess::boolean::fill_words(prg, &mut v);
    for x in &mut v {
        *x &= mask;
    }
    v
}

/// What one party's dealt seed expands to: `a`, `b`, then (unless
/// `explicit`) `c` of the triples; the daBits' XOR shares, then (unless
/// `explicit`) their additive shares.
fn expand(
    prg: &mut Prg,
    triples: usize,
    dabits: usize,
    mask: u64,
    explicit: bool,
) -> (ArithTriples, DaBits) {
    let a = ring_words(prg, triples, mask);
    let b = ring_words(prg, triples, mask);
    let c = if explicit {
        vec![0; triples]
    } else {
        ring_words(prg, triples, mask)
    };
    let bits = ring_words(prg, dabits, 1);
    let shares = if explicit {
        vec![0; dabits]
    } else {
        ring_words(prg, dabits, mask)
    };
    (ArithTriples { a, b, c }, DaBits { b: bits, a: shares })
}

/// The dealer's side: samples `triples` arithmetic triples and `dabits`
/// daBits over Z_2^`ring_bits` for compute parties `0..compute`, sends each
/// a 16-byte seed and the last one its `c` and additive daBit shares
/// explicitly. INSECURE against the dealer, which knows them all.
pub fn deal(
    peers: &mut Peers,
    compute: usize,
    triples: usize,
    dabits: usize,
    ring_bits: u32,
) -> Result<(), VmError> {
    if (triples == 0 && dabits == 0) || compute == 0 {
        return Ok(());
    }
    let m = mask(ring_bits);
    let mut os = Prg::from_os()?;
    let last = compute - 1;
    let mut sum = (ArithTriples::default(), DaBits::default());
    sum.0.a = vec![0; triples];
    sum.0.b = vec![0; triples];
    sum.0.c = vec![0; triples];
    sum.1.a = vec![0; dabits];
    sum.1.b = vec![0; dabits];
    for p in 0..compute {
        let seed = os.block();
        let ch = peers.channel(p)?;
        ch.send(&seed.to_bytes())?;
        ch.flush()?;
        let (t, d) = expand(&mut Prg::from_seed(seed), triples, dabits, m, p == last);
        for (s, x) in [
            (&mut sum.0.a, &t.a),
            (&mut sum.0.b, &t.b),
            (&mut sum.0.c, &t.c),
            (&mut sum.1.a, &d.a),
        ] {
            for (s, x) in s.iter_mut().zip(x) {
                *s = s.wrapping_add(*x);
            }
        }
        for (s, x) in sum.1.b.iter_mut().zip(&d.b) {
            *s ^= x;
        }
    }
    // The last party's c and daBit shares: what makes the sums right.
    let mut bytes = Vec::with_capacity(8 * (triples + dabits));
    for x in 0..triples {
        let c = sum.0.a[x].wrapping_mul(sum.0.b[x]).wrapping_sub(sum.0.c[x]) & m;
        bytes.extend_from_slice(&c.to_le_bytes());
    }
    for x in 0..dabits {
        let a = sum.1.b[x].wrapping_sub(sum.1.a[x]) & m;
        bytes.extend_from_slice(&a.to_le_bytes());
    }
    let ch = peers.channel(last)?;
    ch.send(&bytes)?;
    ch.flush()?;
    Ok(())
}

/// A compute party's side of [`deal`] (the dealer is party `dealer`; `last`
/// for the party that gets its shares explicitly).
pub fn receive_dealt(
    peers: &mut Peers,
    dealer: usize,
    last: bool,
    triples: usize,
    dabits: usize,
    ring_bits: u32,
) -> Result<(ArithTriples, DaBits), VmError> {
    if triples == 0 && dabits == 0 {
        return Ok((ArithTriples::default(), DaBits::default()));
    }
    let m = mask(ring_bits);
    let ch = peers.channel(dealer)?;
    let mut seed = [0u8; 16];
    ch.recv(&mut seed)?;
    let (mut t, mut d) = expand(
        &mut Prg::from_seed(Block::from_bytes(seed)),
        triples,
        dabits,
        m,
        last,
    );
    if last {
        let mut bytes = vec![0u8; 8 * (triples + dabits)];
        ch.recv(&mut bytes)?;
        let words = bytes.as_chunks::<8>().0;
        for (c, b) in t.c.iter_mut().zip(words) {
            *c = u64::from_le_bytes(*b) & m;
        }
        for (a, b) in d.a.iter_mut().zip(&words[triples..]) {
            *a = u64::from_le_bytes(*b) & m;
        }
    }
    Ok((t, d))
}

/// daBits from arithmetic triples, among compute parties `0..compute`: each
/// party draws `n` random bits `r_j` (its XOR shares of `r = ⊕ r_j`); the
/// additive sharing of `r` folds in one party's bits at a time with
/// `x ⊕ y = x + y − 2xy`, one Beaver multiplication per daBit and fold, so
/// `compute − 1` rounds in all. `t` must hold `(compute − 1)·n` triples
/// (consumed fold by fold).
pub fn ot_dabits(
    peers: &mut Peers,
    compute: usize,
    n: usize,
    ring_bits: u32,
    t: &ArithTriples,
) -> Result<DaBits, VmError> {
    let me = peers.me();
    let m = mask(ring_bits);
    let mut prg = Prg::from_os()?;
    let bits = ring_words(&mut prg, n, 1);
    // Party 0's bits, additively shared (party 0 holds them).
    let mut acc: Vec<u64> = if me == 0 { bits.clone() } else { vec![0; n] };
    let mut msg = vec![0u64; 2 * n];
    let mut bytes = Vec::new();
    for j in 1..compute {
        let off = (j - 1) * n;
        let y = |x: usize| if me == j { bits[x] } else { 0 };
        for x in 0..n {
            msg[2 * x] = acc[x].wrapping_sub(t.a[off + x]) & m;
            msg[2 * x + 1] = y(x).wrapping_sub(t.b[off + x]) & m;
        }
        open_shares(peers, compute, &mut msg, 2 * n, m, &mut bytes)?;
        for x in 0..n {
            let (d, e) = (msg[2 * x], msg[2 * x + 1]);
            let mut z = t.c[off + x]
                .wrapping_add(d.wrapping_mul(t.b[off + x]))
                .wrapping_add(e.wrapping_mul(t.a[off + x]));
            if me == 0 {
                z = z.wrapping_add(d.wrapping_mul(e));
            }
            acc[x] = acc[x].wrapping_add(y(x)).wrapping_sub(z.wrapping_mul(2)) & m;
        }
    }
    Ok(DaBits { b: bits, a: acc })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::local;
    use std::time::Duration;

    fn run(parties: usize, n: usize, ring_bits: u32) -> Vec<ArithTriples> {
        let names: Vec<String> = (0..parties).map(|i| format!("p{i}")).collect();
        let meshes = local::mesh(&names, Duration::from_secs(10));
        std::thread::scope(|s| {
            let hs: Vec<_> = meshes
                .into_iter()
                .map(|mut peers| {
                    s.spawn(move || {
                        let mut session = Session::default();
                        ot_triples(&mut peers, &mut session, n, ring_bits).expect("triples")
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        })
    }

    #[test]
    fn shares_add_up_to_triples() {
        for (parties, ring_bits) in [(2, 64), (3, 64), (2, 13), (4, 1)] {
            let n = 300;
            let all = run(parties, n, ring_bits);
            let m = mask(ring_bits);
            for x in 0..n {
                let sum = |f: &dyn Fn(&ArithTriples) -> u64| {
                    all.iter().fold(0u64, |acc, t| acc.wrapping_add(f(t))) & m
                };
                let a = sum(&|t| t.a[x]);
                let b = sum(&|t| t.b[x]);
                let c = sum(&|t| t.c[x]);
                assert_eq!(
                    c,
                    a.wrapping_mul(b) & m,
                    "{parties} parties, k = {ring_bits}, triple {x}"
                );
            }
            // Shares are not all zero (the randomness is used).
            assert!(all[0].a.iter().any(|&a| a != 0) || ring_bits == 1);
        }
    }
}
