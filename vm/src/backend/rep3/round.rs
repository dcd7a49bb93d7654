//! One round of communication: every party sends one message to each
//! neighbour and receives one from each, in bounded chunks.

use zeroize::Zeroize;

use super::stream::{low_mask, BitReader, BitWriter, WordStream};
use crate::error::VmError;
use crate::net::Peers;

/// Bytes sent to each peer before waiting for the peer's bytes of the same
/// exchange: every party sends and receives in the same round, so bounding
/// what is in flight keeps bounded buffers (in memory or TCP) from filling
/// up on both sides at once.
const CHUNK: usize = 1 << 18;

/// The party after `p` (it holds the share after ours).
#[inline]
pub(crate) fn next_of(p: usize) -> usize {
    (p + 1) % 3
}

/// The party before `p`.
#[inline]
pub(crate) fn prev_of(p: usize) -> usize {
    (p + 2) % 3
}

/// Sends `sends[p]` to every party `p` and receives `recvs[p]` from it, in
/// chunks of [`CHUNK`] bytes: each party sends chunk `k` everywhere before
/// receiving chunk `k` from anywhere, so nobody waits on anybody's full buffer.
pub(crate) fn exchange(
    peers: &mut Peers,
    sends: [&[u8]; 3],
    mut recvs: [&mut [u8]; 3],
) -> Result<(), VmError> {
    let me = peers.me();
    let longest = sends
        .iter()
        .map(|s| s.len())
        .chain(recvs.iter().map(|r| r.len()))
        .max()
        .unwrap_or(0);
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

/// The state of a round: the two outgoing messages and the two incoming ones.
///
/// Each multiplication ("job") goes one of two ways: *forward*, the party
/// keeps its 3-out-of-3 share `t_i` as its first share and sends it to the
/// previous party (for which it is the second share); *backward*, it keeps
/// `t_i` as its second share and sends it to the next party. Either way the
/// result is again a replicated sharing. Jobs alternate, so that both
/// directions of both links carry half the bytes and every round is one
/// exchange on each channel. AND and MUL gates have their directions fixed
/// in the program; conversion jobs take theirs from [`Io::send_dir`].
#[derive(Debug, Default)]
pub(crate) struct Io {
    /// To the previous party / to the next one.
    pub fwd: BitWriter,
    pub bwd: BitWriter,
    /// From the next party (its forward message) / from the previous one.
    pub from_next: Vec<u8>,
    pub from_prev: Vec<u8>,
    pub rd_next: BitReader,
    pub rd_prev: BitReader,
    sent_jobs: usize,
    read_jobs: usize,
    round: usize,
}

impl Io {
    /// Starts a round (the directions of its conversion jobs depend on its number).
    pub fn begin(&mut self) {
        self.round += 1;
        self.fwd.clear();
        self.bwd.clear();
        self.sent_jobs = 0;
        self.read_jobs = 0;
    }

    /// The direction of the next conversion job sent (true: forward).
    #[inline]
    pub fn send_dir(&mut self) -> bool {
        let d = (self.sent_jobs + self.round).is_multiple_of(2);
        self.sent_jobs += 1;
        d
    }

    /// The direction of the next conversion job read back (the same sequence).
    #[inline]
    pub fn recv_dir(&mut self) -> bool {
        let d = (self.read_jobs + self.round).is_multiple_of(2);
        self.read_jobs += 1;
        d
    }

    /// Sends the forward message to the previous party and the backward one
    /// to the next, and receives theirs (the same lengths, by symmetry).
    pub fn exchange(&mut self, peers: &mut Peers) -> Result<(), VmError> {
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

    /// Finishes one conversion job: `t` (a 3-out-of-3 share of a product)
    /// gets the zero-sharing `rn ⊕ rp` (`rn − rp` for ring elements) added,
    /// is kept in `z0` or `z1` by direction, and is sent with `bits` bits
    /// per word (the last word masked by `last`).
    #[allow(clippy::too_many_arguments)]
    pub fn share(
        &mut self,
        alpha: &mut Alpha,
        t: &[u64],
        z0: &mut [u64],
        z1: &mut [u64],
        bits: u32,
        last: u64,
        arith: bool,
    ) {
        let len = t.len();
        let (rn, rp) = alpha.draw(len);
        let fwd = self.send_dir();
        let (keep, out) = if fwd {
            (z0, &mut self.fwd)
        } else {
            (z1, &mut self.bwd)
        };
        let mask = low_mask(bits);
        for i in 0..len {
            let v = if arith {
                t[i].wrapping_add(rn[i]).wrapping_sub(rp[i]) & mask
            } else {
                t[i] ^ rn[i] ^ rp[i]
            };
            let m = if i + 1 == len { last } else { u64::MAX };
            out.put(v & m & mask, bits);
            keep[i] = v;
        }
    }

    /// Reads back the other half of a conversion job into `z1` or `z0`.
    pub fn take(&mut self, z0: &mut [u64], z1: &mut [u64], bits: u32) {
        if self.recv_dir() {
            self.rd_next.get_all(&self.from_next, z1, bits);
        } else {
            self.rd_prev.get_all(&self.from_prev, z0, bits);
        }
    }
}

impl Io {
    /// A round state on (emptied) buffers kept from an earlier run.
    pub fn with_buffers([fwd, bwd, from_next, from_prev]: [Vec<u8>; 4]) -> Io {
        let mut io = Io::default();
        io.from_next = from_next;
        io.from_prev = from_prev;
        io.fwd.bytes = fwd;
        io.bwd.bytes = bwd;
        io
    }

    /// Zeroises the buffers and hands them over for a later run.
    pub fn take_buffers(&mut self) -> [Vec<u8>; 4] {
        let mut all = [
            std::mem::take(&mut self.fwd.bytes),
            std::mem::take(&mut self.bwd.bytes),
            std::mem::take(&mut self.from_next),
            std::mem::take(&mut self.from_prev),
        ];
        for b in &mut all {
            b.zeroize();
        }
        all
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        self.take_buffers();
    }
}

/// Words of zero-sharing drawn at a time (small enough to stay in cache).
pub(crate) const ALPHA_WORDS: usize = 4096;

/// The party's two pairwise streams and a buffer of their words.
#[derive(Debug)]
pub(crate) struct Alpha {
    /// Shared with the next party / the previous one.
    pub next: WordStream,
    pub prev: WordStream,
    rn: Vec<u64>,
    rp: Vec<u64>,
}

impl Alpha {
    /// The streams, with buffers kept from an earlier run.
    pub fn new(next: WordStream, prev: WordStream, [rn, rp]: [Vec<u64>; 2]) -> Alpha {
        Alpha { next, prev, rn, rp }
    }

    /// Zeroises the buffers and hands them over for a later run.
    pub fn take_buffers(&mut self) -> [Vec<u64>; 2] {
        self.rn.zeroize();
        self.rp.zeroize();
        [std::mem::take(&mut self.rn), std::mem::take(&mut self.rp)]
    }

    /// The next `len` words of each stream: `(next, prev)`.
    #[inline]
    pub fn draw(&mut self, len: usize) -> (&[u64], &[u64]) {
        if self.rn.len() < len {
            self.rn.resize(len, 0);
            self.rp.resize(len, 0);
        }
        self.next.fill(&mut self.rn[..len]);
        self.prev.fill(&mut self.rp[..len]);
        (&self.rn[..len], &self.rp[..len])
    }
}

impl Drop for Alpha {
    fn drop(&mut self) {
        self.take_buffers();
    }
}
