//! IKNP OT extension (semi-honest, κ = 128): millions of OTs from 128 base OTs.
//!
//! Set-up runs 128 base OTs in reversed roles: the extension sender picks a
//! secret `s` (its [`OtExtSender::delta`]) and learns seed `k_i^{s_i}` of each
//! of the receiver's seed pairs `(k_i^0, k_i^1)`. Each seed keys an AES-CTR
//! [`Prg`] whose stream continues from batch to batch. For a batch with choice
//! bits `r`, the receiver sends, column by column,
//! `u^i = G(k_i^0) ⊕ G(k_i^1) ⊕ r`; the sender computes
//! `q^i = G(k_i^{s_i}) ⊕ s_i·u^i`, so that after transposing the 128 × n bit
//! matrices row `j` satisfies `t_j = q_j ⊕ r_j·s` with `t^i = G(k_i^0)`. The
//! columns `u^i` are masked by `G(k_i^1)`, which the sender cannot compute, so
//! they are pseudorandom whatever `r` is.
//!
//! Random OT hashes the rows: `m_b = H(q_j ⊕ b·s, tweak_j)` with the
//! tweakable CCR hash, tweaks counted across batches so none repeats.
//! Work goes in chunks of 8192 OTs, so the matrices stay in cache and the
//! receiver's columns are on the wire while it transposes and hashes.

use zeroize::Zeroize;

use super::transpose::transpose_128;
use super::{base_receive, base_send, OtError};
use crate::block::Block;
use crate::crypto::{Prg, TccrHash};
use crate::net::Channel;

/// Base OTs, and bits per extended row: the computational security parameter.
const KAPPA: usize = 128;

/// Blocks of each column per chunk: 8192 OTs, 128 KiB per 128-column matrix.
const CHUNK_BLOCKS: usize = 64;

/// OTs per chunk.
const CHUNK_OTS: usize = 128 * CHUNK_BLOCKS;

/// High half of every random-OT tweak: separates these hashes from other
/// users of the same fixed-key hash (garbling uses small gate indices).
const TWEAK_TAG: u128 = 0x4f54_5f45_5854_0000 << 64; // "OT_EXT\0\0"

/// The tweak of the `j`-th random OT since set-up.
#[inline(always)]
fn tweak(j: u64) -> Block {
    Block::from_u128(TWEAK_TAG | u128::from(j))
}

/// The extension's sender: learns both messages of each OT (random ones, or
/// the correlation `q_j`, `q_j ⊕ Δ`).
pub struct OtExtSender {
    core: SenderCore,
    hash: TccrHash,
    tweaks: Vec<Block>,
    counter: u64,
    broken: bool,
}

/// What the sender's column work needs, apart from the hash.
struct SenderCore {
    delta: Block,
    /// Column `i` is `G(k_i^{s_i})`.
    prgs: Vec<Prg>,
    /// One chunk of the 128 × n matrix `Q`, column-major as received.
    q: Vec<Block>,
    /// One chunk of the receiver's `u` columns, as bytes.
    u: Vec<u8>,
    /// The transposed chunk: one `q_j` per OT.
    rows: Vec<Block>,
}

impl std::fmt::Debug for OtExtSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtExtSender")
            .field("ots_so_far", &self.counter)
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Drop for OtExtSender {
    /// Δ and the last chunk of `Q` are secrets (the PRGs clear themselves).
    fn drop(&mut self) {
        self.core.delta.zeroize();
        self.core.q.zeroize();
        self.core.rows.zeroize();
    }
}

