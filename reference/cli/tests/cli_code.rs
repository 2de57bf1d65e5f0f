//! `authbackup code` as a user runs it: the RFC values through the command, a 200-case
//! comparison with an independent HMAC implementation, and the one-line errors.

mod common;

use common::authbackup;

use data_encoding::BASE32;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

fn code(args: &[&str]) -> String {
    let out = authbackup(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.strip_suffix('\n').expect("one line").to_string()
}

/// RFC 6238 Appendix B seeds as base32 (computed with Python's base64.b32encode).
const SEED_SHA1: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SEED_SHA256: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====";
const SEED_SHA512: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA=";

/// RFC 6238, Appendix B: time, SHA1, SHA256, SHA512 (8 digits, X = 30, T0 = 0).
const APPENDIX_B: [(&str, &str, &str, &str); 6] = [
    ("59", "94287082", "46119246", "90693936"),
    ("1111111109", "07081804", "68084774", "25091201"),
    ("1111111111", "14050471", "67062674", "99943326"),
    ("1234567890", "89005924", "91819424", "93441116"),
    ("2000000000", "69279037", "90698825", "38618901"),
    ("20000000000", "65353130", "77737706", "47863826"),
];

#[test]
fn rfc_6238_appendix_b_through_the_command() {
    for (time, sha1, sha256, sha512) in APPENDIX_B {
        for (alg, seed, expected) in [
            ("SHA1", SEED_SHA1, sha1),
            ("SHA256", SEED_SHA256, sha256),
            ("SHA512", SEED_SHA512, sha512),
        ] {
            let args = [
                "code",
                "--secret",
                seed,
                "--algorithm",
                alg,
                "--digits",
                "8",
                "--time",
                time,
            ];
            assert_eq!(code(&args), expected, "{alg} at {time}");
            let uri = format!("otpauth://totp/RFC:6238?secret={seed}&algorithm={alg}&digits=8");
            assert_eq!(
                code(&["code", "--uri", &uri, "--time", time]),
                expected,
                "{alg} at {time} via --uri"
            );
        }
    }
}

#[test]
fn rfc_4226_appendix_d_through_an_hotp_uri() {
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (count, want) in expected.iter().enumerate() {
        let uri = format!("otpauth://hotp/RFC:4226?secret={SEED_SHA1}&counter={count}");
        assert_eq!(code(&["code", "--uri", &uri]), *want, "count {count}");
    }
}

#[test]
fn without_time_it_uses_now() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let got = code(&["code", "--secret", SEED_SHA1, "--period", "3600"]);
    let after = before + 5;
    let candidates: Vec<String> = [before, after]
        .iter()
        .map(|t| {
            code(&[
                "code",
                "--secret",
                SEED_SHA1,
                "--period",
                "3600",
                "--time",
                &t.to_string(),
            ])
        })
        .collect();
    assert!(candidates.contains(&got), "{got} not in {candidates:?}");
}

/// An HOTP value computed with the RustCrypto `hmac` crate and the RFC 4226 truncation
/// written out here, independent of the reference's precomputed-state HMAC.
fn independent_totp(alg: &str, key: &[u8], digits: u32, period: u64, time: u64) -> String {
    let msg = (time / period).to_be_bytes();
    let mac = match alg {
        "SHA1" => {
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
            m.update(&msg);
            m.finalize().into_bytes().to_vec()
        }
        "SHA256" => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
            m.update(&msg);
            m.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut m = Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
            m.update(&msg);
            m.finalize().into_bytes().to_vec()
        }
    };
    let offset = (mac[mac.len() - 1] & 0xf) as usize;
    let binary = ((mac[offset] as u32 & 0x7f) << 24)
        | ((mac[offset + 1] as u32) << 16)
        | ((mac[offset + 2] as u32) << 8)
        | mac[offset + 3] as u32;
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

proptest! {
    #![proptest_config(Config {
        cases: 200,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    #[test]
    fn command_agrees_with_an_independent_hmac(
        alg in prop_oneof![Just("SHA1"), Just("SHA256"), Just("SHA512")],
        key in proptest::collection::vec(any::<u8>(), 10..=128),
        digits in 6u32..=8,
        period in prop_oneof![Just(30u64), Just(60), Just(1), 1u64..=86_400],
        time in prop_oneof![0u64..=1u64 << 40, Just(1u64 << 40), Just(0)],
    ) {
        let secret = BASE32.encode(&key);
        let (digits_arg, period_arg, time_arg) =
            (digits.to_string(), period.to_string(), time.to_string());
        let got = code(&[
            "code", "--secret", &secret, "--algorithm", alg, "--digits", &digits_arg,
            "--period", &period_arg, "--time", &time_arg,
        ]);
        prop_assert_eq!(got, independent_totp(alg, &key, digits, period, time));
    }
}

/// Each bad invocation and what the user sees: one line on stderr, a non-zero exit.
#[test]
fn bad_input_gives_one_line_errors() {
    let cases: &[&[&str]] = &[
        &["code", "--secret", "JBSWY3DPEHPK3PX1"],
        &["code", "--secret", ""],
        &["code", "--secret", "MZXW6YTBOI"],
        &["code", "--secret", "JBSWY3DPEHPK3PXPAB"],
        &["code", "--secret", "JBSWY3DPEHPK3PXP", "--digits", "9"],
        &["code", "--secret", "JBSWY3DPEHPK3PXP", "--digits", "six"],
        &["code", "--secret", "JBSWY3DPEHPK3PXP", "--period", "0"],
        &["code", "--secret", "JBSWY3DPEHPK3PXP", "--algorithm", "MD5"],
        &["code", "--secret", "JBSWY3DPEHPK3PXP", "--time", "-1"],
        &["code"],
        &[
            "code",
            "--secret",
            "JBSWY3DPEHPK3PXP",
            "--uri",
            "otpauth://totp/a?secret=A",
        ],
        &[
            "code",
            "--uri",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP",
            "--digits",
            "8",
        ],
        &["code", "--uri", "https://example.com"],
        &["code", "--uri", "otpauth://steam/a?secret=JBSWY3DPEHPK3PXP"],
        &["code", "--uri", "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP"],
        &[
            "code",
            "--uri",
            "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=1",
            "--time",
            "0",
        ],
        &[
            "code",
            "--uri",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&secret=GEZDGNBVGY3TQOJQ",
        ],
        &[
            "code",
            "--uri",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=10",
        ],
    ];
    let mut report = String::new();
    for args in cases {
        let out = authbackup(args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(out.stdout.is_empty(), "{args:?} printed a code");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        report.push_str(&format!(
            "$ authbackup {}\n[exit {}] {}\n",
            args.join(" "),
            out.status.code().unwrap_or(-1),
            stderr
        ));
    }
    insta::assert_snapshot!(report);
}
