//! Case-id globs for `--run`, `--skip` and expected-failure lists: `*` matches any run of
//! characters (including none), `?` any one character, `{a,b,c}` any one of its
//! comma-separated alternatives (`uri/{4,5,40}`; not nested), everything else itself.

/// True when `text` matches `pattern`.
pub fn matches(pattern: &str, text: &str) -> bool {
    alternatives(pattern).iter().any(|p| matches_one(p, text))
}

/// `pattern` with its braces expanded: one pattern per combination of alternatives.
fn alternatives(pattern: &str) -> Vec<String> {
    let Some((open, close)) = pattern
        .find('{')
        .and_then(|o| pattern[o..].find('}').map(|c| (o, o + c)))
    else {
        return vec![pattern.to_string()];
    };
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let rest = alternatives(tail);
    pattern[open + 1..close]
        .split(',')
        .flat_map(|alt| rest.iter().map(move |r| format!("{head}{alt}{r}")))
        .collect()
}

/// True when `text` matches `pattern`, a glob without braces.
fn matches_one(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Classic two-pointer wildcard matching with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs() {
        assert!(matches("totp/*", "totp/12"));
        assert!(matches("*", ""));
        assert!(matches("uri/1?", "uri/17"));
        assert!(!matches("uri/1?", "uri/1"));
        assert!(matches("*/1*7", "hotp/1007"));
        assert!(!matches("totp/*", "hotp/1"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
    }

    #[test]
    fn braces() {
        assert!(matches("uri/{4,5,40}", "uri/40"));
        assert!(matches("uri/{4,5,40}", "uri/5"));
        assert!(!matches("uri/{4,5,40}", "uri/54"));
        assert!(matches("{hotp,totp}/1{5,6}", "totp/16"));
        assert!(!matches("{hotp,totp}/1{5,6}", "uri/15"));
        assert!(matches("a{,b}c", "ac"));
        assert!(matches("a{b", "a{b"), "an unclosed brace is itself");
    }
}
