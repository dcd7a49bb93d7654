//! Building the mesh of connections between parties.
//!
//! Every ordered pair of parties (i → j) has its own TCP connection, dialed
//! by i (the TLS client) to j's listener (the TLS server); after set-up,
//! bytes flow only from i to j on it. So each party dials N−1 connections,
//! which it writes on, and accepts N−1, which it reads from. Both ends
//! authenticate with the certificates pinned in `parties.toml` (see
//! [`super::tls`]): the dialer requires the peer it dialed, the listener
//! learns who connected from the certificate presented.
//!
//! Right after the TLS handshake both sides exchange a 48-byte session
//! hello (`b"VEIL-NET"`, protocol version and party index as `u32` LE, the
//! 32-byte session digest), the dialer first. The listener's reply matters:
//! in TLS 1.3 a client finishes its handshake before the server has checked
//! the client's certificate, so only the reply tells the dialer it was
//! accepted. Equal digests mean both parties run the same circuit, backend,
//! party list and options.
//!
//! Parties may start in any order: dialing retries until the deadline, and
//! the listener, bound before anything is dialed, accepts in a thread of
//! its own. Connections that fail to authenticate are logged and dropped,
//! so a stranger cannot stop a run, only delay it.

use std::fmt;
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, DnsName, ServerName};
use rustls::{ClientConfig, ClientConnection, ServerConfig, ServerConnection, StreamOwned};

use super::config::{ConfigError, NetConfig, PartyAddress};
use super::tls::{self, Identity, TlsError};

/// The first bytes of every session hello.
const MAGIC: &[u8; 8] = b"VEIL-NET";
/// The version of this set-up protocol (and of the framing above it).
const PROTOCOL_VERSION: u32 = 1;
/// The length of a session hello.
const HELLO_LEN: usize = 48;
/// The longest a single connection's handshake may keep the listener busy.
const MAX_HANDSHAKE: Duration = Duration::from_secs(10);
/// First and longest pause between attempts to reach a peer.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_millis(500));
/// Pause between polls of the listener when nobody is connecting.
const ACCEPT_POLL: Duration = Duration::from_millis(10);
/// A server name for peers whose party name is not a DNS name (the pinning
/// verifier ignores names anyway).
const FALLBACK_SERVER_NAME: &str = "veil-party.invalid";

/// How long set-up may take, and socket timeouts afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectOptions {
    /// The whole mesh set-up must finish within this time (parties that
    /// start later than this after the first cannot join).
    pub deadline: Duration,
    /// Read and write timeout set on every socket once connected (zero
    /// means none); during set-up at most 10 s per step.
    pub io_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            deadline: Duration::from_secs(60),
            io_timeout: super::DEFAULT_TIMEOUT,
        }
    }
}

/// Whether links are encrypted: [`Security::Tls`] always for users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Mutually authenticated TLS 1.3 with the configured certificates.
    Tls,
    /// Plain TCP with NO authentication and NO confidentiality: anyone on
    /// the network can read, alter or impersonate. Exists only so that
    /// benchmarks can measure what TLS costs.
    InsecurePlainTcp,
}

/// The writing end of a link: a byte sink that can be closed gracefully.
pub trait LinkWriter: Write + Send {
    /// Ends the stream so the peer reads a clean end of file (TLS: sends
    /// `close_notify`, flushes and shuts the socket's write side).
    fn close(&mut self) -> io::Result<()>;
}

/// One peer's two connections: the one this party dialed (to write on) and
/// the one the peer dialed (to read from).
pub struct Link {
    /// Bytes to the peer.
    pub to_peer: Box<dyn LinkWriter>,
    /// Bytes from the peer.
    pub from_peer: Box<dyn Read + Send>,
    /// The peer's socket address, for logs.
    pub remote: String,
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

/// A peer that could not be reached before the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// The peer's name.
    pub party: String,
    /// The address dialed.
    pub address: String,
    /// The last failure (or that it was never tried).
    pub last_error: String,
}

/// Why the mesh could not be built; every message names the party (and
/// address) concerned and what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The configuration file is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A certificate or key is unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Parties of the program are missing from the configuration.
    #[error("{} has no entry for {}", path.display(), quoted(missing))]
    UnknownParties {
        /// The configuration file.
        path: PathBuf,
        /// The missing names.
        missing: Vec<String>,
    },
    /// The party list or this party's index is inconsistent.
    #[error("bad party list: {why}")]
    BadParties {
        /// What is wrong.
        why: String,
    },
    /// Two parties are configured with the same certificate, so the
    /// listener could not tell them apart.
    #[error("parties `{first}` and `{second}` have the same certificate; each needs its own")]
    SameCertificate {
        /// One party.
        first: String,
        /// The other.
        second: String,
    },
    /// This party's listener could not be bound.
    #[error("party `{party}` cannot listen on {address}: {source}")]
    Bind {
        /// This party.
        party: String,
        /// The `listen` address.
        address: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// The party dialed presented a certificate other than its configured one.
    #[error(
        "party `{peer}` at {address} presented a certificate that is not the one in the \
         configuration ({}): wrong address, or someone else is listening there",
        certificate.display()
    )]
    WrongCertificate {
        /// The peer dialed.
        peer: String,
        /// Its address.
        address: String,
        /// The certificate file it should have matched.
        certificate: PathBuf,
    },
    /// The party dialed refused this party's certificate.
    #[error(
        "party `{peer}` at {address} refused this party's certificate ({why}); its configuration \
         must list this party's current certificate"
    )]
    Refused {
        /// The peer dialed.
        peer: String,
        /// Its address.
        address: String,
        /// The TLS alert received.
        why: String,
    },
    /// The TLS handshake with a party failed for a reason other than
    /// certificates.
    #[error("TLS handshake with party `{peer}` at {address} failed: {why}")]
    Handshake {
        /// The peer.
        peer: String,
        /// Its address.
        address: String,
        /// rustls's message.
        why: String,
    },
    /// An authenticated party runs a different session.
    #[error(
        "party `{peer}` runs a different session: a different circuit, backend, party list or \
         options"
    )]
    SessionMismatch {
        /// The peer.
        peer: String,
    },
    /// A party's session hello was wrong or missing.
    #[error("party `{peer}` ({address}): {why}")]
    Protocol {
        /// The peer.
        peer: String,
        /// Its address.
        address: String,
        /// What was wrong.
        why: String,
    },
    /// A connected socket could not be configured.
    #[error("cannot configure the connection with party `{peer}` ({address}): {source}")]
    Socket {
        /// The peer.
        peer: String,
        /// Its address.
        address: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// Set-up did not finish before the deadline.
    #[error("{}", timeout_message(.waited, .unreachable, .not_connected, *.rejected, .last_rejection))]
    Timeout {
        /// The deadline.
        waited: Duration,
        /// Peers this party could not reach.
        unreachable: Vec<Unreachable>,
        /// Peers that never connected to this party.
        not_connected: Vec<String>,
        /// Connections refused meanwhile (strangers, bad hellos).
        rejected: usize,
        /// Why the last one was refused.
        last_rejection: Option<String>,
    },
    /// The listening thread died.
    #[error("party `{party}`: the listening thread failed")]
    Listener {
        /// This party.
        party: String,
    },
}