impl OtExtSender {
    /// Runs the 128 base OTs (as their receiver, choosing the bits of a fresh
    /// secret Δ); the peer must call [`OtExtReceiver::setup`].
    pub fn setup(ch: &mut dyn Channel) -> Result<OtExtSender, OtError> {
        let delta = Block::random()?;
        let mut bits: Vec<bool> = (0..KAPPA)
            .map(|i| (delta.to_u128() >> i) & 1 == 1)
            .collect();
        let keys = base_receive(ch, &bits);
        bits.zeroize();
        let mut keys = keys?;
        let prgs = keys.iter().map(|&k| Prg::from_seed(k)).collect();
        keys.zeroize();
        Ok(OtExtSender {
            core: SenderCore {
                delta,
                prgs,
                q: vec![Block::ZERO; KAPPA * CHUNK_BLOCKS],
                u: vec![0u8; KAPPA * CHUNK_BLOCKS * Block::BYTES],
                rows: vec![Block::ZERO; CHUNK_OTS],
            },
            hash: TccrHash::new(),
            tweaks: vec![Block::ZERO; 2 * CHUNK_OTS],
            counter: 0,
            broken: false,
        })
    }

    /// The secret correlation Δ of [`OtExtSender::correlated`]: for each OT the
    /// receiver holds `q_j ⊕ c_j·Δ`.
    pub fn delta(&self) -> Block {
        self.core.delta
    }

    /// `n` random OTs: pair `j` is `(H(q_j), H(q_j ⊕ Δ))`, of which the receiver
    /// learns the one its choice bit selects (Boolean triples, derandomised OT).
    pub fn random(&mut self, ch: &mut dyn Channel, n: usize) -> Result<Vec<[Block; 2]>, OtError> {
        self.guarded(ch, |s, ch| s.random_inner(ch, n))
    }

    /// `n` correlated OTs: the raw IKNP rows `q_j`; the receiver gets
    /// `q_j ⊕ c_j·Δ` (Δ = [`OtExtSender::delta`]). Unhashed, so the caller
    /// must hash before using both `q_j` and `q_j ⊕ Δ` as independent keys.
    pub fn correlated(&mut self, ch: &mut dyn Channel, n: usize) -> Result<Vec<Block>, OtError> {
        self.guarded(ch, |s, ch| {
            s.counter = s.counter.wrapping_add(n as u64);
            let mut out = vec![Block::ZERO; n];
            s.core
                .extend(ch, n, |off, q| out[off..off + q.len()].copy_from_slice(q))?;
            Ok(out)
        })
    }

    /// Chosen-message OT: the receiver learns `msgs[j][c_j]` and nothing about
    /// the other message (random OT, then each message masked by its pad).
    pub fn send_chosen(
        &mut self,
        ch: &mut dyn Channel,
        msgs: &[[Block; 2]],
    ) -> Result<(), OtError> {
        self.guarded(ch, |s, ch| {
            let mut pads = s.random_inner(ch, msgs.len())?;
            let mut wire = Vec::with_capacity(msgs.len() * 2 * Block::BYTES);
            for (m, p) in msgs.iter().zip(&pads) {
                wire.extend_from_slice(&(m[0] ^ p[0]).to_bytes());
                wire.extend_from_slice(&(m[1] ^ p[1]).to_bytes());
            }
            pads.zeroize();
            ch.send(&wire)?;
            ch.flush()?;
            Ok(())
        })
    }

    fn random_inner(&mut self, ch: &mut dyn Channel, n: usize) -> Result<Vec<[Block; 2]>, OtError> {
        let first = self.counter;
        self.counter = self.counter.wrapping_add(n as u64);
        let mut out = vec![[Block::ZERO; 2]; n];
        let delta = self.core.delta;
        let (hash, tweaks) = (&mut self.hash, &mut self.tweaks);
        self.core.extend(ch, n, |off, q| {
            let dst = &mut out[off..off + q.len()];
            for (d, &qj) in dst.iter_mut().zip(q) {
                *d = [qj, qj ^ delta];
            }
            let tw = &mut tweaks[..2 * q.len()];
            for (j, pair) in tw.chunks_exact_mut(2).enumerate() {
                let t = tweak(first.wrapping_add((off + j) as u64));
                pair[0] = t;
                pair[1] = t;
            }
            hash.hash_in_place(dst.as_flattened_mut(), tw);
        })?;
        Ok(out)
    }
}

