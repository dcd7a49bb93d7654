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
    pub a: Vec<u64>,
    pub b: Vec<u64>,
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
