//! How deep a JSON text nests, as REQ-PAYLOAD-009 counts it: for the nesting cases the
//! generator writes and for the known-bad readers that have a depth limit.

/// The depth of a JSON text as REQ-PAYLOAD-009 counts it: the most arrays and objects open
/// at once, brackets inside strings not counted.
pub(crate) fn depth(text: &str) -> usize {
    let (mut open, mut most, mut in_string, mut escaped) = (0usize, 0, false, false);
    for c in text.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') | (false, _, '"') => in_string = !in_string,
            (false, _, '[' | '{') => {
                open += 1;
                most = most.max(open);
            }
            (false, _, ']' | '}') => open = open.saturating_sub(1),
            _ => {}
        }
    }
    most
}

#[cfg(test)]
mod tests {
    use super::depth;

    #[test]
    fn counts_arrays_and_objects_open_at_once_outside_strings() {
        assert_eq!(depth("1"), 0);
        assert_eq!(depth("[]"), 1);
        assert_eq!(depth(r#"{"a":[[]],"b":{}}"#), 3);
        assert_eq!(depth(r#"["[[[", "\"{{", "\\", {}]"#), 2);
        assert_eq!(depth("]]["), 1);
    }
}
