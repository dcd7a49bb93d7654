//! One party's channels to every other party.

use super::{Channel, ChannelStats, NetError};

/// Party `me`'s channels, indexed by peer (its own slot is empty).
pub struct Peers {
    me: usize,
    names: Vec<String>,
    channels: Vec<Option<Box<dyn Channel>>>,
}

impl std::fmt::Debug for Peers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peers")
            .field("me", &self.me)
            .field("names", &self.names)
            .finish()
    }
}

impl Peers {
    /// Channels for party `me` of `names`; `channels[me]` is `None`.
    pub fn new(me: usize, names: Vec<String>, channels: Vec<Option<Box<dyn Channel>>>) -> Peers {
        Peers {
            me,
            names,
            channels,
        }
    }

    /// This party's index.
    pub fn me(&self) -> usize {
        self.me
    }

    /// The number of parties, this one included.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no parties at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The party names, in index order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The channel to `peer`.
    pub fn channel(&mut self, peer: usize) -> Result<&mut dyn Channel, NetError> {
        match self.channels.get_mut(peer) {
            Some(Some(c)) => Ok(c.as_mut()),
            _ => Err(NetError::NoChannel { peer }),
        }
    }

    /// Flushes every channel.
    pub fn flush_all(&mut self) -> Result<(), NetError> {
        for c in self.channels.iter_mut().flatten() {
            c.flush()?;
        }
        Ok(())
    }

    /// Closes every channel once the session is over, after delivering
    /// everything queued; the first failure is returned, every channel closed.
    pub fn close_all(&mut self) -> Result<(), NetError> {
        let mut first = Ok(());
        for c in self.channels.iter_mut().flatten() {
            let r = c.close();
            if first.is_ok() {
                first = r;
            }
        }
        first
    }

    /// Marks the start of a run on every channel (see [`Channel::start_run`]).
    pub fn start_run(&mut self) {
        for c in self.channels.iter_mut().flatten() {
            c.start_run();
        }
    }

    /// The counters of each channel, by peer index (`None` for this party).
    pub fn stats(&self) -> Vec<Option<ChannelStats>> {
        self.channels
            .iter()
            .map(|c| c.as_ref().map(|c| c.stats()))
            .collect()
    }

    /// The counters summed over peers.
    pub fn total(&self) -> ChannelStats {
        self.channels
            .iter()
            .flatten()
            .map(|c| c.stats())
            .fold(ChannelStats::default(), ChannelStats::plus)
    }
}