/// `a`, `b` and `c` as a message fragment.
fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match q.len() {
        0 => String::new(),
        1 => format!("party {}", q[0]),
        _ => format!("parties {}", q.join(", ")),
    }
}

/// The message of [`ConnectError::Timeout`].
fn timeout_message(
    waited: &Duration,
    unreachable: &[Unreachable],
    not_connected: &[String],
    rejected: usize,
    last_rejection: &Option<String>,
) -> String {
    let mut parts = Vec::new();
    for u in unreachable {
        parts.push(format!(
            "could not reach party `{}` at {} ({})",
            u.party, u.address, u.last_error
        ));
    }
    if !not_connected.is_empty() {
        parts.push(format!("{} never connected", quoted(not_connected)));
    }
    if parts.is_empty() {
        parts.push("set-up stopped".to_string());
    }
    let mut message = format!(
        "network set-up timed out after {:.1} s: {}",
        waited.as_secs_f64(),
        parts.join("; ")
    );
    if rejected > 0 {
        message.push_str(&format!(
            " ({rejected} connection{} rejected",
            if rejected == 1 { "" } else { "s" }
        ));
        if let Some(last) = last_rejection {
            message.push_str(&format!(", the last because {last}"));
        }
        message.push(')');
    }
    message
}

/// Connects party `me` of `parties` (the protocol's party order) with every
/// other party, as `config` says, and returns the links indexed by party
/// (`None` at `me`). `session` is a digest of everything the parties must
/// agree on; a peer with another digest is an error.
pub fn connect_mesh(
    config: &NetConfig,
    parties: &[String],
    me: usize,
    session: &[u8; 32],
    security: Security,
    options: &ConnectOptions,
) -> Result<Vec<Option<Link>>, ConnectError> {
    let start = Instant::now();
    let mesh = Mesh::new(config, parties, me, session, security, options, start)?;
    let own = mesh.entries[me];
    let listener = TcpListener::bind(own.listen.as_str())
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| ConnectError::Bind {
            party: own.name.clone(),
            address: own.listen.clone(),
            source,
        })?;
    let (dialed, accepted) = std::thread::scope(|s| {
        let acceptor = s.spawn(|| mesh.accept_all(&listener));
        let dialed = mesh.dial_all();
        let accepted = acceptor.join().unwrap_or_else(|_| {
            Err(Fail::Error(ConnectError::Listener {
                party: own.name.clone(),
            }))
        });
        (dialed, accepted)
    });
    let (outgoing, incoming) = match (dialed, accepted) {
        (Ok(out), Ok(inc)) => (out, inc),
        // At most one side fails hard: the first to fail claims it, the
        // other then stops (see `Mesh::fail`).
        (Err(Fail::Error(e)), _) | (_, Err(Fail::Error(e))) => return Err(e),
        // What is left is the deadline, on one side or both (a side stops
        // early only after a hard error on the other, returned above).
        (dialed, accepted) => {
            let unreachable = match dialed {
                Err(Fail::Deadline(u)) => u,
                _ => Vec::new(),
            };
            let (not_connected, rejected, last_rejection) = match accepted {
                Err(Fail::Waiting(n, r, l)) => (n, r, l),
                _ => (Vec::new(), 0, None),
            };
            return Err(ConnectError::Timeout {
                waited: options.deadline,
                unreachable,
                not_connected,
                rejected,
                last_rejection,
            });
        }
    };
    let mut links = Vec::with_capacity(parties.len());
    for (j, (out, inc)) in outgoing.into_iter().zip(incoming).enumerate() {
        links.push(match (out, inc) {
            (Some(out), Some(from_peer)) => {
                log::info!("connected to {} ({})", mesh.entries[j].name, out.remote);
                Some(Link {
                    to_peer: out.writer,
                    from_peer,
                    remote: out.remote,
                })
            }
            _ => None,
        });
    }
    Ok(links)
}

/// Why one side of the set-up ended without its connections.
enum Fail {
    /// The other side failed hard; this one gave up.
    Stopped,
    /// The dialer reached the deadline: who could not be reached.
    Deadline(Vec<Unreachable>),
    /// The listener reached the deadline: who never connected, how many
    /// connections were rejected, the last reason.
    Waiting(Vec<String>, usize, Option<String>),
    /// A hard error.
    Error(ConnectError),
}

/// Why one attempt to dial a peer failed.
enum DialFail {
    /// Worth another try (the peer may not be up yet).
    Retry(String),
    /// Final.
    Fatal(ConnectError),
}

/// Why an accepted connection was not kept.
enum Verdict {
    /// Drop it and keep listening.
    Reject(String),
    /// Stop the set-up.
    Fatal(ConnectError),
    /// Stop the set-up, the failure claimed already (see [`Mesh::fail`]).
    Claimed(Fail),
}

/// Why a TLS handshake failed.
enum HandshakeError {
    /// The connection failed or stalled.
    Io(io::Error),
    /// TLS refused (certificates, protocol).
    Tls(rustls::Error),
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::Io(e) => write!(f, "{e}"),
            HandshakeError::Tls(e) => write!(f, "{e}"),
        }
    }
}

/// A connection this party dialed, ready to write on.
struct Outgoing {
    writer: Box<dyn LinkWriter>,
    remote: String,
}

/// The TLS material for one party's set-up.
struct TlsSetup {
    /// The client configuration for dialing each peer (`None` at `me`).
    clients: Vec<Option<Arc<ClientConfig>>>,
    /// The listener's configuration.
    server: Arc<ServerConfig>,
    /// Every party's pinned certificate, by index.
    pinned: Vec<CertificateDer<'static>>,
}

