//! How parties talk: a byte [`Channel`] per pair of parties, with counters.
//!
//! Protocols write to channels as if to a socket: sends are buffered and go
//! out in chunks, receives read exactly the bytes the protocol expects and
//! fail with a typed error (naming the peer) when the peer hangs up or stays
//! silent past the timeout. The same protocol code runs over in-memory
//! channels (local mode, [`local`]) and over TLS between processes
//! ([`stream`]); both hand the protocol a [`queue::QueueChannel`].

pub mod config;
pub mod connect;
pub mod local;
mod peers;
pub mod queue;
pub mod stream;
pub mod tls;

pub use peers::Peers;

use std::time::Duration;

use crate::block::Block;

/// How long a party waits for a peer's next message before giving up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a message could not be sent or received.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    #[error("party `{peer}` disconnected")]
    Disconnected { peer: String },
    #[error("party `{peer}` sent nothing for {:.1} s (timeout)", .waited.as_secs_f64())]
    Timeout { peer: String, waited: Duration },
    #[error("party `{peer}` sent a malformed message: {why}")]
    Malformed { peer: String, why: String },
    #[error("no channel to party {peer}")]
    NoChannel { peer: usize },
    #[error("party `{peer}` stopped reading for {:.1} s (timeout)", .waited.as_secs_f64())]
    Stalled { peer: String, waited: Duration },
    #[error("{why}")]
    Local { why: String },
}

/// What a channel has carried, from one party's side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelStats {
    /// Payload bytes sent to the peer.
    pub bytes_sent: u64,
    /// Payload bytes received from the peer.
    pub bytes_received: u64,
    /// Times this party sent after having received (or sent first): the
    /// number of communication rounds it started on this channel.
    pub rounds: u64,
}

impl ChannelStats {
    /// The counters since `earlier` was taken.
    pub fn minus(self, earlier: ChannelStats) -> ChannelStats {
        ChannelStats {
            bytes_sent: self.bytes_sent - earlier.bytes_sent.min(self.bytes_sent),
            bytes_received: self.bytes_received - earlier.bytes_received.min(self.bytes_received),
            rounds: self.rounds - earlier.rounds.min(self.rounds),
        }
    }

    /// The sum of two counters (for totals over peers).
    pub fn plus(self, other: ChannelStats) -> ChannelStats {
        ChannelStats {
            bytes_sent: self.bytes_sent + other.bytes_sent,
            bytes_received: self.bytes_received + other.bytes_received,
            rounds: self.rounds.max(other.rounds),
        }
    }
}

/// A reliable, ordered byte stream to one peer.
pub trait Channel: Send {
    /// The peer's party name (errors name it).
    fn peer(&self) -> &str;

    /// Queues `bytes` for the peer; they leave in chunks or at [`Channel::flush`].
    fn send(&mut self, bytes: &[u8]) -> Result<(), NetError>;

    /// Sends everything queued.
    fn flush(&mut self) -> Result<(), NetError>;

    /// Fills `buf` with the peer's next bytes, flushing queued sends first
    /// (so two parties never wait on each other's buffers).
    fn recv(&mut self, buf: &mut [u8]) -> Result<(), NetError>;

    /// The counters so far.
    fn stats(&self) -> ChannelStats;

    /// Starts a new run on a long-lived channel: the next send opens a new
    /// round even if this party's last action in the previous run was a send.
    /// (Only the round counter depends on it, hence the empty default.)
    fn start_run(&mut self) {}

    /// Sends everything queued and ends the stream, reporting any failure to
    /// deliver (a network channel's writer that could not finish). Local
    /// channels need nothing more than a flush.
    fn close(&mut self) -> Result<(), NetError> {
        self.flush()
    }

    /// Sends blocks in wire order.
    fn send_blocks(&mut self, blocks: &[Block]) -> Result<(), NetError> {
        let mut bytes = Vec::with_capacity(blocks.len() * Block::BYTES);
        crate::block::extend_bytes(&mut bytes, blocks);
        self.send(&bytes)
    }

    /// Receives `n` blocks.
    fn recv_blocks(&mut self, n: usize) -> Result<Vec<Block>, NetError> {
        let mut bytes = vec![0u8; n * Block::BYTES];
        self.recv(&mut bytes)?;
        let mut out = Vec::with_capacity(n);
        crate::block::from_byte_chunks(&bytes, &mut out);
        Ok(out)
    }

    /// Sends one `u64` (little-endian).
    fn send_u64(&mut self, x: u64) -> Result<(), NetError> {
        self.send(&x.to_le_bytes())
    }

    /// Receives one `u64`.
    fn recv_u64(&mut self) -> Result<u64, NetError> {
        let mut b = [0u8; 8];
        self.recv(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
}

/// A party-agnostic byte count for messages whose length comes from a peer:
/// refuses lengths over `limit` before anything is allocated.
pub fn checked_len(peer: &str, len: u64, limit: u64) -> Result<usize, NetError> {
    if len > limit {
        return Err(NetError::Malformed {
            peer: peer.to_string(),
            why: format!("announced {len} bytes, more than the {limit} this message may have"),
        });
    }
    usize::try_from(len).map_err(|_| NetError::Malformed {
        peer: peer.to_string(),
        why: format!("announced {len} bytes"),
    })
}
