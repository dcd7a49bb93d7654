//! Channels between processes: the protocol's [`QueueChannel`] end, with two
//! threads that move its chunks over a link (TLS, or plain TCP in benchmarks).
//!
//! Each chunk travels as one frame: an 8-byte little-endian length, then that
//! many bytes. The reading thread checks the length against [`MAX_FRAME`]
//! before it allocates anything, so a peer announcing 4 GiB is refused, not
//! obeyed. The threads decouple the protocol from the socket: a protocol that
//! sends a large layer before reading its peer's (GMW, replicated sharing)
//! cannot deadlock on full socket buffers, exactly as in local mode, and
//! encryption overlaps with computation.

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, Sender};

use super::connect::{Link, LinkWriter};
use super::queue::{Fault, QueueChannel, QUEUE};
use super::{Channel, ChannelStats, NetError, Peers};

/// The largest frame a peer may announce. Veil sends chunks of at most
/// 64 KiB; the margin leaves room for other senders without letting a peer
/// make this party allocate more than a little.
pub const MAX_FRAME: u64 = 1 << 20;

/// Bytes of queued chunks gathered into one write to the link.
const BATCH: usize = 1 << 18;

/// A channel to one peer over a link, served by a writer and a reader thread.
pub struct StreamChannel {
    inner: Option<QueueChannel>,
    writer: Option<JoinHandle<()>>,
    fault: Fault,
    closing: Arc<AtomicBool>,
    /// The counters at close (the queue end is gone by then).
    closed_stats: ChannelStats,
}

impl std::fmt::Debug for StreamChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamChannel")
            .field("inner", &self.inner)
            .finish()
    }
}

impl StreamChannel {
    /// Starts the threads serving the link to `peer`: frames from the
    /// protocol go out on `to_peer`, frames read from `from_peer` come in.
    /// `timeout` bounds every wait of the protocol for the peer (and the
    /// wait of the writer for a peer that stopped reading).
    pub fn spawn(
        peer: &str,
        to_peer: Box<dyn LinkWriter>,
        from_peer: Box<dyn Read + Send>,
        timeout: Duration,
    ) -> Result<StreamChannel, NetError> {
        let (out_tx, out_rx) = bounded(QUEUE);
        let (in_tx, in_rx) = bounded(QUEUE);
        let fault: Fault = Fault::default();
        let closing = Arc::new(AtomicBool::new(false));
        let cannot = |e: std::io::Error| NetError::Local {
            why: format!("cannot start the threads for the link to `{peer}`: {e}"),
        };
        let writer = {
            let (peer, fault) = (peer.to_string(), Arc::clone(&fault));
            std::thread::Builder::new()
                .name(format!("send to {peer}"))
                .spawn(move || pump_out(&peer, to_peer, &out_rx, &fault, timeout))
                .map_err(cannot)?
        };
        {
            let (peer, fault, closing) =
                (peer.to_string(), Arc::clone(&fault), Arc::clone(&closing));
            // The reader is not joined: it ends when the peer closes its side,
            // the protocol's end is dropped, or the process exits.
            std::thread::Builder::new()
                .name(format!("receive from {peer}"))
                .spawn(move || pump_in(&peer, from_peer, &in_tx, &fault, &closing))
                .map_err(cannot)?;
        }
        Ok(StreamChannel {
            inner: Some(QueueChannel::new(
                peer,
                out_tx,
                in_rx,
                timeout,
                Some(Arc::clone(&fault)),
            )),
            writer: Some(writer),
            fault,
            closing,
            closed_stats: ChannelStats::default(),
        })
    }

    fn inner(&mut self) -> Result<&mut QueueChannel, NetError> {
        self.inner.as_mut().ok_or_else(|| NetError::Local {
            why: "the channel was already closed".into(),
        })
    }