impl SenderCore {
    /// Receives the receiver's columns for `n` OTs and hands the rows `q_j`
    /// to `f` chunk by chunk (`f(first OT of the chunk, rows)`).
    fn extend(
        &mut self,
        ch: &mut dyn Channel,
        n: usize,
        mut f: impl FnMut(usize, &[Block]),
    ) -> Result<(), OtError> {
        let mut off = 0;
        while off < n {
            let m = (n - off).min(CHUNK_OTS);
            let mb = m.div_ceil(128);
            let u = &mut self.u[..KAPPA * mb * Block::BYTES];
            ch.recv(u)?;
            let (u, _) = u.as_chunks::<{ Block::BYTES }>();
            for (i, ((prg, q), u)) in self
                .prgs
                .iter_mut()
                .zip(self.q.chunks_exact_mut(mb))
                .zip(u.chunks_exact(mb))
                .enumerate()
            {
                // q^i = G(k_i^{s_i}) ⊕ s_i·u^i, with s_i as a mask (no branch on Δ).
                let mask = Block::from_u128(0u128.wrapping_sub((self.delta.to_u128() >> i) & 1));
                prg.fill_blocks(q);
                for (x, u) in q.iter_mut().zip(u) {
                    *x ^= Block(*u) & mask;
                }
            }
            transpose_128(&self.q[..KAPPA * mb], mb, &mut self.rows[..m]);
            f(off, &self.rows[..m]);
            off += m;
        }
        Ok(())
    }
}

/// The extension's receiver: chooses one message of each OT.
pub struct OtExtReceiver {
    core: ReceiverCore,
    hash: TccrHash,
    tweaks: Vec<Block>,
    counter: u64,
    broken: bool,
}

/// What the receiver's column work needs, apart from the hash.
struct ReceiverCore {
    /// Column `i` is `(G(k_i^0), G(k_i^1))`.
    prgs: Vec<[Prg; 2]>,
    /// One chunk of `T` (columns `G(k_i^0)`), column-major.
    t: Vec<Block>,
    /// One column of `G(k_i^1)`.
    g: Vec<Block>,
    /// The chunk's choice bits, packed.
    r: Vec<Block>,
    /// One chunk of the `u` columns, as bytes.
    u: Vec<u8>,
}

impl std::fmt::Debug for OtExtReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtExtReceiver")
            .field("ots_so_far", &self.counter)
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Drop for OtExtReceiver {
    /// `T`, the second streams and the choice bits of the last chunk are secrets.
    fn drop(&mut self) {
        self.core.t.zeroize();
        self.core.g.zeroize();
        self.core.r.zeroize();
    }
}

impl OtExtReceiver {
    /// Runs the 128 base OTs (as their sender); the peer must call
    /// [`OtExtSender::setup`].
    pub fn setup(ch: &mut dyn Channel) -> Result<OtExtReceiver, OtError> {
        let mut keys = base_send(ch, KAPPA)?;
        let prgs = keys
            .iter()
            .map(|k| [Prg::from_seed(k[0]), Prg::from_seed(k[1])])
            .collect();
        keys.zeroize();
        Ok(OtExtReceiver {
            core: ReceiverCore {
                prgs,
                t: vec![Block::ZERO; KAPPA * CHUNK_BLOCKS],
                g: vec![Block::ZERO; CHUNK_BLOCKS],
                r: vec![Block::ZERO; CHUNK_BLOCKS],
                u: vec![0u8; KAPPA * CHUNK_BLOCKS * Block::BYTES],
            },
            hash: TccrHash::new(),
            tweaks: vec![Block::ZERO; CHUNK_OTS],
            counter: 0,
            broken: false,
        })
    }

