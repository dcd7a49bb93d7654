//! In-memory channels for local mode: every party on its own thread, the two
//! ends of each channel joined by bounded queues.

use std::time::Duration;

use crossbeam_channel::bounded;

use super::queue::{QueueChannel, QUEUE};
use super::{Channel, Peers};

/// A connected pair: the first end talks to `b_name`, the second to `a_name`.
pub fn pair(a_name: &str, b_name: &str, timeout: Duration) -> (QueueChannel, QueueChannel) {
    let (tx_ab, rx_ab) = bounded(QUEUE);
    let (tx_ba, rx_ba) = bounded(QUEUE);
    (
        QueueChannel::new(b_name, tx_ab, rx_ba, timeout, None),
        QueueChannel::new(a_name, tx_ba, rx_ab, timeout, None),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NetError;

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