/// One party's set-up in progress, shared by the dialing and the listening
/// thread.
struct Mesh<'a> {
    entries: Vec<&'a PartyAddress>,
    me: usize,
    session: &'a [u8; 32],
    deadline: Instant,
    io_timeout: Option<Duration>,
    tls: Option<TlsSetup>,
    /// Set when one side failed hard, so that the other gives up early.
    stop: AtomicBool,
}

impl<'a> Mesh<'a> {
    /// Checks the party list against the configuration and loads the TLS
    /// material.
    fn new(
        config: &'a NetConfig,
        parties: &[String],
        me: usize,
        session: &'a [u8; 32],
        security: Security,
        options: &ConnectOptions,
        start: Instant,
    ) -> Result<Mesh<'a>, ConnectError> {
        if me >= parties.len() {
            return Err(ConnectError::BadParties {
                why: format!(
                    "this party is #{me} but there are {} parties",
                    parties.len()
                ),
            });
        }
        if u32::try_from(parties.len()).is_err() {
            return Err(ConnectError::BadParties {
                why: format!("{} parties are too many", parties.len()),
            });
        }
        for (i, name) in parties.iter().enumerate() {
            if parties[..i].contains(name) {
                return Err(ConnectError::BadParties {
                    why: format!("party `{name}` is listed twice"),
                });
            }
        }
        let missing: Vec<String> = parties
            .iter()
            .filter(|n| config.party(n).is_none())
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(ConnectError::UnknownParties {
                path: config.path.clone(),
                missing,
            });
        }
        let entries: Vec<&PartyAddress> = parties.iter().filter_map(|n| config.party(n)).collect();
        let tls = match security {
            Security::Tls => Some(TlsSetup::new(&entries, me)?),
            Security::InsecurePlainTcp => None,
        };
        Ok(Mesh {
            entries,
            me,
            session,
            deadline: start + options.deadline,
            io_timeout: Some(options.io_timeout).filter(|t| !t.is_zero()),
            tls,
            stop: AtomicBool::new(false),
        })
    }

    /// The time left before the deadline.
    fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The socket timeout for one step of a connection's set-up: short
    /// enough that one stalled connection cannot hold up the rest.
    fn step_timeout(&self) -> Duration {
        let mut t = MAX_HANDSHAKE.min(self.remaining());
        if let Some(io) = self.io_timeout {
            t = t.min(io);
        }
        t.max(Duration::from_millis(50))
    }

    /// Claims the set-up's failure for the caller's side; false if the
    /// other side has failed already (and its error is the one to report).
    fn claim(&self) -> bool {
        !self.stop.swap(true, Ordering::AcqRel)
    }

    /// A hard error on this side, or [`Fail::Stopped`] if the other side
    /// failed first (this error is then most likely a consequence).
    fn fail(&self, e: ConnectError) -> Fail {
        if self.claim() {
            Fail::Error(e)
        } else {
            Fail::Stopped
        }
    }

    /// The hello this party sends.
    fn hello(&self) -> [u8; HELLO_LEN] {
        // `new` checked that indices fit in a u32.
        encode_hello(u32::try_from(self.me).unwrap_or(u32::MAX), self.session)
    }

    /// The hard error for a peer with another session digest.
    fn mismatch(&self, j: usize) -> ConnectError {
        ConnectError::SessionMismatch {
            peer: self.entries[j].name.clone(),
        }
    }

    // ---- dialing ----

    /// Dials every other party, retrying unreachable ones until the
    /// deadline.
    fn dial_all(&self) -> Result<Vec<Option<Outgoing>>, Fail> {
        let n = self.entries.len();
        let mut out: Vec<Option<Outgoing>> = (0..n).map(|_| None).collect();
        let mut last: Vec<String> = vec!["never tried".to_string(); n];
        let mut backoff = BACKOFF.0;
        loop {
            for j in (0..n).filter(|&j| j != self.me) {
                if out[j].is_some() {
                    continue;
                }
                if self.stop.load(Ordering::Acquire) {
                    return Err(Fail::Stopped);
                }
                match self.dial(j) {
                    Ok(o) => out[j] = Some(o),
                    Err(DialFail::Retry(why)) => {
                        log::debug!("party `{}` not reached yet: {why}", self.entries[j].name);
                        last[j] = why;
                    }
                    Err(DialFail::Fatal(e)) => return Err(self.fail(e)),
                }
            }
            let pending: Vec<usize> = (0..n)
                .filter(|&j| j != self.me && out[j].is_none())
                .collect();
            if pending.is_empty() {
                return Ok(out);
            }
            let left = self.remaining();
            if left.is_zero() {
                return Err(Fail::Deadline(
                    pending
                        .into_iter()
                        .map(|j| Unreachable {
                            party: self.entries[j].name.clone(),
                            address: self.entries[j].address.clone(),
                            last_error: std::mem::take(&mut last[j]),
                        })
                        .collect(),
                ));
            }
            std::thread::sleep(backoff.min(left));
            backoff = (backoff * 2).min(BACKOFF.1);
        }
    }

    /// One attempt to connect to party `j` and exchange hellos.
    fn dial(&self, j: usize) -> Result<Outgoing, DialFail> {
        let peer = self.entries[j];
        let sock = self.tcp_connect(peer)?;
        let remote = sock
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| peer.address.clone());
        let step = self.step_timeout();
        sock.set_read_timeout(Some(step))
            .and_then(|()| sock.set_write_timeout(Some(step)))
            .and_then(|()| sock.set_nodelay(true))
            .map_err(|e| DialFail::Retry(format!("cannot configure the socket: {e}")))?;
        let writer: Box<dyn LinkWriter> = match &self.tls {
            Some(setup) => Box::new(self.dial_tls(setup, j, sock)?),
            None => {
                let mut sock = sock;
                self.exchange_hellos(j, &mut sock)
                    .map_err(DialFail::Fatal)?;
                self.finish(j, &sock).map_err(DialFail::Fatal)?;
                Box::new(PlainWriter(io::BufWriter::with_capacity(
                    WRITE_BUFFER,
                    sock,
                )))
            }
        };
        Ok(Outgoing { writer, remote })
    }

    /// A TCP connection to `peer`'s address (any of its resolved addresses).
    fn tcp_connect(&self, peer: &PartyAddress) -> Result<TcpStream, DialFail> {
        let addrs: Vec<SocketAddr> = peer
            .address
            .to_socket_addrs()
            .map_err(|e| DialFail::Retry(format!("cannot resolve the address: {e}")))?
            .collect();
        let mut last = DialFail::Retry("the address resolves to nothing".to_string());
        for addr in addrs {
            let wait = self
                .remaining()
                .min(MAX_HANDSHAKE)
                .max(Duration::from_millis(10));
            match TcpStream::connect_timeout(&addr, wait) {
                Ok(sock) => return Ok(sock),
                Err(e) => last = DialFail::Retry(e.to_string()),
            }
        }
        Err(last)
    }

    /// The TLS handshake and hellos as dialer of party `j`.
    fn dial_tls(
        &self,
        setup: &TlsSetup,
        j: usize,
        mut sock: TcpStream,
    ) -> Result<TlsWriter, DialFail> {
        let peer = self.entries[j];
        let fatal = DialFail::Fatal;
        let config = setup.clients[j].clone().ok_or_else(|| {
            fatal(ConnectError::BadParties {
                why: format!("no TLS configuration for party `{}`", peer.name),
            })
        })?;
        let handshake_error = |why: String| {
            fatal(ConnectError::Handshake {
                peer: peer.name.clone(),
                address: peer.address.clone(),
                why,
            })
        };
        let name = server_name(&peer.name).map_err(|e| handshake_error(e.to_string()))?;
        let mut conn =
            ClientConnection::new(config, name).map_err(|e| handshake_error(e.to_string()))?;
        match handshake(&mut conn, &mut sock, Instant::now() + self.step_timeout()) {
            Ok(()) => {}
            Err(HandshakeError::Tls(e)) if tls::is_not_pinned(&e) => {
                return Err(fatal(ConnectError::WrongCertificate {
                    peer: peer.name.clone(),
                    address: peer.address.clone(),
                    certificate: peer.certificate.clone(),
                }))
            }
            Err(HandshakeError::Tls(e)) => return Err(handshake_error(e.to_string())),
            // Nothing is settled before the hellos: the listener may have
            // been busy or the peer restarting, so try again.
            Err(HandshakeError::Io(e)) => {
                return Err(DialFail::Retry(format!("TLS handshake failed: {e}")))
            }
        }
        let mut stream = StreamOwned::new(conn, sock);
        self.exchange_hellos(j, &mut stream).map_err(fatal)?;
        self.finish(j, &stream.sock).map_err(fatal)?;
        // The writer thread bounds what it writes before each flush.
        stream.conn.set_buffer_limit(None);
        Ok(TlsWriter(stream))
    }

    /// The dialer's side of the hellos with party `j`: sends this party's,
    /// then reads and checks the reply.
    fn exchange_hellos(&self, j: usize, stream: &mut impl ReadWrite) -> Result<(), ConnectError> {
        let peer = self.entries[j];
        let protocol = |why: String| ConnectError::Protocol {
            peer: peer.name.clone(),
            address: peer.address.clone(),
            why,
        };
        let wrote = stream
            .write_all(&self.hello())
            .and_then(|()| stream.flush());
        // Read even if writing failed: a refusal arrives as a TLS alert.
        let mut reply = [0u8; HELLO_LEN];
        let read = stream.read_exact(&mut reply);
        if let Err(e) = &read {
            if let Some(alert @ rustls::Error::AlertReceived(_)) = rustls_error(e) {
                return Err(ConnectError::Refused {
                    peer: peer.name.clone(),
                    address: peer.address.clone(),
                    why: alert.to_string(),
                });
            }
        }
        wrote.map_err(|e| protocol(format!("cannot send the session hello: {e}")))?;
        read.map_err(|e| {
            protocol(if e.kind() == io::ErrorKind::UnexpectedEof {
                "closed the connection instead of answering the session hello (it may not \
                 accept this party's certificate, or already has a connection from it)"
                    .to_string()
            } else {
                format!("did not answer the session hello: {e}")
            })
        })?;
        let hello = decode_hello(&reply).ok_or_else(|| {
            protocol(format!(
                "is not speaking Veil's protocol version {PROTOCOL_VERSION}"
            ))
        })?;
        if usize::try_from(hello.index).ok() != Some(j) {
            return Err(protocol(format!(
                "answered as party #{} but `{}` is party #{j} here; the party lists differ",
                hello.index, peer.name
            )));
        }
        if &hello.session != self.session {
            return Err(self.mismatch(j));
        }
        Ok(())
    }

    /// Sets the socket options for a connection with party `j` that is
    /// set up: no Nagle delay, the configured timeouts.
    fn finish(&self, j: usize, sock: &TcpStream) -> Result<(), ConnectError> {
        sock.set_nodelay(true)
            .and_then(|()| sock.set_read_timeout(self.io_timeout))
            .and_then(|()| sock.set_write_timeout(self.io_timeout))
            .map_err(|source| ConnectError::Socket {
                peer: self.entries[j].name.clone(),
                address: self.entries[j].address.clone(),
                source,
            })
    }

    // ---- listening ----

    /// Accepts connections until every other party has connected, the
    /// deadline passes or the dialing side failed.
    fn accept_all(
        &self,
        listener: &TcpListener,
    ) -> Result<Vec<Option<Box<dyn Read + Send>>>, Fail> {
        let n = self.entries.len();
        let mut links: Vec<Option<Box<dyn Read + Send>>> = (0..n).map(|_| None).collect();
        let mut rejected = 0;
        let mut last_rejection = None;
        loop {
            let missing: Vec<String> = (0..n)
                .filter(|&j| j != self.me && links[j].is_none())
                .map(|j| self.entries[j].name.clone())
                .collect();
            if missing.is_empty() {
                return Ok(links);
            }
            if self.stop.load(Ordering::Acquire) {
                return Err(Fail::Stopped);
            }
            if self.remaining().is_zero() {
                return Err(Fail::Waiting(missing, rejected, last_rejection));
            }
            match listener.accept() {
                Ok((sock, addr)) => {
                    let have: Vec<bool> = links.iter().map(Option::is_some).collect();
                    match self.accept(sock, addr, &have) {
                        Ok((j, reader)) => links[j] = Some(reader),
                        Err(Verdict::Reject(reason)) => {
                            log::warn!("rejected a connection from {addr}: {reason}");
                            rejected += 1;
                            last_rejection = Some(reason);
                        }
                        Err(Verdict::Fatal(e)) => return Err(self.fail(e)),
                        Err(Verdict::Claimed(fail)) => return Err(fail),
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(ACCEPT_POLL.min(self.remaining()));
                }
                Err(e) => {
                    // E.g. a connection reset before it was accepted, or
                    // out of file descriptors for a moment.
                    log::warn!("accepting a connection failed: {e}");
                    std::thread::sleep(ACCEPT_POLL.min(self.remaining()));
                }
            }
        }
    }

    /// Authenticates one accepted connection; `have[j]` says whether party
    /// `j` is connected already.
    fn accept(
        &self,
        sock: TcpStream,
        addr: SocketAddr,
        have: &[bool],
    ) -> Result<(usize, Box<dyn Read + Send>), Verdict> {
        let step = self.step_timeout();
        sock.set_nonblocking(false)
            .and_then(|()| sock.set_read_timeout(Some(step)))
            .and_then(|()| sock.set_write_timeout(Some(step)))
            .map_err(|e| Verdict::Reject(format!("cannot configure the socket: {e}")))?;
        let mut sock = sock;
        match &self.tls {
            Some(setup) => {
                let mut conn = ServerConnection::new(setup.server.clone()).map_err(|e| {
                    Verdict::Fatal(ConnectError::Tls(TlsError::Config {
                        party: self.entries[self.me].name.clone(),
                        source: e,
                    }))
                })?;
                match self.accept_tls(setup, &mut conn, &mut sock, addr, have) {
                    Ok(j) => Ok((
                        j,
                        Box::new(StreamOwned::new(conn, BufferedSocket::new(sock))),
                    )),
                    Err(v) => {
                        linger_close(sock);
                        Err(v)
                    }
                }
            }
            None => match self.accept_plain(&mut sock, have) {
                Ok(j) => Ok((j, Box::new(BufReader::with_capacity(READ_BUFFER, sock)))),
                Err(v) => {
                    linger_close(sock);
                    Err(v)
                }
            },
        }
    }

    /// The listener's side of TLS and hellos: returns the index of the
    /// party that connected.
    fn accept_tls(
        &self,
        setup: &TlsSetup,
        conn: &mut ServerConnection,
        sock: &mut TcpStream,
        addr: SocketAddr,
        have: &[bool],
    ) -> Result<usize, Verdict> {
        let reject = Verdict::Reject;
        match handshake(conn, sock, Instant::now() + self.step_timeout()) {
            Ok(()) => {}
            Err(HandshakeError::Tls(e)) if tls::is_not_pinned(&e) => {
                return Err(reject(
                    "its certificate is not one of the configured parties'".to_string(),
                ))
            }
            Err(e) => return Err(reject(format!("TLS handshake failed: {e}"))),
        }
        let j = conn
            .peer_certificates()
            .and_then(|chain| chain.first())
            .and_then(|leaf| setup.pinned.iter().position(|p| p == leaf))
            .filter(|&j| j != self.me)
            .ok_or_else(|| reject("it presented no configured certificate".to_string()))?;
        let name = &self.entries[j].name;
        if have[j] {
            conn.send_close_notify();
            let _ = conn.write_tls(sock);
            return Err(reject(format!(
                "party `{name}` is connected already (a second connection with its certificate)"
            )));
        }
        let mut stream = rustls::Stream::new(conn, sock);
        let mut buf = [0u8; HELLO_LEN];
        stream
            .read_exact(&mut buf)
            .map_err(|e| reject(format!("party `{name}` sent no session hello: {e}")))?;
        // The peer is authenticated: what it says is not an intruder's noise
        // but a real disagreement, and fatal.
        let protocol = |why: String| {
            Verdict::Fatal(ConnectError::Protocol {
                peer: name.clone(),
                address: addr.to_string(),
                why,
            })
        };
        let hello = decode_hello(&buf).ok_or_else(|| {
            protocol(format!(
                "is not speaking Veil's protocol version {PROTOCOL_VERSION}"
            ))
        })?;
        if usize::try_from(hello.index).ok() != Some(j) {
            return Err(protocol(format!(
                "says it is party #{} but its certificate is that of party #{j}; the party \
                 lists differ",
                hello.index
            )));
        }
        self.answer(j, &mut stream, &hello)?;
        self.finish(j, sock).map_err(Verdict::Fatal)?;
        Ok(j)
    }

    /// Answers party `j`'s hello with this party's, and fails if their
    /// sessions differ. The reply goes out even then, so that the peer
    /// learns of the mismatch too; but this side claims the failure first,
    /// before the peer can react by hanging up on this party's own dialing
    /// (whose error would otherwise hide the real cause).
    fn answer(&self, j: usize, stream: &mut impl Write, hello: &Hello) -> Result<(), Verdict> {
        let mismatch = (&hello.session != self.session).then(|| self.fail(self.mismatch(j)));
        let wrote = stream
            .write_all(&self.hello())
            .and_then(|()| stream.flush());
        if let Some(fail) = mismatch {
            return Err(Verdict::Claimed(fail));
        }
        wrote.map_err(|e| {
            Verdict::Reject(format!(
                "cannot answer party `{}`'s hello: {e}",
                self.entries[j].name
            ))
        })
    }

    /// The listener's side of the hellos without TLS: the peer is whoever
    /// its hello says it is.
    fn accept_plain(&self, sock: &mut TcpStream, have: &[bool]) -> Result<usize, Verdict> {
        let reject = Verdict::Reject;
        let mut buf = [0u8; HELLO_LEN];
        sock.read_exact(&mut buf)
            .map_err(|e| reject(format!("no session hello: {e}")))?;
        let hello = decode_hello(&buf).ok_or_else(|| {
            reject(format!(
                "not speaking Veil's protocol version {PROTOCOL_VERSION}"
            ))
        })?;
        let j = usize::try_from(hello.index)
            .ok()
            .filter(|&j| j < self.entries.len() && j != self.me)
            .ok_or_else(|| reject(format!("no party #{} to connect", hello.index)))?;
        let name = &self.entries[j].name;
        if have[j] {
            return Err(reject(format!("party `{name}` is connected already")));
        }
        self.answer(j, sock, &hello)?;
        self.finish(j, sock).map_err(Verdict::Fatal)?;
        Ok(j)
    }
}

