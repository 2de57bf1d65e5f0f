//! Differential tests against totp-rs, an independent implementation, over the parameter
//! space both support: SHA1/SHA256/SHA512, 6 to 8 digits, any period, T0 = 0 (totp-rs has
//! no T0 and no HOTP). Secrets shorter than 128 bits go through totp-rs's unchecked
//! constructor, which skips only its length policy.

use authbackup::otp::{Algorithm, Digits, Totp, TotpParams};
use authbackup::Secret;
use proptest::prelude::*;
use proptest::test_runner::Config;

fn peer_algorithm(a: Algorithm) -> totp_rs::Algorithm {
    match a {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    }
}

fn both(
    algorithm: Algorithm,
    key: &[u8],
    digits: u64,
    period: u64,
    skew: u8,
) -> (Totp, totp_rs::TOTP) {
    let ours = Totp::new(
        &Secret::from_bytes(key.to_vec()).unwrap(),
        TotpParams {
            algorithm,
            digits: Digits::new(digits).unwrap(),
            period: authbackup::otp::period(period).unwrap(),
            t0: 0,
        },
    );
    let peer = totp_rs::TOTP::new_unchecked(
        peer_algorithm(algorithm),
        digits as usize,
        skew,
        period,
        key.to_vec(),
    );
    (ours, peer)
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn time() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..=1u64 << 40,
        any::<u64>(),
        Just(u64::MAX),
        Just((1u64 << 31) - 1),
        Just(1u64 << 31),
        Just(1u64 << 32),
        Just(1u64 << 63),
    ]
}

proptest! {
    #![proptest_config(Config { cases: 2000, ..Config::default() })]

    #[test]
    fn codes_agree(
        alg in algorithm(),
        key in proptest::collection::vec(any::<u8>(), 10..=128),
        digits in 6u64..=8,
        period in prop_oneof![Just(30u64), Just(1), 1u64..=1_000_000],
        t in time(),
    ) {
        let (ours, peer) = both(alg, &key, digits, period, 0);
        prop_assert_eq!(ours.code_at(t).unwrap().to_string(), peer.generate(t));
    }

    #[test]
    fn verification_agrees(
        alg in algorithm(),
        key in proptest::collection::vec(any::<u8>(), 10..=64),
        skew in 0u8..=3,
        offset in -5i64..=5,
        t in 1_000u64..=1u64 << 40,
    ) {
        let (ours, peer) = both(alg, &key, 6, 30, skew);
        let step = (t / 30).checked_add_signed(offset).unwrap();
        let candidate = ours.code_at_step(step).to_string();
        let accepted = ours.verify(&candidate, t, u64::from(skew)).unwrap();
        prop_assert_eq!(accepted.is_some(), peer.check(&candidate, t));
        if offset.unsigned_abs() <= u64::from(skew) {
            // The matched step is the generated one, unless a nearer step shares the code.
            let matched = accepted.unwrap();
            prop_assert!(matched == step || ours.code_at_step(matched).to_string() == candidate);
        }
    }
}
