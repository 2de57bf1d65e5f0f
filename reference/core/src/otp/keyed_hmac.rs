//! HMAC (RFC 2104) with the key folded in once: the inner and outer hash states after the
//! key pads are kept per secret, so one MAC over an 8-byte counter costs exactly two calls
//! of the hash's compression function, with no allocation and no per-code key setup.

use sha1::digest::generic_array::GenericArray;
use zeroize::{Zeroize, Zeroizing};

use super::Algorithm;

/// The largest block (SHA-512) and the largest digest (SHA-512), in bytes.
const MAX_BLOCK: usize = 128;
/// Room for the longest MAC output.
pub(crate) const MAX_MAC: usize = 64;

/// One Merkle-Damgård hash as the HMAC construction needs it.
pub(crate) trait Compression {
    type State: Copy + Zeroize;
    /// One block of this hash.
    type Block: Copy + AsRef<[u8]> + AsMut<[u8]>;
    /// Block length in bytes.
    const BLOCK: usize;
    /// Digest length in bytes.
    const OUT: usize;
    /// Width of the message-length field at the end of the last block, in bytes.
    const LEN_FIELD: usize;
    /// The initial hash value.
    const IV: Self::State;
    /// The last (only) block of the inner hash of an 8-byte message, counter bytes zero:
    /// padding and length are constant, so only the counter is written per code.
    const INNER_TEMPLATE: Self::Block;
    /// The last (only) block of the outer hash, digest bytes zero.
    const OUTER_TEMPLATE: Self::Block;
    fn compress(state: &mut Self::State, block: &[u8]);
    fn write_digest(state: &Self::State, out: &mut [u8]);
}

/// A final block holding `data_len` message bytes (left zero), the 0x80 marker, and the
/// total message length of `total_len` bytes in its last `len_field` bytes, big-endian.
const fn template<const N: usize>(data_len: usize, total_len: usize, len_field: usize) -> [u8; N] {
    let mut b = [0u8; N];
    b[data_len] = 0x80;
    let bits = (total_len as u128) * 8;
    let mut i = 0;
    while i < len_field {
        b[N - 1 - i] = (bits >> (8 * i)) as u8;
        i += 1;
    }
    b
}

pub(crate) struct Sha1;
pub(crate) struct Sha256;
pub(crate) struct Sha512;