    /// Random OTs: `H(t_j)`, equal to the sender's message `choices[j]` of pair `j`.
    pub fn random(
        &mut self,
        ch: &mut dyn Channel,
        choices: &[bool],
    ) -> Result<Vec<Block>, OtError> {
        self.guarded(ch, |s, ch| s.random_inner(ch, choices))
    }

    /// Correlated OTs: the raw rows `t_j = q_j ⊕ c_j·Δ` of the sender's
    /// [`OtExtSender::correlated`] (for Gilboa multiplication and triples).
    pub fn correlated(
        &mut self,
        ch: &mut dyn Channel,
        choices: &[bool],
    ) -> Result<Vec<Block>, OtError> {
        self.guarded(ch, |s, ch| {
            s.counter = s.counter.wrapping_add(choices.len() as u64);
            let mut out = vec![Block::ZERO; choices.len()];
            s.core.extend(ch, choices, &mut out, |_, _| {})?;
            Ok(out)
        })
    }

    /// Chosen-message OT: message `choices[j]` of the sender's pair `j`.
    pub fn receive_chosen(
        &mut self,
        ch: &mut dyn Channel,
        choices: &[bool],
    ) -> Result<Vec<Block>, OtError> {
        self.guarded(ch, |s, ch| {
            let mut out = s.random_inner(ch, choices)?;
            let mut wire = vec![0u8; choices.len() * 2 * Block::BYTES];
            ch.recv(&mut wire)?;
            let (wire, _) = wire.as_chunks::<{ Block::BYTES }>();
            for ((o, y), &c) in out.iter_mut().zip(wire.chunks_exact(2)).zip(choices) {
                let y0 = Block::from_bytes(y[0]);
                let y1 = Block::from_bytes(y[1]);
                *o ^= y0 ^ (y0 ^ y1).and_bit(c);
            }
            Ok(out)
        })
    }

    fn random_inner(
        &mut self,
        ch: &mut dyn Channel,
        choices: &[bool],
    ) -> Result<Vec<Block>, OtError> {
        let first = self.counter;
        self.counter = self.counter.wrapping_add(choices.len() as u64);
        let mut out = vec![Block::ZERO; choices.len()];
        let (hash, tweaks) = (&mut self.hash, &mut self.tweaks);
        self.core.extend(ch, choices, &mut out, |off, rows| {
            let tw = &mut tweaks[..rows.len()];
            for (j, t) in tw.iter_mut().enumerate() {
                *t = tweak(first.wrapping_add((off + j) as u64));
            }
            hash.hash_in_place(rows, tw);
        })?;
        Ok(out)
    }
}

impl ReceiverCore {
    /// Sends the masked columns for `choices` and writes the rows `t_j` to
    /// `out`, calling `f(first OT, rows)` on each chunk once it is in place.
    fn extend(
        &mut self,
        ch: &mut dyn Channel,
        choices: &[bool],
        out: &mut [Block],
        mut f: impl FnMut(usize, &mut [Block]),
    ) -> Result<(), OtError> {
        for (c, (choices, out)) in choices
            .chunks(CHUNK_OTS)
            .zip(out.chunks_mut(CHUNK_OTS))
            .enumerate()
        {
            let m = choices.len();
            let mb = m.div_ceil(128);
            let r = &mut self.r[..mb];
            for (r, bits) in r.iter_mut().zip(choices.chunks(128)) {
                *r = Block::from_u128(pack(bits));
            }
            let g = &mut self.g[..mb];
            let u = &mut self.u[..KAPPA * mb * Block::BYTES];
            let (u_blocks, _) = u.as_chunks_mut::<{ Block::BYTES }>();
            for (([prg0, prg1], t), u) in self
                .prgs
                .iter_mut()
                .zip(self.t.chunks_exact_mut(mb))
                .zip(u_blocks.chunks_exact_mut(mb))
            {
                // u^i = G(k_i^0) ⊕ G(k_i^1) ⊕ r; t^i = G(k_i^0) stays here.
                prg0.fill_blocks(t);
                prg1.fill_blocks(g);
                for (((u, t), g), r) in u.iter_mut().zip(t.iter()).zip(g.iter()).zip(r.iter()) {
                    *u = (*t ^ *g ^ *r).to_bytes();
                }
            }
            ch.send(u)?;
            transpose_128(&self.t[..KAPPA * mb], mb, out);
            f(c * CHUNK_OTS, out);
        }
        ch.flush()?;
        Ok(())
    }
}

