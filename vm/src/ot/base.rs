//! Base OT: Chou–Orlandi "simplest OT" over Ristretto255, batched.
//!
//! Sender: `A = aG`. Receiver with choice `c`: `B = bG + c·A`, key
//! `KDF(bA)`. Sender: `k0 = KDF(aB)`, `k1 = KDF(a(B − A))`. Since
//! `bA = a(B − c·A)`, the receiver gets exactly `k_c`; `B` is uniform whatever
//! `c` is, and `k_{1−c}` would need `abG` from `aG` and `bG` (CDH). One `A`
//! serves the whole batch; the KDF binds the index and both points so that
//! keys of different OTs are independent.

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use zeroize::{Zeroize, Zeroizing};

use super::OtError;
use crate::block::Block;
use crate::crypto::os_random;
use crate::net::Channel;

/// Bytes of a compressed Ristretto point.
const POINT: usize = 32;

/// BLAKE3 key-derivation context (global, unique to this use).
const KDF_CONTEXT: &str = "veil-vm 2025 ot::base Chou-Orlandi simplest OT key";

/// Random OTs with the sender's `n` message pairs drawn by the protocol (they
/// seed OT extension, so nobody needs to choose them).
pub fn base_send(ch: &mut dyn Channel, n: usize) -> Result<Vec<[Block; 2]>, OtError> {
    let a = random_scalars(1)?;
    let a = &a[0];
    let big_a = RistrettoPoint::mul_base(a);
    let a_bytes = big_a.compress().to_bytes();
    ch.send(&a_bytes)?;

    let mut bs = vec![0u8; n * POINT];
    ch.recv(&mut bs)?;

    // k1 = KDF(aB − aA): one scalar multiplication per OT.
    let mut a_a = a * big_a;
    let mut keys = Vec::with_capacity(n);
    for (j, b_bytes) in bs.chunks_exact(POINT).enumerate() {
        let big_b = decode(ch.peer(), b_bytes, "B", j)?;
        let mut p0 = a * big_b;
        let mut p1 = p0 - a_a;
        let mut c0 = p0.compress();
        let mut c1 = p1.compress();
        keys.push([
            kdf(j, &a_bytes, b_bytes, c0.as_bytes()),
            kdf(j, &a_bytes, b_bytes, c1.as_bytes()),
        ]);
        p0.zeroize();
        p1.zeroize();
        c0.zeroize();
        c1.zeroize();
    }
    a_a.zeroize();
    Ok(keys)
}

/// Receives message `choices[j]` of the sender's `j`-th random pair.
pub fn base_receive(ch: &mut dyn Channel, choices: &[bool]) -> Result<Vec<Block>, OtError> {
    let mut a_bytes = [0u8; POINT];
    ch.recv(&mut a_bytes)?;
    let big_a = decode(ch.peer(), &a_bytes, "A", 0)?;
    if big_a == RistrettoPoint::identity() {
        return Err(OtError::Malformed {
            peer: ch.peer().to_string(),
            why: "base OT point A is the identity".into(),
        });
    }
    // A fixed-base table makes the two multiplications by A as cheap as by G.
    let table = RistrettoBasepointTable::create(&big_a);

    let bs = random_scalars(choices.len())?;
    let mut msg = Vec::with_capacity(choices.len() * POINT);
    let mut keys = Vec::with_capacity(choices.len());
    for (j, (b, &c)) in bs.iter().zip(choices).enumerate() {
        // c·A by a constant-time multiplication by 0 or 1: no branch on c.
        let mut c = Scalar::from(u8::from(c));
        let big_b = RistrettoPoint::mul_base(b) + &c * &table;
        c.zeroize();
        let b_bytes = big_b.compress().to_bytes();
        let mut shared = (b * &table).compress();
        keys.push(kdf(j, &a_bytes, &b_bytes, shared.as_bytes()));
        shared.zeroize();
        msg.extend_from_slice(&b_bytes);
    }
    ch.send(&msg)?;
    ch.flush()?;
    Ok(keys)
}

/// `n` uniform scalars from 64 OS-random bytes each (wide reduction: no bias).
fn random_scalars(n: usize) -> Result<Zeroizing<Vec<Scalar>>, OtError> {
    let mut bytes = Zeroizing::new(vec![0u8; n * 64]);
    os_random(&mut bytes)?;
    let mut wide = Zeroizing::new([0u8; 64]);
    let mut out = Zeroizing::new(Vec::with_capacity(n));
    for chunk in bytes.chunks_exact(64) {
        wide.copy_from_slice(chunk);
        out.push(Scalar::from_bytes_mod_order_wide(&wide));
    }
    Ok(out)
}

