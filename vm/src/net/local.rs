//! In-memory channels for local mode: every party on its own thread.
//!
//! Bytes travel in chunks over bounded queues, so a fast sender cannot run
//! arbitrarily far ahead of its reader (memory stays bounded), and every wait
//! has a timeout, so a party whose peer died ends with an error, not a hang.

use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, SendTimeoutError, Sender};

use super::{Channel, ChannelStats, NetError, Peers};

/// Bytes gathered before a chunk is handed to the peer.
const CHUNK: usize = 1 << 16;
/// Chunks in flight per direction (4 MiB).
const QUEUE: usize = 64;

/// One end of an in-memory channel.
pub struct LocalChannel {
    peer: String,
    tx: Sender<Vec<u8>>,
    rx: Receiver<Vec<u8>>,
    out: Vec<u8>,
    inbuf: Vec<u8>,
    inpos: usize,
    timeout: Duration,
    stats: ChannelStats,
    sent_since_recv: bool,
}

impl std::fmt::Debug for LocalChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalChannel")
            .field("peer", &self.peer)
            .field("stats", &self.stats)
            .finish()
    }
}

/// A connected pair: the first end talks to `b_name`, the second to `a_name`.
pub fn pair(a_name: &str, b_name: &str, timeout: Duration) -> (LocalChannel, LocalChannel) {
    let (tx_ab, rx_ab) = bounded(QUEUE);
    let (tx_ba, rx_ba) = bounded(QUEUE);
    let end = |peer: &str, tx, rx| LocalChannel {
        peer: peer.to_string(),
        tx,
        rx,
        out: Vec::with_capacity(CHUNK),
        inbuf: Vec::new(),
        inpos: 0,
        timeout,
        stats: ChannelStats::default(),
        sent_since_recv: false,
    };
    (end(b_name, tx_ab, rx_ba), end(a_name, tx_ba, rx_ab))
}

/// A channel between every two of `names`; element `i` is party `i`'s view.
pub fn mesh(names: &[String], timeout: Duration) -> Vec<Peers> {
    let n = names.len();
    let mut slots: Vec<Vec<Option<Box<dyn Channel>>>> =
        (0..n).map(|_| (0..n).map(|_| None).collect()).collect();
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = pair(&names[i], &names[j], timeout);
            slots[i][j] = Some(Box::new(a));
            slots[j][i] = Some(Box::new(b));
        }
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(me, channels)| Peers::new(me, names.to_vec(), channels))
        .collect()
}

impl LocalChannel {
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
            Err(SendTimeoutError::Disconnected(_)) => Err(NetError::Disconnected {
                peer: self.peer.clone(),
            }),
        }
    }
}

impl Channel for LocalChannel {
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
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(NetError::Disconnected {
                            peer: self.peer.clone(),
                        })
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_arrive_in_order_across_chunks_and_are_counted() {
        let (mut a, mut b) = pair("a", "b", Duration::from_secs(5));
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let t = std::thread::spawn(move || {
            a.send(&data).map(|_| a.flush()).ok();
            let mut back = [0u8; 3];
            a.recv(&mut back).ok();
            (a.stats(), back)
        });
        let mut got = vec![0u8; 300_000];
        b.recv(&mut got).ok();
        assert!(got.iter().enumerate().all(|(i, &x)| x == (i % 251) as u8));
        b.send(&[1, 2, 3]).ok();
        b.flush().ok();
        let (sa, back) = t.join().expect("thread");
        assert_eq!(back, [1, 2, 3]);
        assert_eq!(sa.bytes_sent, 300_000);
        assert_eq!(sa.bytes_received, 3);
        assert_eq!(sa.rounds, 1);
        assert_eq!(b.stats().rounds, 1);
    }

    #[test]
    fn a_peer_that_hangs_up_is_an_error_naming_it() {
        let (mut a, b) = pair("alice", "bob", Duration::from_secs(5));
        drop(b);
        let mut buf = [0u8; 4];
        assert_eq!(
            a.recv(&mut buf),
            Err(NetError::Disconnected { peer: "bob".into() })
        );
    }

    #[test]
    fn a_silent_peer_times_out() {
        let (mut a, _b) = pair("alice", "bob", Duration::from_millis(50));
        let mut buf = [0u8; 4];
        assert!(matches!(a.recv(&mut buf), Err(NetError::Timeout { .. })));
    }
}