impl Compression for Sha1 {
    type State = [u32; 5];
    type Block = [u8; 64];
    const INNER_TEMPLATE: [u8; 64] = template::<64>(8, 64 + 8, 8);
    const OUTER_TEMPLATE: [u8; 64] = template::<64>(20, 64 + 20, 8);
    const BLOCK: usize = 64;
    const OUT: usize = 20;
    const LEN_FIELD: usize = 8;
    const IV: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    fn compress(state: &mut [u32; 5], block: &[u8]) {
        sha1::compress(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
    fn write_digest(state: &[u32; 5], out: &mut [u8]) {
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }
}

impl Compression for Sha256 {
    type State = [u32; 8];
    type Block = [u8; 64];
    const INNER_TEMPLATE: [u8; 64] = template::<64>(8, 64 + 8, 8);
    const OUTER_TEMPLATE: [u8; 64] = template::<64>(32, 64 + 32, 8);
    const BLOCK: usize = 64;
    const OUT: usize = 32;
    const LEN_FIELD: usize = 8;
    const IV: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    fn compress(state: &mut [u32; 8], block: &[u8]) {
        sha2::compress256(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
    fn write_digest(state: &[u32; 8], out: &mut [u8]) {
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }
}

impl Compression for Sha512 {
    type State = [u64; 8];
    type Block = [u8; 128];
    const INNER_TEMPLATE: [u8; 128] = template::<128>(8, 128 + 8, 16);
    const OUTER_TEMPLATE: [u8; 128] = template::<128>(64, 128 + 64, 16);
    const BLOCK: usize = 128;
    const OUT: usize = 64;
    const LEN_FIELD: usize = 16;
    const IV: [u64; 8] = [
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1,
        0x9b05_688c_2b3e_6c1f,
        0x1f83_d9ab_fb41_bd6b,
        0x5be0_cd19_137e_2179,
    ];
    fn compress(state: &mut [u64; 8], block: &[u8]) {
        sha2::compress512(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
    fn write_digest(state: &[u64; 8], out: &mut [u8]) {
        for (chunk, word) in out.chunks_exact_mut(8).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }
}

/// The two key-dependent hash states of HMAC for one hash function.
pub(crate) struct Pads<H: Compression> {
    inner: H::State,
    outer: H::State,
}

impl<H: Compression> Clone for Pads<H> {
    fn clone(&self) -> Self {
        Pads {
            inner: self.inner,
            outer: self.outer,
        }
    }
}

impl<H: Compression> Pads<H> {
    fn new(key: &[u8]) -> Pads<H> {
        // A key longer than the block is replaced by its hash (RFC 2104, section 2).
        let mut folded = Zeroizing::new([0u8; MAX_BLOCK]);
        if key.len() > H::BLOCK {
            hash_long_key::<H>(key, &mut folded[..H::OUT]);
        } else {
            folded[..key.len()].copy_from_slice(key);
        }
        let mut pad = Zeroizing::new([0u8; MAX_BLOCK]);
        let mut inner = H::IV;
        let mut outer = H::IV;
        for (p, k) in pad[..H::BLOCK].iter_mut().zip(folded.iter()) {
            *p = k ^ 0x36;
        }
        H::compress(&mut inner, &pad[..H::BLOCK]);
        for (p, k) in pad[..H::BLOCK].iter_mut().zip(folded.iter()) {
            *p = k ^ 0x5c;
        }
        H::compress(&mut outer, &pad[..H::BLOCK]);
        Pads { inner, outer }
    }

    /// HMAC(key, counter as 8 big-endian bytes): two compression-function calls on blocks
    /// copied from constant templates. The MAC is written to the start of `out`; its length
    /// is returned.
    #[inline]
    fn mac_counter(&self, counter: u64, out: &mut [u8; MAX_MAC]) -> usize {
        let mut block = H::INNER_TEMPLATE;
        block.as_mut()[..8].copy_from_slice(&counter.to_be_bytes());
        let mut state = self.inner;
        H::compress(&mut state, block.as_ref());
        let mut block = H::OUTER_TEMPLATE;
        H::write_digest(&state, &mut block.as_mut()[..H::OUT]);
        let mut state = self.outer;
        H::compress(&mut state, block.as_ref());
        H::write_digest(&state, &mut out[..H::OUT]);
        H::OUT
    }
}

impl<H: Compression> Drop for Pads<H> {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// Writes the final padded block: `data`, the 0x80 marker, zeros, and the total message
/// length (`total_len` bytes, counting the blocks already compressed) in bits, big-endian.
fn finish_block<H: Compression>(block: &mut [u8; MAX_BLOCK], data: &[u8], total_len: usize) {
    debug_assert!(data.len() < H::BLOCK - H::LEN_FIELD);
    block[..data.len()].copy_from_slice(data);
    block[data.len()] = 0x80;
    let bits = (total_len as u128) * 8;
    let bits = bits.to_be_bytes();
    block[H::BLOCK - H::LEN_FIELD..H::BLOCK].copy_from_slice(&bits[16 - H::LEN_FIELD..]);
}

/// Hashes a key longer than one block, block by block (keys are at most a few blocks).
fn hash_long_key<H: Compression>(key: &[u8], out: &mut [u8]) {
    let mut state = H::IV;
    let mut chunks = key.chunks_exact(H::BLOCK);
    for chunk in chunks.by_ref() {
        H::compress(&mut state, chunk);
    }
    let rest = chunks.remainder();
    let mut block = Zeroizing::new([0u8; MAX_BLOCK]);
    if rest.len() < H::BLOCK - H::LEN_FIELD {
        finish_block::<H>(&mut block, rest, key.len());
        H::compress(&mut state, &block[..H::BLOCK]);
    } else {
        block[..rest.len()].copy_from_slice(rest);
        block[rest.len()] = 0x80;
        H::compress(&mut state, &block[..H::BLOCK]);
        let mut last = Zeroizing::new([0u8; MAX_BLOCK]);
        let bits = ((key.len() as u128) * 8).to_be_bytes();
        last[H::BLOCK - H::LEN_FIELD..H::BLOCK].copy_from_slice(&bits[16 - H::LEN_FIELD..]);
        H::compress(&mut state, &last[..H::BLOCK]);
    }
    H::write_digest(&state, out);
    state.zeroize();
}

/// An HMAC key, precomputed for one hash function. Zeroized on drop.
#[derive(Clone)]
pub(crate) enum KeyedHmac {
    Sha1(Pads<Sha1>),
    Sha256(Pads<Sha256>),
    Sha512(Pads<Sha512>),
}

impl KeyedHmac {
    /// Folds `key` into the inner and outer states of `algorithm`'s HMAC.
    pub(crate) fn new(algorithm: Algorithm, key: &[u8]) -> KeyedHmac {
        match algorithm {
            Algorithm::Sha1 => KeyedHmac::Sha1(Pads::new(key)),
            Algorithm::Sha256 => KeyedHmac::Sha256(Pads::new(key)),
            Algorithm::Sha512 => KeyedHmac::Sha512(Pads::new(key)),
        }
    }

    /// HMAC over the 8-byte big-endian counter (the HOTP message); returns the MAC length.
    #[inline]
    pub(crate) fn mac_counter(&self, counter: u64, out: &mut [u8; MAX_MAC]) -> usize {
        match self {
            KeyedHmac::Sha1(p) => p.mac_counter(counter, out),
            KeyedHmac::Sha256(p) => p.mac_counter(counter, out),
            KeyedHmac::Sha512(p) => p.mac_counter(counter, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;

    fn oracle(algorithm: Algorithm, key: &[u8], counter: u64) -> Vec<u8> {
        let msg = counter.to_be_bytes();
        match algorithm {
            Algorithm::Sha1 => {
                let mut m = Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha256 => {
                let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha512 => {
                let mut m = Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    fn ours(algorithm: Algorithm, key: &[u8], counter: u64) -> Vec<u8> {
        let mut out = [0u8; MAX_MAC];
        let n = KeyedHmac::new(algorithm, key).mac_counter(counter, &mut out);
        out[..n].to_vec()
    }

    #[test]
    fn rfc_4226_appendix_d_hmac_values() {
        // RFC 4226, Appendix D, "HMAC-SHA-1" column, counts 0 and 9.
        let key = b"12345678901234567890";
        let hex = |v: Vec<u8>| v.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(ours(Algorithm::Sha1, key, 0)),
            "cc93cf18508d94934c64b65d8ba7667fb7cde4b0"
        );
        assert_eq!(
            hex(ours(Algorithm::Sha1, key, 9)),
            "1637409809a679dc698207310c8c7fc07290d9e5"
        );
    }

    #[test]
    fn key_lengths_around_every_block_boundary_match_the_hmac_crate() {
        // Lengths that land the long-key hash's padding on each side of a block boundary.
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            for len in [
                0, 1, 10, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 200, 300,
            ] {
                let key: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                for counter in [0, 1, u64::MAX] {
                    assert_eq!(
                        ours(algorithm, &key, counter),
                        oracle(algorithm, &key, counter),
                        "{algorithm:?} key length {len} counter {counter}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn matches_the_hmac_crate(
            alg in prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)],
            key in proptest::collection::vec(any::<u8>(), 0..300),
            counter in any::<u64>(),
        ) {
            prop_assert_eq!(ours(alg, &key, counter), oracle(alg, &key, counter));
        }
    }
}
