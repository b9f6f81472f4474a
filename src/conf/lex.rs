//! os.conf lines, read as data — never as shell.
//!
//! A line is `KEY=VALUE` with optional blanks around both. `KEY` is `[A-Za-z_][A-Za-z0-9_]*`.
//! `VALUE` is a run of bare text, `'…'` (everything literal) and `"…"` (a backslash escapes
//! only `"` `\` `$` and a backtick, as in POSIX sh) segments, which are concatenated.
//! Nothing is expanded: `$6$salt$hash` stays exactly that, quoted or not. A `#` at the start
//! of a line or after a blank outside quotes starts a comment. Trailing blanks of a bare value
//! are dropped; blanks inside it are kept (so `dns_nameserver=a b` is two servers).
//! A leading UTF-8 BOM and a trailing `\r` are ignored.

use crate::limits::LINE_MAX;
use crate::text::{chomp, trim_blanks, trim_start_blanks};
use heapless::Vec;

/// Why a line could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineError {
    /// Neither blank, comment, nor `key=value`.
    NotAssignment,
    /// The key is not `[A-Za-z_][A-Za-z0-9_]*`.
    BadKey,
    /// A `'` or `"` that is not closed on the same line.
    UnterminatedQuote,
    /// Longer than [`LINE_MAX`].
    TooLong,
    /// A byte that is neither text nor a tab (NUL, other control bytes).
    ControlByte,
}

impl LineError {
    pub fn reason(self) -> &'static str {
        crate::text::nth(
            concat!(
                "not a key=value line|",
                "not a valid key name|",
                "quote not closed on the same line|",
                "line too long|",
                "contains a control character",
            ),
            self as usize,
        )
    }
}

/// One line, classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// Blank or comment.
    Nothing,
    /// `key=value`; the unquoted value is in the caller's buffer.
    Assignment { key: &'a [u8] },
    /// A line that could not be read. `key` is set when the key itself was readable, so the
    /// caller can refuse that key's section rather than keep a stale value.
    Error { key: Option<&'a [u8]>, error: LineError },
}

fn is_key(k: &[u8]) -> bool {
    match k.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        None => false,
    }
}

/// Reads one line (without or with its `\n`). The value goes into `value`.
pub fn line<'a>(raw: &'a [u8], value: &mut Vec<u8, LINE_MAX>) -> Line<'a> {
    value.clear();
    let raw = chomp(raw);
    // A slice, not an array: `strip_prefix` is one copy per array length.
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(raw);
    // Leading blanks only: trailing ones belong to the value's lexing (`a\\ ` keeps its blank).
    let text = trim_start_blanks(raw);
    if text.is_empty() || text.first() == Some(&b'#') {
        return Line::Nothing;
    }
    let Some(eq) = text.iter().position(|&b| b == b'=') else {
        return Line::Error { key: None, error: LineError::NotAssignment };
    };
    let key = trim_blanks(text.get(..eq).unwrap_or(&[]));
    if !is_key(key) {
        return Line::Error { key: None, error: LineError::BadKey };
    }
    let err = |error| Line::Error { key: Some(key), error };
    if raw.len() > LINE_MAX {
        return err(LineError::TooLong);
    }
    let after = text.get(eq + 1..).unwrap_or(&[]);
    // `x= #c` is an empty value and a comment; `x=#c` is the value `#c` (as in sh).
    let starts_blank = matches!(after.first(), Some(b' ' | b'\t'));
    match unquote(trim_start_blanks(after), starts_blank, value) {
        Ok(()) => Line::Assignment { key },
        Err(e) => {
            value.clear();
            err(e)
        }
    }
}

/// (Out of line, like `conf::finish`: measured 120 bytes smaller for the two.)
#[inline(never)]
fn unquote(rest: &[u8], starts_blank: bool, value: &mut Vec<u8, LINE_MAX>) -> Result<(), LineError> {
    // `keep`: the value's length without trailing blanks of bare text (quoted or escaped
    // blanks are never trimmed).
    let mut keep = 0;
    let mut prev_blank = starts_blank;
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        i += 1;
        match b {
            b'\'' | b'"' => {
                i = quoted(rest, i, b, value)?;
                keep = value.len();
                prev_blank = false;
            }
            b'#' if prev_blank => break,
            _ => {
                // Outside quotes a backslash makes the next byte literal, as in sh (a
                // trailing one, a line continuation there, is dropped).
                let escaped = b == b'\\';
                let c = if escaped {
                    let Some(&c) = rest.get(i) else { break };
                    i += 1;
                    c
                } else {
                    b
                };
                put(value, c)?;
                prev_blank = !escaped && (c == b' ' || c == b'\t');
                if !prev_blank {
                    keep = value.len();
                }
            }
        }
    }
    value.truncate(keep);
    Ok(())
}