impl TlsSetup {
    /// Loads this party's identity and every party's pinned certificate.
    fn new(entries: &[&PartyAddress], me: usize) -> Result<TlsSetup, ConnectError> {
        let pinned = entries
            .iter()
            .map(|p| tls::pinned_certificate(p))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, a) in pinned.iter().enumerate() {
            if let Some(k) = pinned[..i].iter().position(|b| b == a) {
                return Err(ConnectError::SameCertificate {
                    first: entries[k].name.clone(),
                    second: entries[i].name.clone(),
                });
            }
        }
        let identity = Identity::load(entries[me])?;
        let mut clients = Vec::with_capacity(entries.len());
        for (j, cert) in pinned.iter().enumerate() {
            clients.push(if j == me {
                None
            } else {
                Some(tls::client_config(&identity, cert.clone())?)
            });
        }
        let others = pinned
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != me)
            .map(|(_, c)| c.clone())
            .collect();
        let server = tls::server_config(&identity, others)?;
        Ok(TlsSetup {
            clients,
            server,
            pinned,
        })
    }
}

/// A byte stream both ways (a socket, or TLS over one).
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// The rustls error inside an I/O error from a TLS stream, if any.
fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}

/// The name the dialer presents for party `name`: the name itself if it is
/// a DNS name, else a fixed one (the pinning verifier ignores it).
fn server_name(name: &str) -> Result<ServerName<'static>, rustls::pki_types::InvalidDnsNameError> {
    DnsName::try_from(name.to_string())
        .or_else(|_| DnsName::try_from(FALLBACK_SERVER_NAME.to_string()))
        .map(ServerName::DnsName)
}