/// Decodes a peer's point; any 32 bytes that are not a canonical Ristretto
/// encoding are an error naming the peer.
fn decode(peer: &str, bytes: &[u8], what: &str, j: usize) -> Result<RistrettoPoint, OtError> {
    CompressedRistretto::from_slice(bytes)
        .ok()
        .and_then(|c| c.decompress())
        .ok_or_else(|| OtError::Malformed {
            peer: peer.to_string(),
            why: format!("base OT point {what} #{j} is not a valid Ristretto255 encoding"),
        })
}

/// The 128-bit key of OT `j` from the shared point, bound to the transcript.
fn kdf(j: usize, a: &[u8], b: &[u8], point: &[u8]) -> Block {
    let mut h = blake3::Hasher::new_derive_key(KDF_CONTEXT);
    h.update(&(j as u64).to_le_bytes());
    h.update(a);
    h.update(b);
    h.update(point);
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    let key = Block::from_bytes(out);
    out.zeroize();
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NetError;
    use crate::ot::testing::run_pair;

    fn random_choices(n: usize) -> Vec<bool> {
        let mut prg = crate::crypto::Prg::from_os().unwrap();
        (0..n).map(|_| prg.bit()).collect()
    }

    #[test]
    fn receiver_gets_the_chosen_key_and_not_the_other() {
        for n in [0usize, 1, 127, 128, 129] {
            let choices = random_choices(n);
            let c2 = choices.clone();
            let (sent, got) = run_pair(
                move |mut ch| base_send(&mut ch, n).unwrap(),
                move |mut ch| base_receive(&mut ch, &c2).unwrap(),
            );
            assert_eq!(sent.len(), n);
            assert_eq!(got.len(), n);
            for j in 0..n {
                let c = usize::from(choices[j]);
                assert_eq!(got[j], sent[j][c], "OT {j}");
                assert_ne!(got[j], sent[j][1 - c], "OT {j}");
            }
            // Keys are distinct across OTs (the index is bound in).
            let distinct: std::collections::HashSet<u128> = sent
                .iter()
                .flat_map(|p| [p[0].to_u128(), p[1].to_u128()])
                .collect();
            assert_eq!(distinct.len(), 2 * n);
        }
    }

    #[test]
    fn garbage_points_are_malformed_errors_not_panics() {
        // The sender's A is not a point.
        let (_, r) = run_pair(
            |mut ch| {
                ch.send(&[0xFF; POINT]).unwrap();
                ch.flush().unwrap();
                // Keep the channel open until the receiver has answered (or not).
                let mut buf = [0u8; 1];
                let _ = ch.recv(&mut buf);
            },
            |mut ch| base_receive(&mut ch, &[true, false]),
        );
        assert!(
            matches!(&r, Err(OtError::Malformed { peer, .. }) if peer == "alice"),
            "{r:?}"
        );

        // A is the identity.
        let (_, r) = run_pair(
            |mut ch| {
                ch.send(&[0u8; POINT]).unwrap();
                ch.flush().unwrap();
                let mut buf = [0u8; 1];
                let _ = ch.recv(&mut buf);
            },
            |mut ch| base_receive(&mut ch, &[true]),
        );
        assert!(matches!(r, Err(OtError::Malformed { .. })), "{r:?}");

        // The receiver's B points are garbage.
        let (r, _) = run_pair(
            |mut ch| base_send(&mut ch, 3),
            |mut ch| {
                let mut a = [0u8; POINT];
                ch.recv(&mut a).unwrap();
                let mut junk = vec![0xA5u8; 3 * POINT];
                junk[..POINT].copy_from_slice(&a); // the first one is valid
                ch.send(&junk).unwrap();
                ch.flush().unwrap();
            },
        );
        assert!(
            matches!(&r, Err(OtError::Malformed { peer, why }) if peer == "bob" && why.contains("#1")),
            "{r:?}"
        );
    }

    #[test]
    fn a_peer_that_hangs_up_is_a_net_error() {
        let (r, _) = run_pair(
            |mut ch| base_send(&mut ch, 10),
            |mut ch| {
                let mut a = [0u8; POINT];
                ch.recv(&mut a).unwrap();
                ch.send(&[1u8; POINT]).unwrap(); // one point of ten, then gone
                ch.flush().unwrap();
            },
        );
        assert!(
            matches!(r, Err(OtError::Net(NetError::Disconnected { .. }))),
            "{r:?}"
        );
        let (_, r) = run_pair(drop, |mut ch| base_receive(&mut ch, &[true; 4]));
        assert!(
            matches!(r, Err(OtError::Net(NetError::Disconnected { .. }))),
            "{r:?}"
        );
    }
}