/// Up to 128 bits, bit `b` = `bits[b]`.
#[inline]
fn pack(bits: &[bool]) -> u128 {
    bits.iter()
        .enumerate()
        .fold(0u128, |x, (b, &c)| x | (u128::from(c) << b))
}

/// An extension end that stops after a failed batch: the two ends'
/// generators may then have consumed different amounts, so every later
/// batch would silently give wrong OTs.
trait Guarded: Sized {
    /// Whether a batch has failed.
    fn broken(&mut self) -> &mut bool;

    /// Runs `f`, and refuses all later batches if it failed.
    fn guarded<T>(
        &mut self,
        ch: &mut dyn Channel,
        f: impl FnOnce(&mut Self, &mut dyn Channel) -> Result<T, OtError>,
    ) -> Result<T, OtError> {
        if *self.broken() {
            return Err(OtError::Desynchronized {
                peer: ch.peer().to_string(),
            });
        }
        let r = f(self, ch);
        *self.broken() = r.is_err();
        r
    }
}

impl Guarded for OtExtSender {
    fn broken(&mut self) -> &mut bool {
        &mut self.broken
    }
}

impl Guarded for OtExtReceiver {
    fn broken(&mut self) -> &mut bool {
        &mut self.broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::queue::QueueChannel;
    use crate::net::{ChannelStats, NetError};
    use crate::ot::testing::run_pair;

    fn random_choices(n: usize) -> Vec<bool> {
        let mut prg = Prg::from_os().unwrap();
        (0..n).map(|_| prg.bit()).collect()
    }

    /// Batch sizes around the block and chunk boundaries.
    const SIZES: [usize; 8] = [0, 1, 127, 128, 129, 10_000, CHUNK_OTS, 2 * CHUNK_OTS + 3];

    #[test]
    fn random_ots_agree_over_several_batches() {
        let choices: Vec<Vec<bool>> = SIZES.iter().map(|&n| random_choices(n)).collect();
        let c2 = choices.clone();
        let (sent, got) = run_pair(
            |mut ch| {
                let mut s = OtExtSender::setup(&mut ch).unwrap();
                SIZES.map(|n| s.random(&mut ch, n).unwrap())
            },
            move |mut ch| {
                let mut r = OtExtReceiver::setup(&mut ch).unwrap();
                c2.iter()
                    .map(|c| r.random(&mut ch, c).unwrap())
                    .collect::<Vec<_>>()
            },
        );
        let mut seen = std::collections::HashSet::new();
        for (b, &n) in SIZES.iter().enumerate() {
            assert_eq!(sent[b].len(), n);
            assert_eq!(got[b].len(), n);
            for j in 0..n {
                let c = usize::from(choices[b][j]);
                assert_eq!(got[b][j], sent[b][j][c], "batch {b}, OT {j}");
                assert_ne!(got[b][j], sent[b][j][1 - c], "batch {b}, OT {j}");
                // No message repeats, within or across batches.
                assert!(seen.insert(sent[b][j][0].0) && seen.insert(sent[b][j][1].0));
            }
        }
    }

    #[test]
    fn correlated_ots_satisfy_the_iknp_correlation() {
        let choices: Vec<Vec<bool>> = SIZES.iter().map(|&n| random_choices(n)).collect();
        let c2 = choices.clone();
        let ((delta, qs), ts) = run_pair(
            |mut ch| {
                let mut s = OtExtSender::setup(&mut ch).unwrap();
                let qs = SIZES.map(|n| s.correlated(&mut ch, n).unwrap());
                (s.delta(), qs)
            },
            move |mut ch| {
                let mut r = OtExtReceiver::setup(&mut ch).unwrap();
                c2.iter()
                    .map(|c| r.correlated(&mut ch, c).unwrap())
                    .collect::<Vec<_>>()
            },
        );
        assert_ne!(delta, Block::ZERO);
        for (b, &n) in SIZES.iter().enumerate() {
            assert_eq!(ts[b].len(), n);
            for j in 0..n {
                assert_eq!(
                    ts[b][j],
                    qs[b][j] ^ delta.and_bit(choices[b][j]),
                    "batch {b}, OT {j}"
                );
            }
        }
    }

    #[test]
    fn chosen_messages_arrive_and_batches_of_all_kinds_mix() {
        let n = 1000;
        let mut prg = Prg::from_os().unwrap();
        let msgs: Vec<[Block; 2]> = (0..n).map(|_| [prg.block(), prg.block()]).collect();
        let choices = random_choices(n);
        let (m2, c2) = (msgs.clone(), choices.clone());
        let ((rand_s, delta, q), (got, rand_r, t)) = run_pair(
            move |mut ch| {
                let mut s = OtExtSender::setup(&mut ch).unwrap();
                s.send_chosen(&mut ch, &m2).unwrap();
                let rand = s.random(&mut ch, 300).unwrap();
                let q = s.correlated(&mut ch, 200).unwrap();
                s.send_chosen(&mut ch, &[]).unwrap();
                s.send_chosen(&mut ch, &m2).unwrap();
                (rand, s.delta(), q)
            },
            move |mut ch| {
                let mut r = OtExtReceiver::setup(&mut ch).unwrap();
                let got = r.receive_chosen(&mut ch, &c2).unwrap();
                let rand = r.random(&mut ch, &c2[..300]).unwrap();
                let t = r.correlated(&mut ch, &c2[..200]).unwrap();
                assert!(r.receive_chosen(&mut ch, &[]).unwrap().is_empty());
                let again = r.receive_chosen(&mut ch, &c2).unwrap();
                assert_eq!(got, again);
                (got, rand, t)
            },
        );
        for j in 0..n {
            assert_eq!(got[j], msgs[j][usize::from(choices[j])], "OT {j}");
        }
        for j in 0..300 {
            assert_eq!(rand_r[j], rand_s[j][usize::from(choices[j])]);
        }
        for j in 0..200 {
            assert_eq!(t[j], q[j] ^ delta.and_bit(choices[j]));
        }
    }

    /// A channel that keeps a copy of everything its owner sends.
    #[derive(Debug)]
    struct Recording {
        inner: QueueChannel,
        sent: Vec<u8>,
    }

    impl Channel for Recording {
        fn peer(&self) -> &str {
            self.inner.peer()
        }
        fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
            self.sent.extend_from_slice(bytes);
            self.inner.send(bytes)
        }
        fn flush(&mut self) -> Result<(), NetError> {
            self.inner.flush()
        }
        fn recv(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
            self.inner.recv(buf)
        }
        fn stats(&self) -> ChannelStats {
            self.inner.stats()
        }
    }

