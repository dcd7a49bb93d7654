//! The protocol's end of every channel: bytes in chunks over bounded queues.
//!
//! A fast sender cannot run arbitrarily far ahead of its reader (memory stays
//! bounded), and every wait has a timeout, so a party whose peer died ends
//! with an error, not a hang. In local mode the other end is another party's
//! thread ([`super::local`]); between processes it is a pair of threads that
//! move the chunks over a TCP or TLS link ([`super::stream`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, SendTimeoutError, Sender};

use super::{Channel, ChannelStats, NetError};

/// Bytes gathered before a chunk is handed to the peer.
pub(crate) const CHUNK: usize = 1 << 16;
/// Chunks in flight per direction (4 MiB).
pub(crate) const QUEUE: usize = 64;

/// Where the threads serving a network channel leave the reason they
/// stopped (a malformed frame, a socket error), so that the protocol sees it
/// rather than a bare hang-up.
pub(crate) type Fault = Arc<Mutex<Option<NetError>>>;

/// The protocol's end of a channel.
pub struct QueueChannel {
    peer: String,
    tx: Sender<Vec<u8>>,
    rx: Receiver<Vec<u8>>,
    out: Vec<u8>,
    inbuf: Vec<u8>,
    inpos: usize,
    timeout: Duration,
    stats: ChannelStats,
    sent_since_recv: bool,
    fault: Option<Fault>,
}

impl std::fmt::Debug for QueueChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueChannel")
            .field("peer", &self.peer)
            .field("stats", &self.stats)
            .finish()
    }
}

impl QueueChannel {
    /// The end that sends on `tx` and receives on `rx`; `fault` is where the
    /// threads on the other side of the queues explain why they stopped.
    pub(crate) fn new(
        peer: &str,
        tx: Sender<Vec<u8>>,
        rx: Receiver<Vec<u8>>,
        timeout: Duration,
        fault: Option<Fault>,
    ) -> QueueChannel {
        QueueChannel {
            peer: peer.to_string(),
            tx,
            rx,
            out: Vec::with_capacity(CHUNK),
            inbuf: Vec::new(),
            inpos: 0,
            timeout,
            stats: ChannelStats::default(),
            sent_since_recv: false,
            fault,
        }
    }

    /// Why the other side is gone: its recorded fault, or a plain hang-up.
    fn gone(&self) -> NetError {
        self.fault
            .as_ref()
            .and_then(|f| f.lock().ok().and_then(|f| f.clone()))
            .unwrap_or_else(|| NetError::Disconnected {
                peer: self.peer.clone(),
            })
    }

    fn push(&mut self) -> Result<(), NetError> {
        if self.out.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.out, Vec::with_capacity(CHUNK));
        match self.tx.send_timeout(chunk, self.timeout) {
            Ok(()) => Ok(()),
            Err(SendTimeoutError::Timeout(_)) => Err(NetError::Timeout {
                peer: self.peer.clone(),
                waited: self.timeout,
            }),
            Err(SendTimeoutError::Disconnected(_)) => Err(self.gone()),
        }
    }
}

impl Channel for QueueChannel {
    fn peer(&self) -> &str {
        &self.peer
    }

    fn send(&mut self, mut bytes: &[u8]) -> Result<(), NetError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if !self.sent_since_recv {
            self.sent_since_recv = true;
            self.stats.rounds += 1;
        }
        self.stats.bytes_sent += bytes.len() as u64;
        while !bytes.is_empty() {
            let room = CHUNK - self.out.len().min(CHUNK);
            let take = room.min(bytes.len());
            self.out.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.out.len() >= CHUNK {
                self.push()?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), NetError> {
        self.push()
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        self.push()?;
        self.sent_since_recv = false;
        let mut filled = 0;
        while filled < buf.len() {
            if self.inpos == self.inbuf.len() {
                self.inbuf = match self.rx.recv_timeout(self.timeout) {
                    Ok(chunk) => chunk,
                    Err(RecvTimeoutError::Timeout) => {
                        return Err(NetError::Timeout {
                            peer: self.peer.clone(),
                            waited: self.timeout,
                        })
                    }
                    Err(RecvTimeoutError::Disconnected) => return Err(self.gone()),
                };
                self.inpos = 0;
            }
            let take = (self.inbuf.len() - self.inpos).min(buf.len() - filled);
            buf[filled..filled + take].copy_from_slice(&self.inbuf[self.inpos..self.inpos + take]);
            self.inpos += take;
            filled += take;
        }
        self.stats.bytes_received += buf.len() as u64;
        Ok(())
    }

    fn stats(&self) -> ChannelStats {
        self.stats
    }

    fn start_run(&mut self) {
        self.sent_since_recv = false;
    }
}