/// Drives a TLS handshake on a blocking socket until it completes, fails,
/// or `until` passes (checked between reads, each of which the socket's
/// timeout bounds).
fn handshake<D>(
    conn: &mut rustls::ConnectionCommon<D>,
    sock: &mut TcpStream,
    until: Instant,
) -> Result<(), HandshakeError> {
    loop {
        while conn.wants_write() {
            if conn.write_tls(sock).map_err(HandshakeError::Io)? == 0 {
                return Err(HandshakeError::Io(io::ErrorKind::WriteZero.into()));
            }
        }
        if !conn.is_handshaking() {
            return Ok(());
        }
        if Instant::now() >= until {
            return Err(HandshakeError::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                "the TLS handshake took too long",
            )));
        }
        match conn.read_tls(sock) {
            Ok(0) => {
                return Err(HandshakeError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed during the TLS handshake",
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(HandshakeError::Io(e)),
        }
        if let Err(e) = conn.process_new_packets() {
            // Tell the peer why (an alert), if it still listens.
            let _ = conn.write_tls(sock);
            return Err(HandshakeError::Tls(e));
        }
    }
}

/// Closes a rejected connection without discarding what it already sent
/// us (closing with unread input would reset the connection, and the peer
/// might lose the alert that explains the refusal).
fn linger_close(mut sock: TcpStream) {
    let _ = sock.shutdown(Shutdown::Write);
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    for _ in 0..16 {
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// A session hello as read.
struct Hello {
    index: u32,
    session: [u8; 32],
}

/// The 48 bytes of a hello from party `index`.
fn encode_hello(index: u32, session: &[u8; 32]) -> [u8; HELLO_LEN] {
    let mut out = [0u8; HELLO_LEN];
    out[..8].copy_from_slice(MAGIC);
    out[8..12].copy_from_slice(&PROTOCOL_VERSION.to_le_bytes());
    out[12..16].copy_from_slice(&index.to_le_bytes());
    out[16..].copy_from_slice(session);
    out
}

/// A hello's index and digest, or `None` if it is not Veil's protocol
/// version 1.
fn decode_hello(bytes: &[u8; HELLO_LEN]) -> Option<Hello> {
    let (magic, rest) = bytes.split_first_chunk::<8>()?;
    let (version, rest) = rest.split_first_chunk::<4>()?;
    let (index, rest) = rest.split_first_chunk::<4>()?;
    let session: [u8; 32] = rest.try_into().ok()?;
    if magic != MAGIC || u32::from_le_bytes(*version) != PROTOCOL_VERSION {
        return None;
    }
    Some(Hello {
        index: u32::from_le_bytes(*index),
        session,
    })
}

/// The writing end of a TLS link.
/// Bytes read from a socket per system call on the receiving side of a link.
const READ_BUFFER: usize = 1 << 18;

/// A socket read through a large buffer: rustls asks for 4 KiB at a time,
/// which would cost a system call per 4 KiB of a fast stream.
struct BufferedSocket(BufReader<TcpStream>);

impl BufferedSocket {
    fn new(sock: TcpStream) -> BufferedSocket {
        BufferedSocket(BufReader::with_capacity(READ_BUFFER, sock))
    }
}

impl Read for BufferedSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for BufferedSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.get_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.get_mut().flush()
    }
}