    /// Everything the receiver sends (set-up, then random and chosen OTs).
    fn receiver_transcript(choices: Vec<bool>) -> Vec<u8> {
        let n = choices.len();
        let (_, sent) = run_pair(
            move |mut ch| {
                let mut s = OtExtSender::setup(&mut ch).unwrap();
                s.random(&mut ch, n).unwrap();
                s.send_chosen(&mut ch, &vec![[Block::ZERO; 2]; n]).unwrap();
            },
            move |ch| {
                let mut ch = Recording {
                    inner: ch,
                    sent: Vec::new(),
                };
                let mut r = OtExtReceiver::setup(&mut ch).unwrap();
                r.random(&mut ch, &choices).unwrap();
                r.receive_chosen(&mut ch, &choices).unwrap();
                ch.sent
            },
        );
        sent
    }

    #[test]
    fn the_receivers_choice_bits_do_not_appear_on_the_wire() {
        let n = 2048;
        let cases = [vec![false; n], vec![true; n], random_choices(n)];
        let mut lengths = Vec::new();
        for choices in cases {
            let packed: Vec<u8> = choices
                .chunks(8)
                .map(|b| {
                    b.iter()
                        .enumerate()
                        .fold(0u8, |x, (i, &c)| x | u8::from(c) << i)
                })
                .collect();
            let wire = receiver_transcript(choices);
            lengths.push(wire.len());
            // Not even 128 bits of the packed choices, anywhere.
            assert!(!wire.windows(16).any(|w| w == &packed[..16]));
            let ones: u64 = wire.iter().map(|b| u64::from(b.count_ones())).sum();
            let bits = 8 * wire.len() as u64;
            assert!(bits >= 400_000, "{bits} bits");
            let fraction = ones as f64 / bits as f64;
            assert!(
                (0.45..0.55).contains(&fraction),
                "fraction of ones {fraction}"
            );
        }
        assert!(lengths.iter().all(|&l| l == lengths[0]), "{lengths:?}");
    }