/// A `'…'` or `"…"` segment, from just after its opening quote `q`; returns the index
/// after the closing one. In `"…"` a backslash escapes only `"` `\` `$` and a backtick.
fn quoted(rest: &[u8], mut i: usize, q: u8, value: &mut Vec<u8, LINE_MAX>) -> Result<usize, LineError> {
    loop {
        let c = *rest.get(i).ok_or(LineError::UnterminatedQuote)?;
        i += 1;
        if c == q {
            return Ok(i);
        }
        let c = match rest.get(i) {
            Some(&n) if q == b'"' && c == b'\\' && matches!(n, b'"' | b'\\' | b'$' | b'`') => {
                i += 1;
                n
            }
            _ => c,
        };
        put(value, c)?;
    }
}

fn put(value: &mut Vec<u8, LINE_MAX>, c: u8) -> Result<(), LineError> {
    check_byte(c)?;
    value.push(c).map_err(|_| LineError::TooLong)
}

fn check_byte(b: u8) -> Result<(), LineError> {
    if (b < b' ' && b != b'\t') || b == 0x7f { Err(LineError::ControlByte) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(raw: &str) -> (std::string::String, std::string::String) {
        let mut v = Vec::new();
        let what = match line(raw.as_bytes(), &mut v) {
            Line::Nothing => "nothing".into(),
            Line::Assignment { key } => std::str::from_utf8(key).unwrap().to_string(),
            Line::Error { key, error } => {
                std::format!("error {:?} {:?}", key.map(|k| std::str::from_utf8(k).unwrap()), error)
            }
        };
        (what, std::string::String::from_utf8(v.to_vec()).unwrap())
    }

    #[test]
    fn lexer_table() {
        let cases: &[(&str, &str, &str)] = &[
            ("hostname=VM_10_20_xxxx", "hostname", "VM_10_20_xxxx"),
            ("hostname=web\r\n", "hostname", "web"),
            ("\u{feff}hostname=web", "hostname", "web"),
            ("  hostname = web  ", "hostname", "web"),
            ("password=$6$rounds=5000$salt$hash", "password", "$6$rounds=5000$salt$hash"),
            ("password=\"$6$salt$hash\"", "password", "$6$salt$hash"),
            ("password='$6$salt$hash'", "password", "$6$salt$hash"),
            ("password=\"\\$6\\$salt\\$hash\"", "password", "$6$salt$hash"),
            ("password=\\$6\\$salt", "password", "$6$salt"),
            ("password=\"a\\nb\"", "password", "a\\nb"),
            ("password='a\\\"b'", "password", "a\\\"b"),
            ("password=", "password", ""),
            ("password=\"\"", "password", ""),
            ("dns_nameserver=\"10.0.0.1 10.0.0.2\"", "dns_nameserver", "10.0.0.1 10.0.0.2"),
            ("dns_nameserver=10.0.0.1 10.0.0.2 # two", "dns_nameserver", "10.0.0.1 10.0.0.2"),
            ("x=a#b", "x", "a#b"),
            ("x=a\\ ", "x", "a "),
            ("x=ab\\", "x", "ab"),
            ("x=\"a\\\"b\"", "x", "a\"b"),
            ("x=#b", "x", "#b"),
            ("x= #b", "x", ""),
            ("x=\"a # b\"", "x", "a # b"),
            ("x=\" padded \"", "x", " padded "),
            ("x='a'\"b\"c", "x", "abc"),
            ("x=$(reboot)", "x", "$(reboot)"),
            ("x=`id`", "x", "`id`"),
            ("x=a=b", "x", "a=b"),
            ("# comment", "nothing", ""),
            ("   ", "nothing", ""),
            ("", "nothing", ""),
            ("\r\n", "nothing", ""),
        ];
        for (raw, key, value) in cases {
            assert_eq!(lex(raw), ((*key).into(), (*value).into()), "case {raw:?}");
        }
    }

    #[test]
    fn lexer_errors_keep_the_key() {
        let cases: &[(&str, &str)] = &[
            ("password=\"$6$abc", "error Some(\"password\") UnterminatedQuote"),
            ("password='abc", "error Some(\"password\") UnterminatedQuote"),
            ("hostname=a\u{1}b", "error Some(\"hostname\") ControlByte"),
            ("just words", "error None NotAssignment"),
            ("9key=1", "error None BadKey"),
            ("my-key=1", "error None BadKey"),
            ("=1", "error None BadKey"),
        ];
        for (raw, want) in cases {
            assert_eq!(lex(raw).0, *want, "case {raw:?}");
        }
        let long = std::format!("password={}", "a".repeat(LINE_MAX));
        assert_eq!(lex(&long).0, "error Some(\"password\") TooLong");
    }
}
