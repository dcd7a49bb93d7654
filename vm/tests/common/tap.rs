//! Recording and fault-injecting channels for the secret-sharing backends'
//! tests: run every party on its own thread over channels that keep what
//! each party receives, and can hang up or fall silent after a number of
//! bytes.
#![allow(dead_code)]

use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use veil_circuit::{ValidCircuit, Value};
use veil_vm::backend::Session;
use veil_vm::net::{local, Channel, ChannelStats, NetError, Peers};
use veil_vm::party::PartyOutputs;
use veil_vm::{run_party, Protocol, VmError};

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The bytes a party received on one channel.
pub type Log = Arc<Mutex<Vec<u8>>>;

/// A fault a [`Tap`] injects once its party has received a number of bytes
/// on that channel.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Drop the connection (the peer sees a hang-up) and fail.
    HangUp(u64),
    /// Stop talking with the connection open for this long (the peer sees
    /// silence), then drop it and fail.
    Stall(u64, Duration),
}

/// A channel that records what its party receives, and can inject a [`Fault`].
pub struct Tap {
    pub peer: String,
    pub inner: Option<Box<dyn Channel>>,
    pub log: Log,
    pub fault: Option<Fault>,
    pub received: u64,
}

impl Channel for Tap {
    fn peer(&self) -> &str {
        &self.peer
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        match self.inner.as_mut() {
            Some(c) => c.send(bytes),
            None => Err(NetError::Disconnected {
                peer: self.peer.clone(),
            }),
        }
    }

    fn flush(&mut self) -> Result<(), NetError> {
        match self.inner.as_mut() {
            Some(c) => c.flush(),
            None => Err(NetError::Disconnected {
                peer: self.peer.clone(),
            }),
        }
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        let gone = || NetError::Disconnected {
            peer: self.peer.clone(),
        };
        match self.fault {
            Some(Fault::HangUp(k)) if self.received + buf.len() as u64 > k => {
                self.inner = None;
            }
            Some(Fault::Stall(k, pause)) if self.received + buf.len() as u64 > k => {
                std::thread::sleep(pause);
                self.inner = None;
            }
            _ => {}
        }
        self.inner.as_mut().ok_or_else(gone)?.recv(buf)?;
        self.received += buf.len() as u64;
        lock(&self.log).extend_from_slice(buf);
        Ok(())
    }

    fn stats(&self) -> ChannelStats {
        self.inner.as_ref().map(|c| c.stats()).unwrap_or_default()
    }

    fn start_run(&mut self) {
        if let Some(c) = self.inner.as_mut() {
            c.start_run();
        }
    }
}

/// One party's runs: per run its outputs and what it received from each
/// peer; or the error that ended it, and when.
#[derive(Debug)]
pub struct Side {
    pub runs: Vec<(PartyOutputs, Vec<Vec<u8>>)>,
    pub error: Option<VmError>,
    pub elapsed: Duration,
}

pub const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs every party of `protocol` on its own detached thread over tapped
/// in-memory channels, `runs` in one session; `fault = Some((p, q, k))`
/// makes party `p` hang up on `q` after receiving `k` bytes from it. A party
/// that panics or never ends fails the test.
pub fn run_tapped(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    runs: &[Vec<Value>],
    fault: Option<(usize, usize, u64)>,
    timeout: Duration,
) -> Vec<Side> {
    run_faulty(
        protocol,
        circuit,
        runs,
        |me, other| fault.and_then(|(p, q, k)| (p == me && q == other).then_some(Fault::HangUp(k))),
        timeout,
    )
}

/// [`run_tapped`] with `fault(me, other)`: what party `me`'s channel to
/// `other` does wrong, if anything.
pub fn run_faulty(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    runs: &[Vec<Value>],
    fault: impl Fn(usize, usize) -> Option<Fault>,
    timeout: Duration,
) -> Vec<Side> {
    let names = protocol.parties().to_vec();
    let n = names.len();
    let mut slots: Vec<Vec<Option<Box<dyn Channel>>>> =
        (0..n).map(|_| (0..n).map(|_| None).collect()).collect();
    let mut logs: Vec<Vec<Option<Log>>> = vec![vec![None; n]; n];
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = local::pair(&names[i], &names[j], timeout);
            for (me, other, end) in [(i, j, Box::new(a) as Box<dyn Channel>), (j, i, Box::new(b))] {
                let log = Arc::new(Mutex::new(Vec::new()));
                logs[me][other] = Some(Arc::clone(&log));
                slots[me][other] = Some(Box::new(Tap {
                    peer: names[other].clone(),
                    inner: Some(end),
                    log,
                    fault: fault(me, other),
                    received: 0,
                }));
            }
        }
    }
    let (done_tx, done_rx) = mpsc::channel();
    for (me, (channels, logs)) in slots.into_iter().zip(logs).enumerate() {
        let own: Vec<Vec<Option<Value>>> = runs
            .iter()
            .map(|inputs| veil_vm::party::own_inputs(circuit, me, inputs))
            .collect();
        let (protocol, circuit, done, names) = (
            Arc::clone(protocol),
            Arc::clone(circuit),
            done_tx.clone(),
            names.clone(),
        );
        std::thread::spawn(move || {
            let side = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let mut peers = Peers::new(me, names, channels);
                let mut session = Session::default();
                let start = Instant::now();
                let mut side = Side {
                    runs: Vec::new(),
                    error: None,
                    elapsed: Duration::ZERO,
                };
                for own in &own {
                    match run_party(protocol.as_ref(), &circuit, own, &mut peers, &mut session) {
                        Ok((outputs, _)) => {
                            let views = logs
                                .iter()
                                .map(|l| {
                                    l.as_ref()
                                        .map(|l| std::mem::take(&mut *lock(l)))
                                        .unwrap_or_default()
                                })
                                .collect();
                            side.runs.push((outputs, views));
                        }
                        Err(e) => {
                            side.error = Some(e);
                            break;
                        }
                    }
                }
                side.elapsed = start.elapsed();
                drop(peers);
                side
            }));
            let _ = done.send((me, side.ok()));
        });
    }
    let deadline = Instant::now() + WATCHDOG;
    let mut sides: Vec<Option<Side>> = (0..n).map(|_| None).collect();
    for _ in 0..n {
        let wait = deadline.saturating_duration_since(Instant::now());
        let (me, side) = done_rx
            .recv_timeout(wait)
            .unwrap_or_else(|_| panic!("a party still runs after {WATCHDOG:?}: it hangs"));
        sides[me] =
            Some(side.unwrap_or_else(|| panic!("party {me} panicked instead of failing cleanly")));
    }
    sides
        .into_iter()
        .map(|s| s.expect("every party reported"))
        .collect()
}
