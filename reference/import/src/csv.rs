//! Just enough RFC 4180 CSV for Bitwarden's export: quoted fields, doubled quotes, line
//! breaks inside quotes.

/// The rows of `text`; `Err(line)` when a quoted field opened on that line (from 1) is never
/// closed, so the record it belongs to cannot be read.
pub(crate) fn rows(text: &str) -> Result<Vec<Vec<String>>, usize> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut quoted = false;
    let (mut line, mut opened_on) = (1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => {
                quoted = true;
                opened_on = line;
            }
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(opened_on);
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::rows;

    #[test]
    fn quotes_commas_and_line_breaks() {
        let got = rows("a,\"b,\"\"c\"\"\"\r\n\"x\ny\",z\n").unwrap();
        assert_eq!(got, [vec!["a", "b,\"c\""], vec!["x\ny", "z"]]);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_naming_its_line() {
        assert_eq!(rows("name,totp\nok,JBSW\n\"broken,JBSW\n"), Err(3));
    }
}