    /// Stops the reader and waits until the writer has put every queued
    /// byte on the link and closed it; reports the writer's failure, if any.
    fn shut(&mut self) -> Result<(), NetError> {
        self.closing.store(true, Ordering::Relaxed);
        let Some(inner) = self.inner.take() else {
            return Ok(());
        };
        let peer = inner.peer().to_string();
        self.closed_stats = inner.stats();
        drop(inner);
        if let Some(w) = self.writer.take() {
            if w.join().is_err() {
                return Err(NetError::Local {
                    why: format!("the thread sending to `{peer}` stopped unexpectedly"),
                });
            }
        }
        match self.fault.lock().ok().and_then(|f| f.clone()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Channel for StreamChannel {
    fn peer(&self) -> &str {
        self.inner.as_ref().map_or("", |c| c.peer())
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        self.inner()?.send(bytes)
    }

    fn flush(&mut self) -> Result<(), NetError> {
        self.inner()?.flush()
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        self.inner()?.recv(buf)
    }

    fn stats(&self) -> ChannelStats {
        self.inner.as_ref().map_or(self.closed_stats, |c| c.stats())
    }

    fn start_run(&mut self) {
        if let Some(c) = self.inner.as_mut() {
            c.start_run();
        }
    }

    fn close(&mut self) -> Result<(), NetError> {
        if let Some(c) = self.inner.as_mut() {
            c.flush()?;
        }
        self.shut()
    }
}

impl Drop for StreamChannel {
    fn drop(&mut self) {
        // Dropped without `close`: the run failed. Stop the reader and let
        // the writer finish on its own rather than wait here for a peer
        // that may be the one that failed.
        self.closing.store(true, Ordering::Relaxed);
    }
}

/// A channel to every peer over `links` (index = party; `None` for `me`).
pub fn peers_over(
    names: Vec<String>,
    me: usize,
    links: Vec<Option<Link>>,
    timeout: Duration,
) -> Result<Peers, NetError> {
    let mut channels: Vec<Option<Box<dyn Channel>>> = Vec::with_capacity(links.len());
    for (j, link) in links.into_iter().enumerate() {
        channels.push(match link {
            Some(link) => {
                let peer = names.get(j).map_or("", String::as_str);
                log::debug!("channel to `{peer}` over {}", link.remote);
                Some(Box::new(StreamChannel::spawn(
                    peer,
                    link.to_peer,
                    link.from_peer,
                    timeout,
                )?))
            }
            None => None,
        });
    }
    Ok(Peers::new(me, names, channels))
}

fn record(fault: &Fault, e: NetError) {
    if let Ok(mut f) = fault.lock() {
        f.get_or_insert(e);
    }
}

/// The writer thread: frames every chunk the protocol queues, gathering what
/// is already queued into one write, and closes the link when the protocol
/// drops its end.
fn pump_out(
    peer: &str,
    mut sink: Box<dyn LinkWriter>,
    chunks: &Receiver<Vec<u8>>,
    fault: &Fault,
    timeout: Duration,
) {
    let mut result = Ok(());
    while let Ok(chunk) = chunks.recv() {
        // Frames go to the link as they come; the link flushes to the
        // socket once the queue is empty or a batch has gathered.
        let mut pending = 0;
        let mut next = Some(chunk);
        while let Some(chunk) = next.take() {
            result = frame(&mut *sink, &chunk);
            pending += chunk.len();
            if result.is_err() || pending >= BATCH {
                break;
            }
            next = chunks.try_recv().ok();
        }
        result = result.and_then(|()| sink.flush());
        if result.is_err() {
            break;
        }
    }
    if result.is_ok() {
        // Every byte is out; a peer that has already gone (it finished
        // first) may refuse the closing alert, which changes nothing.
        if let Err(e) = sink.close() {
            log::debug!("closing the link to `{peer}`: {e}");
        }
    }
    if let Err(e) = result {
        record(
            fault,
            match e.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut => NetError::Stalled {
                    peer: peer.to_string(),
                    waited: timeout,
                },
                _ => io_error(peer, &e),
            },
        );
    }
}

fn frame(sink: &mut dyn LinkWriter, chunk: &[u8]) -> std::io::Result<()> {
    sink.write_all(&(chunk.len() as u64).to_le_bytes())?;
    sink.write_all(chunk)
}

/// The reader thread: checks each frame's length before allocating it and
/// hands the payload to the protocol, until the peer closes or misbehaves.
fn pump_in(
    peer: &str,
    source: Box<dyn Read + Send>,
    chunks: &Sender<Vec<u8>>,
    fault: &Fault,
    closing: &AtomicBool,
) {
    // The link buffers its socket reads; frames are read straight into
    // their own buffers.
    let mut source = source;
    loop {
        let mut header = [0u8; 8];
        match read_full(peer, &mut source, &mut header, closing) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => return record(fault, e),
        }
        let len = u64::from_le_bytes(header);
        if len == 0 || len > MAX_FRAME {
            return record(
                fault,
                NetError::Malformed {
                    peer: peer.to_string(),
                    why: format!(
                        "announced a frame of {len} bytes; frames hold 1 to {MAX_FRAME} bytes"
                    ),
                },
            );
        }
        // `len` ≤ MAX_FRAME, so this allocation is bounded whatever the peer says.
        let mut body = vec![0u8; len as usize];
        match read_full(peer, &mut source, &mut body, closing) {
            Ok(true) => {}
            Ok(false) => {
                return record(
                    fault,
                    NetError::Malformed {
                        peer: peer.to_string(),
                        why: format!("closed the connection inside a frame of {len} bytes"),
                    },
                )
            }
            Err(e) => return record(fault, e),
        }
        if chunks.send(body).is_err() {
            return; // the protocol's end is gone
        }
    }
}

/// Fills `buf`; `Ok(false)` if the stream ended (or the channel is closing)
/// before its first byte. Socket timeouts only mean the peer is quiet: the
/// protocol's own receive timeout decides when quiet is too long.
fn read_full(
    peer: &str,
    source: &mut impl Read,
    buf: &mut [u8],
    closing: &AtomicBool,
) -> Result<bool, NetError> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => {
                return Err(NetError::Malformed {
                    peer: peer.to_string(),
                    why: "closed the connection inside a message".into(),
                })
            }
            Ok(n) => filled += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if closing.load(Ordering::Relaxed) {
                    return Ok(false);
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(peer, &e)),
        }
    }
    Ok(true)
}

