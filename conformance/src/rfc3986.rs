//! Whether a text is a URI by the generic syntax of RFC 3986 (section 3): what the runner
//! asks of every URI an implementation writes, before it reads the URI back.

/// `unreserved` and `sub-delims` of RFC 3986 section 2, and `:` and `@`: what a path segment
/// may hold besides percent-encodings.
fn pchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&c)
}

/// Checks that every byte of `part` is allowed by `allowed` or starts a percent-encoding
/// (`%` and two hexadecimal digits).
fn chars(part: &str, what: &str, allowed: impl Fn(u8) -> bool) -> Result<(), String> {
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            if hex.is_none() {
                return Err(format!(
                    "the {what} has a % not followed by two hexadecimal digits"
                ));
            }
            i += 3;
            continue;
        }
        if !allowed(c) {
            let shown = part[i..].chars().next().unwrap_or('?');
            return Err(format!(
                "the {what} holds {shown:?}, which RFC 3986 does not allow there unencoded"
            ));
        }
        i += 1;
    }
    Ok(())
}

/// `Ok` when `uri` is a URI by RFC 3986 (`scheme ":" hier-part ["?" query] ["#" fragment]`),
/// or why it is not.
pub fn check(uri: &str) -> Result<(), String> {
    let (rest, fragment) = uri.split_once('#').unwrap_or((uri, ""));
    chars(fragment, "fragment", |c| pchar(c) || c == b'/' || c == b'?')?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    chars(query, "query", |c| pchar(c) || c == b'/' || c == b'?')?;
    let (scheme, hier) = rest.split_once(':').ok_or("no scheme: there is no ':'")?;
    let mut s = scheme.bytes();
    if !s.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !s.all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c))
    {
        return Err(format!("{scheme:?} is not a scheme"));
    }
    let path = match hier.strip_prefix("//") {
        Some(after) => {
            let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
            chars(authority, "authority", pchar)?;
            path
        }
        None => hier,
    };
    chars(path, "path", |c| pchar(c) || c == b'/')
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn key_uris_as_written_are_uris() {
        for ok in [
            "otpauth://totp/Big%20Bank:alice%2Bwork%40example.com?secret=GEZD&issuer=Big%20Bank",
            "otpauth://hotp/:a%3Ab?secret=A&counter=18446744073709551615",
            "otpauth://totp/alice@example.com?secret=A&issuer=Big+Bank#frag",
            "otpauth://totp/%C3%A9-_.~?secret=A",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn what_rfc_3986_forbids_is_refused() {
        for bad in [
            "otpauth://totp/Big Bank:alice?secret=A",
            "otpauth://totp/école?secret=A",
            "otpauth://totp/a%2?secret=A",
            "otpauth://totp/a%zz?secret=A",
            "otpauth://totp/a?secret=A&issuer=a b",
            "otpauth://totp/a\"b?secret=A",
            "otpauth://totp/a|b?secret=A",
            "otpauth://totp/a?secret=A#x#y",
            "1otpauth://totp/a?secret=A",
            "otpauth//totp/a",
            "otpauth://to tp/a",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