    #[test]
    fn a_peer_that_hangs_up_mid_batch_is_a_net_error_then_the_extension_refuses() {
        // The receiver sends half of its columns, then disappears.
        let (r, _) = run_pair(
            |mut ch| {
                let mut s = OtExtSender::setup(&mut ch).unwrap();
                let first = s.random(&mut ch, 1000);
                let second = s.random(&mut ch, 1000);
                (first, second)
            },
            |mut ch| {
                let _r = OtExtReceiver::setup(&mut ch).unwrap();
                ch.send(&[7u8; 1000]).unwrap();
                ch.flush().unwrap();
            },
        );
        assert!(
            matches!(r.0, Err(OtError::Net(NetError::Disconnected { .. }))),
            "{:?}",
            r.0
        );
        assert!(
            matches!(&r.1, Err(OtError::Desynchronized { peer }) if peer == "bob"),
            "{:?}",
            r.1
        );

        // The sender disappears after set-up: random OT (all sends) and chosen OT fail.
        for chosen in [false, true] {
            let (gone_tx, gone_rx) = std::sync::mpsc::channel();
            let (_, r) = run_pair(
                move |mut ch| {
                    let _s = OtExtSender::setup(&mut ch).unwrap();
                    drop(ch);
                    gone_tx.send(()).unwrap();
                },
                move |mut ch| {
                    let mut r = OtExtReceiver::setup(&mut ch).unwrap();
                    let choices = random_choices(100);
                    gone_rx.recv().unwrap();
                    if chosen {
                        r.receive_chosen(&mut ch, &choices).map(drop)
                    } else {
                        r.random(&mut ch, &choices).map(drop)
                    }
                },
            );
            assert!(
                matches!(r, Err(OtError::Net(NetError::Disconnected { .. }))),
                "{r:?}"
            );
        }
    }

    #[test]
    fn garbage_in_set_up_is_malformed() {
        let (_, r) = run_pair(
            |mut ch| {
                ch.send(&[0xEE; 32]).unwrap();
                ch.flush().unwrap();
                let _ = ch.recv(&mut [0u8; 1]);
            },
            |mut ch| OtExtSender::setup(&mut ch).map(drop),
        );
        assert!(matches!(r, Err(OtError::Malformed { .. })), "{r:?}");
        let (r, _) = run_pair(
            |mut ch| OtExtReceiver::setup(&mut ch).map(drop),
            |mut ch| {
                let mut a = [0u8; 32];
                ch.recv(&mut a).unwrap();
                ch.send(&[0xEE; 128 * 32]).unwrap();
                ch.flush().unwrap();
            },
        );
        assert!(matches!(r, Err(OtError::Malformed { .. })), "{r:?}");
    }
}