/// A socket or TLS error as the protocol should see it: data that fails
/// TLS's integrity check is a malformed message; anything else a hang-up.
fn io_error(peer: &str, e: &std::io::Error) -> NetError {
    match e.kind() {
        ErrorKind::InvalidData => NetError::Malformed {
            peer: peer.to_string(),
            why: format!("TLS: {e}"),
        },
        _ => NetError::Disconnected {
            peer: peer.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Shutdown, TcpListener, TcpStream};

    /// Plain TCP as a link, for tests of the framing alone.
    struct Tcp(TcpStream);

    impl Write for Tcp {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.0.flush()
        }
    }

    impl LinkWriter for Tcp {
        fn close(&mut self) -> std::io::Result<()> {
            self.0.shutdown(Shutdown::Write)
        }
    }

    /// Two connected sockets on loopback.
    fn socket_pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let a = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
        let (b, _) = l.accept().expect("accept");
        (a, b)
    }

    /// Channels `a` ↔ `b` over two sockets (one per direction, as in network mode).
    fn linked(timeout: Duration) -> (StreamChannel, StreamChannel) {
        let (ab_w, ab_r) = socket_pair();
        let (ba_w, ba_r) = socket_pair();
        let a = StreamChannel::spawn("b", Box::new(Tcp(ab_w)), Box::new(ba_r), timeout);
        let b = StreamChannel::spawn("a", Box::new(Tcp(ba_w)), Box::new(ab_r), timeout);
        (a.expect("a"), b.expect("b"))
    }

    #[test]
    fn both_directions_carry_large_layers_sent_before_reading() {
        let (mut a, mut b) = linked(Duration::from_secs(10));
        // 6 MiB each way, sent before either side reads: more than local
        // mode's 4 MiB in flight, so this passes only because the threads
        // keep both queues (4 MiB each) draining into and out of the sockets.
        let data: Vec<u8> = (0..6u32 << 20).map(|i| (i % 253) as u8).collect();
        let d2 = data.clone();
        let t = std::thread::spawn(move || {
            b.send(&d2).expect("send b");
            let mut got = vec![0u8; d2.len()];
            b.recv(&mut got).expect("recv b");
            assert_eq!(got, d2);
            b.close().expect("close b");
            b.stats()
        });
        a.send(&data).expect("send a");
        let mut got = vec![0u8; data.len()];
        a.recv(&mut got).expect("recv a");
        assert_eq!(got, data);
        a.close().expect("close a");
        let sb = t.join().expect("thread");
        assert_eq!(sb.bytes_sent, 6 << 20);
        assert_eq!(
            a.stats().bytes_received,
            6 << 20,
            "counters survive the close"
        );
    }

    #[test]
    fn a_huge_length_prefix_is_refused_without_allocating_it() {
        let (mut raw, r) = socket_pair();
        let (w, _keep) = socket_pair();
        let mut c = StreamChannel::spawn(
            "mallory",
            Box::new(Tcp(w)),
            Box::new(r),
            Duration::from_secs(5),
        )
        .expect("spawn");
        raw.write_all(&(4u64 << 30).to_le_bytes()).expect("write");
        let mut buf = [0u8; 1];
        match c.recv(&mut buf) {
            Err(NetError::Malformed { peer, why }) => {
                assert_eq!(peer, "mallory");
                assert!(why.contains("4294967296"), "{why}");
            }
            other => panic!("expected a malformed-message error, got {other:?}"),
        }
    }

    #[test]
    fn a_peer_closing_inside_a_frame_is_malformed_and_a_clean_close_a_hang_up() {
        let (mut raw, r) = socket_pair();
        let (w, _keep) = socket_pair();
        let mut c =
            StreamChannel::spawn("bob", Box::new(Tcp(w)), Box::new(r), Duration::from_secs(5))
                .expect("spawn");
        raw.write_all(&10u64.to_le_bytes()).expect("write");
        raw.write_all(&[1, 2, 3]).expect("write");
        drop(raw);
        let mut buf = [0u8; 10];
        assert!(matches!(c.recv(&mut buf), Err(NetError::Malformed { .. })));

        let (raw, r) = socket_pair();
        let (w, _keep) = socket_pair();
        let mut c =
            StreamChannel::spawn("bob", Box::new(Tcp(w)), Box::new(r), Duration::from_secs(5))
                .expect("spawn");
        drop(raw);
        assert_eq!(
            c.recv(&mut buf),
            Err(NetError::Disconnected { peer: "bob".into() })
        );
    }

    #[test]
    fn a_silent_peer_times_out_naming_it() {
        let (_raw, r) = socket_pair();
        let (w, _keep) = socket_pair();
        let mut c = StreamChannel::spawn(
            "carol",
            Box::new(Tcp(w)),
            Box::new(r),
            Duration::from_millis(200),
        )
        .expect("spawn");
        let mut buf = [0u8; 1];
        assert!(matches!(
            c.recv(&mut buf),
            Err(NetError::Timeout { peer, .. }) if peer == "carol"
        ));
    }

    #[test]
    fn a_peer_that_stops_reading_is_reported_as_stalled() {
        let (w, _never_read) = socket_pair();
        w.set_write_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let (_keep, r) = socket_pair();
        let mut c = StreamChannel::spawn(
            "dave",
            Box::new(Tcp(w)),
            Box::new(r),
            Duration::from_secs(5),
        )
        .expect("spawn");
        // More than the queue and both socket buffers hold: the writer's
        // socket write times out, and the protocol's next send says why.
        let chunk = vec![7u8; 1 << 20];
        let err = (0..256)
            .find_map(|_| c.send(&chunk).err())
            .expect("sending to a peer that never reads fails");
        assert!(
            matches!(&err, NetError::Stalled { peer, .. } if peer == "dave"),
            "{err:?}"
        );
    }

    #[test]
    fn frames_on_the_wire_are_length_prefixed_chunks() {
        let (w, mut raw) = socket_pair();
        let (_keep, r) = socket_pair();
        let mut c =
            StreamChannel::spawn("bob", Box::new(Tcp(w)), Box::new(r), Duration::from_secs(5))
                .expect("spawn");
        c.send(b"hello").expect("send");
        c.close().expect("close");
        let mut wire = Vec::new();
        raw.read_to_end(&mut wire).expect("read");
        assert_eq!(&wire[..8], &5u64.to_le_bytes());
        assert_eq!(&wire[8..], b"hello");
    }
}
