use aes::cipher::{BlockCipherEncrypt, KeyInit};
use veil_vm::block::Block;
use veil_vm::crypto::TccrHash;
#[inline(always)]
fn xor(a: &aes::Block, b: &aes::Block) -> aes::Block {
    let mut o = aes::Block::default();
    for i in 0..16 {
        o[i] = a[i] ^ b[i];
    }
    o
}
fn main() {
    let mut h = TccrHash::new();
    let mut xs = vec![Block::from_u128(5); 256];
    let ts: Vec<Block> = (0..256u128).map(Block::from_u128).collect();
    let n = 200_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        h.hash_in_place(&mut xs, &ts);
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "tccr u128: {:.0} M hashes/s {:?}",
        (n * 256) as f64 / dt / 1e6,
        xs[0].lsb()
    );
    let c = aes::Aes128::new(&[3u8; 16].into());
    let mut x = vec![aes::Block::default(); 256];
    let tw: Vec<aes::Block> = (0..256u128).map(|i| i.to_le_bytes().into()).collect();
    let mut p = vec![aes::Block::default(); 256];
    let t = std::time::Instant::now();
    for _ in 0..n {
        for chunk in 0..2 {
            let r = chunk * 128..chunk * 128 + 128;
            c.encrypt_blocks_b2b(&x[r.clone()], &mut p[r.clone()])
                .unwrap();
            for i in r.clone() {
                x[i] = xor(&p[i], &tw[i]);
            }
            c.encrypt_blocks(&mut x[r.clone()]);
            for i in r {
                x[i] = xor(&x[i], &p[i]);
            }
        }
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "tccr bytes: {:.0} M hashes/s {:?}",
        (n * 256) as f64 / dt / 1e6,
        x[0][0]
    );
}