/// The writing end of a TLS link. Writes only encrypt into the connection's
/// buffer of records; `flush` puts them on the socket. So the frames that a
/// writer thread gathers leave in a few large writes, with no extra copy.
struct TlsWriter(StreamOwned<ClientConnection, TcpStream>);

impl Write for TlsWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.conn.writer().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        while self.0.conn.wants_write() {
            self.0.conn.write_tls(&mut self.0.sock)?;
        }
        self.0.sock.flush()
    }
}

impl LinkWriter for TlsWriter {
    fn close(&mut self) -> io::Result<()> {
        self.0.conn.send_close_notify();
        self.flush()?;
        self.0.sock.shutdown(Shutdown::Write)
    }
}

/// Bytes gathered before a write to the socket on a plain link.
const WRITE_BUFFER: usize = 1 << 18;

/// The writing end of a plain TCP link.
struct PlainWriter(io::BufWriter<TcpStream>);

impl Write for PlainWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl LinkWriter for PlainWriter {
    fn close(&mut self) -> io::Result<()> {
        self.0.flush()?;
        self.0.get_ref().shutdown(Shutdown::Write)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::thread::JoinHandle;

    use super::*;
    use crate::net::tls::testing::temp_dir;

    type Mesh = Result<Vec<Option<Link>>, ConnectError>;

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port()
    }

    /// Writes `parties.toml` in `dir` for `(name, port, certificate)`
    /// entries (certificate and key default beside the file when `None`).
    fn write_config(dir: &Path, parties: &[(&str, u16, Option<&Path>)]) -> NetConfig {
        let mut text = String::new();
        for (name, port, cert) in parties {
            text.push_str(&format!(
                "[[party]]\nname = \"{name}\"\naddress = \"127.0.0.1:{port}\"\n"
            ));
            if let Some(cert) = cert {
                text.push_str(&format!("certificate = {:?}\n", cert.display().to_string()));
            }
        }
        let path = dir.join("parties.toml");
        std::fs::write(&path, text).expect("write config");
        NetConfig::load(&path).expect("config")
    }

    /// A fresh directory with a configuration for `names` on free ports
    /// and keys for all of them.
    fn deployment(tag: &str, names: &[&str]) -> NetConfig {
        let dir = temp_dir(tag);
        let entries: Vec<(&str, u16, Option<&Path>)> =
            names.iter().map(|n| (*n, free_port(), None)).collect();
        let config = write_config(&dir, &entries);
        tls::keygen(&config, false).expect("keygen");
        config
    }

    fn names(config: &NetConfig) -> Vec<String> {
        config.parties.iter().map(|p| p.name.clone()).collect()
    }

    fn options(deadline: Duration) -> ConnectOptions {
        ConnectOptions {
            deadline,
            io_timeout: Duration::from_secs(10),
        }
    }

    /// Party `me` of `config` connecting on its own thread after `delay`.
    fn start(
        config: &NetConfig,
        me: usize,
        session: [u8; 32],
        security: Security,
        deadline: Duration,
        delay: Duration,
    ) -> JoinHandle<Mesh> {
        let config = config.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            connect_mesh(
                &config,
                &names(&config),
                me,
                &session,
                security,
                &options(deadline),
            )
        })
    }

    /// What party `from` sends party `to`: long enough for many records.
    fn message(from: usize, to: usize) -> Vec<u8> {
        let mut m = format!("from {from} to {to}:").into_bytes();
        m.extend((0..200_000u32).map(|k| (k.wrapping_mul(31) as usize + 7 * from + 13 * to) as u8));
        m
    }

    /// Sends every peer its message, closes, and checks every peer's
    /// message arrives whole, up to a clean end of file.
    fn exchange(me: usize, links: Vec<Option<Link>>) {
        let mut readers = Vec::new();
        let mut writers = Vec::new();
        for (j, link) in links.into_iter().enumerate() {
            match link {
                None => assert_eq!(j, me, "a link to every peer"),
                Some(link) => {
                    assert_ne!(j, me, "no link to oneself");
                    assert!(!link.remote.is_empty());
                    let mut from_peer = link.from_peer;
                    readers.push((
                        j,
                        std::thread::spawn(move || {
                            let mut got = Vec::new();
                            from_peer.read_to_end(&mut got).map(|_| got)
                        }),
                    ));
                    writers.push((j, link.to_peer));
                }
            }
        }
        for (j, mut w) in writers {
            w.write_all(&message(me, j)).expect("send");
            w.close().expect("close");
        }
        for (j, r) in readers {
            let got = r.join().expect("reader").expect("read to a clean end");
            assert!(
                got == message(j, me),
                "party {me} got a wrong message from {j}"
            );
        }
    }

    fn run_mesh(config: &NetConfig, security: Security, delays_ms: &[u64]) {
        let handles: Vec<_> = delays_ms
            .iter()
            .enumerate()
            .map(|(i, d)| {
                start(
                    config,
                    i,
                    [7; 32],
                    security,
                    Duration::from_secs(20),
                    Duration::from_millis(*d),
                )
            })
            .collect();
        let meshes: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("party thread"))
            .collect();
        let exchanges: Vec<_> = meshes
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let links = m.unwrap_or_else(|e| panic!("party {i}: {e}"));
                std::thread::spawn(move || exchange(i, links))
            })
            .collect();
        for e in exchanges {
            e.join().expect("exchange");
        }
    }

    fn cleanup(config: &NetConfig) {
        if let Some(dir) = config.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[test]
    fn hellos_round_trip_and_refuse_other_protocols() {
        let h = encode_hello(5, &[9; 32]);
        assert_eq!(&h[..8], b"VEIL-NET");
        let d = decode_hello(&h).expect("decodes");
        assert_eq!((d.index, d.session), (5, [9; 32]));
        let mut v2 = h;
        v2[8] = 2;
        assert!(decode_hello(&v2).is_none());
        let mut other = h;
        other[0] = b'X';
        assert!(decode_hello(&other).is_none());
    }

    #[test]
    fn three_parties_over_tls() {
        let config = deployment("mesh-tls", &["alice", "bob", "carol"]);
        run_mesh(&config, Security::Tls, &[0, 0, 0]);
        cleanup(&config);
    }

    #[test]
    fn three_parties_over_plain_tcp() {
        let config = deployment("mesh-plain", &["alice", "bob", "carol"]);
        run_mesh(&config, Security::InsecurePlainTcp, &[0, 0, 0]);
        cleanup(&config);
    }

    #[test]
    fn parties_may_start_in_any_order() {
        let config = deployment("order", &["alice", "bob", "party 3"]);
        run_mesh(&config, Security::Tls, &[400, 1000, 0]);
        run_mesh(&config, Security::InsecurePlainTcp, &[700, 0, 300]);
        cleanup(&config);
    }

    #[test]
    fn a_stranger_is_rejected_and_the_missing_party_named() {
        let config = deployment("stranger", &["alice", "bob"]);
        // Mallory has her own key and claims to be bob, dialing alice from
        // an address of her own (nobody listens at bob's).
        let mallory_dir = temp_dir("mallory");
        let alice = &config.parties[0];
        let alice_port = alice.address.rsplit_once(':').expect("port").1;
        let mallory = write_config(
            &mallory_dir,
            &[
                (
                    "alice",
                    alice_port.parse().expect("port"),
                    Some(&alice.certificate),
                ),
                ("bob", free_port(), None),
            ],
        );
        tls::keygen(&mallory, false).expect_err("alice's files exist");
        let bob = NetConfig {
            parties: vec![mallory.parties[1].clone()],
            ..mallory.clone()
        };
        tls::keygen(&bob, false).expect("mallory's key");
        let deadline = Duration::from_secs(2);
        let honest = start(&config, 0, [1; 32], Security::Tls, deadline, Duration::ZERO);
        let intruder = start(
            &mallory,
            1,
            [1; 32],
            Security::Tls,
            deadline,
            Duration::from_millis(100),
        );
        let e = honest.join().expect("alice").expect_err("bob never came");
        let ConnectError::Timeout {
            not_connected,
            unreachable,
            rejected,
            ..
        } = &e
        else {
            panic!("not a timeout: {e}");
        };
        assert_eq!(not_connected, &["bob".to_string()], "{e}");
        assert_eq!(unreachable.len(), 1, "{e}");
        assert!(*rejected >= 1, "{e}");
        let message = e.to_string();
        assert!(message.contains("party `bob` never connected"), "{message}");
        assert!(
            message.contains("not one of the configured parties'"),
            "{message}"
        );
        let e = intruder.join().expect("mallory").expect_err("refused");
        assert!(matches!(e, ConnectError::Refused { .. }), "{e}");
        cleanup(&config);
        cleanup(&mallory);
    }

    #[test]
    fn a_listener_with_another_certificate_fails_at_once() {
        let config = deployment("impostor", &["alice", "bob"]);
        // Someone with another key listens at bob's address.
        let other = temp_dir("impostor-key");
        let bob = &config.parties[1];
        let bob_port = bob.address.rsplit_once(':').expect("port").1;
        let impostor = write_config(
            &other,
            &[
                ("alice", free_port(), Some(&config.parties[0].certificate)),
                ("bob", bob_port.parse().expect("port"), None),
            ],
        );
        tls::keygen(
            &NetConfig {
                parties: vec![impostor.parties[1].clone()],
                ..impostor.clone()
            },
            false,
        )
        .expect("impostor key");
        let listening = start(
            &impostor,
            1,
            [1; 32],
            Security::Tls,
            Duration::from_secs(3),
            Duration::ZERO,
        );
        let began = Instant::now();
        let alice = start(
            &config,
            0,
            [1; 32],
            Security::Tls,
            Duration::from_secs(30),
            Duration::from_millis(200),
        );
        let e = alice.join().expect("alice").expect_err("impostor");
        assert!(began.elapsed() < Duration::from_secs(10), "retried instead");
        assert!(matches!(e, ConnectError::WrongCertificate { .. }), "{e}");
        assert!(
            e.to_string().contains("party `bob`")
                && e.to_string().contains("not the one in the configuration"),
            "{e}"
        );
        let _ = listening.join();
        cleanup(&config);
        cleanup(&impostor);
    }

    #[test]
    fn plaintext_junk_is_rejected_and_the_real_peer_still_connects() {
        let config = deployment("junk", &["alice", "bob"]);
        let deadline = Duration::from_secs(20);
        let alice = start(&config, 0, [3; 32], Security::Tls, deadline, Duration::ZERO);
        let address = config.parties[0].address.clone();
        let began = Instant::now();
        let mut junk = loop {
            match TcpStream::connect(address.as_str()) {
                Ok(s) => break s,
                Err(_) if began.elapsed() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(e) => panic!("alice never listened: {e}"),
            }
        };
        junk.set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        junk.write_all(b"GET / HTTP/1.1\r\nHost: alice\r\n\r\n")
            .expect("junk");
        // Alice answers with an alert at most, then hangs up.
        let mut answer = Vec::new();
        let _ = junk.read_to_end(&mut answer);
        assert!(!answer.starts_with(b"VEIL"), "no hello for strangers");
        let bob = start(&config, 1, [3; 32], Security::Tls, deadline, Duration::ZERO);
        let a = alice.join().expect("alice").expect("alice connects");
        let b = bob.join().expect("bob").expect("bob connects");
        let t = std::thread::spawn(move || exchange(0, a));
        exchange(1, b);
        t.join().expect("exchange");
        cleanup(&config);
    }

    #[test]
    fn different_sessions_fail_on_both_sides() {
        for security in [Security::Tls, Security::InsecurePlainTcp] {
            let config = deployment("session", &["alice", "bob"]);
            let deadline = Duration::from_secs(20);
            let a = start(&config, 0, [1; 32], security, deadline, Duration::ZERO);
            let b = start(&config, 1, [2; 32], security, deadline, Duration::ZERO);
            for (h, other) in [(a, "alice"), (b, "bob")] {
                let peer_of = if other == "alice" { "bob" } else { "alice" };
                match h.join().expect("party") {
                    Err(ConnectError::SessionMismatch { peer }) => assert_eq!(peer, peer_of),
                    Err(e) => panic!("{other} ({security:?}): {e}"),
                    Ok(_) => panic!("{other} ({security:?}) connected"),
                }
            }
            let message = ConnectError::SessionMismatch {
                peer: "bob".to_string(),
            }
            .to_string();
            assert!(message.contains("different circuit, backend, party list or options"));
            cleanup(&config);
        }
    }

    #[test]
    fn a_peer_that_never_starts_is_named() {
        let config = deployment("absent", &["alice", "bob", "carol"]);
        let deadline = Duration::from_millis(1500);
        let a = start(&config, 0, [1; 32], Security::Tls, deadline, Duration::ZERO);
        let c = start(&config, 2, [1; 32], Security::Tls, deadline, Duration::ZERO);
        for h in [a, c] {
            let e = h.join().expect("party").expect_err("bob is missing");
            let ConnectError::Timeout {
                unreachable,
                not_connected,
                ..
            } = &e
            else {
                panic!("not a timeout: {e}");
            };
            assert_eq!(not_connected, &["bob".to_string()], "{e}");
            assert_eq!(unreachable.len(), 1, "{e}");
            assert_eq!(unreachable[0].party, "bob");
            let message = e.to_string();
            assert!(
                message.contains("timed out after 1.5 s")
                    && message.contains("could not reach party `bob` at 127.0.0.1:"),
                "{message}"
            );
        }
        cleanup(&config);
    }

    #[test]
    fn set_up_errors_name_what_is_wrong() {
        let config = deployment("setup", &["alice", "bob"]);
        let opts = options(Duration::from_secs(1));
        let run = |parties: &[&str], me: usize| {
            let parties: Vec<String> = parties.iter().map(|s| s.to_string()).collect();
            connect_mesh(&config, &parties, me, &[0; 32], Security::Tls, &opts)
                .map(|_| ())
                .expect_err("set-up fails")
                .to_string()
        };
        let e = run(&["alice", "dave", "erin"], 0);
        assert!(e.contains("no entry for parties `dave`, `erin`"), "{e}");
        let e = run(&["alice", "bob"], 2);
        assert!(e.contains("bad party list"), "{e}");
        let e = run(&["alice", "alice"], 0);
        assert!(e.contains("`alice` is listed twice"), "{e}");
        // The listen address is taken.
        let taken = TcpListener::bind(config.parties[0].listen.as_str()).expect("bind");
        let e = run(&["alice", "bob"], 0);
        assert!(
            e.contains("party `alice` cannot listen on 127.0.0.1:"),
            "{e}"
        );
        drop(taken);
        // A missing key file is named.
        let key = std::fs::read(&config.parties[0].key).expect("key");
        std::fs::remove_file(&config.parties[0].key).expect("rm");
        let e = run(&["bob", "alice"], 1);
        assert!(e.contains("alice.key"), "{e}");
        std::fs::write(&config.parties[0].key, key).expect("restore");
        // Bob with alice's certificate.
        std::fs::copy(
            &config.parties[0].certificate,
            &config.parties[1].certificate,
        )
        .expect("copy");
        let e = run(&["alice", "bob"], 0);
        assert!(
            e.contains("`alice` and `bob` have the same certificate"),
            "{e}"
        );
        cleanup(&config);
    }
}
