//! `/etc/shadow` (shadow(5)): root's password hash and last-change day.
//!
//! Fields are separated by `:` only. Root's line is the first line starting with
//! `root:`; if there are several, only the first changes, because glibc's `getspnam`
//! stops at the first match. Its 2nd field is replaced whole by the new hash — so a
//! lock (`!`, `!!`, `*`, `!$6$…`) is lifted — and its 3rd by the day number, or left
//! empty (aging disabled) when the clock is not trustworthy. Fields 4 and later and the
//! line's terminator (`\n`, `\r\n`, none) are kept as they were; a line with only two
//! fields (`root:x`) becomes `root:<hash>:<day>`. Every other line is copied byte for
//! byte. A line reading just `root` (no `:`) is not a root line: glibc cannot parse it.
//! When root's field already holds the hash, the line is kept as it is: re-applying the
//! same CD must not move the last-change day (and with it password aging) every boot.
//!
//! The output holds a password hash: on any error nothing is left in `out` past its
//! starting length, and the caller wipes the buffer ([`Out::wipe`]) when done.

use crate::conf::CryptHash;
use crate::text::Arg::{N, S};
use crate::text::{Full, Out, chomp, fields, lines, say};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShadowError {
    NoRootLine,
    Full,
}

impl ShadowError {
    pub fn reason(self) -> &'static str {
        match self {
            ShadowError::NoRootLine => "no line for root in /etc/shadow",
            ShadowError::Full => "/etc/shadow too large for the buffer",
        }
    }
}

impl From<Full> for ShadowError {
    fn from(_: Full) -> Self {
        ShadowError::Full
    }
}

/// Day 18262 is 2020-01-01.
const FIRST_TRUSTED_DAY: u64 = 18262;

/// The shadow(5) day number (days since 1970-01-01 UTC) for a clock reading, or `None`
/// when the clock is before 2020-01-01 (not set) or beyond what a `u32` day holds.
/// (Out of line: measured 24 bytes smaller.)
#[inline(never)]
pub fn lastchg_day(unix_seconds: u64) -> Option<u32> {
    let day = unix_seconds / 86_400;
    if day < FIRST_TRUSTED_DAY {
        return None;
    }
    u32::try_from(day).ok()
}

pub fn merge(old: &[u8], hash: &CryptHash, lastchg_day: Option<u32>, out: &mut Out<'_>) -> Result<(), ShadowError> {
    let start = out.len();
    let r = merge_lines(old, hash, lastchg_day, out);
    if r.is_err() {
        out.truncate(start);
    }
    r
}

/// (Inlined into [`merge`]: measured 32 bytes smaller.)
#[inline(always)]
fn merge_lines(old: &[u8], hash: &CryptHash, day: Option<u32>, out: &mut Out<'_>) -> Result<(), ShadowError> {
    let mut done = false;
    for line in lines(old) {
        let Some(rest) = line.strip_prefix(b"root:".as_slice()).filter(|_| !done) else {
            out.put(line)?;
            continue;
        };
        done = true;
        let body = chomp(rest);
        if fields(body, b':').next() == Some(hash.expose().as_bytes()) {
            // Already this hash: keep the line, and with it the day it was set (aging).
            out.put(line)?;
            continue;
        }
        // [password, lastchg, everything after the 3rd ':']: from that ':' on, the line
        // (with its terminator) is kept as it is.
        let mut f = fields(body, b':');
        let _ = (f.next(), f.next());
        let kept = body.len() - f.remainder().map_or(0, |later| later.len() + 1);
        say(out, "root:{}:", &[S(hash.expose())])?;
        if let Some(day) = day {
            say(out, "{}", &[N(day)])?;
        }
        out.put(rest.get(kept..).unwrap_or(&[]))?;
    }
    if done { Ok(()) } else { Err(ShadowError::NoRootLine) }
}

/// Copies a shadow file with every 2nd field longer than 2 bytes replaced by
/// `<redacted>`, so a dry run can show the result without printing a hash. Short
/// fields (`*`, `!!`, `x`, empty) are shown as they are.
pub fn redact(content: &[u8], out: &mut Out<'_>) -> Result<(), Full> {
    for line in lines(content) {
        let mut fields = fields(chomp(line), b':');
        match (fields.next(), fields.next()) {
            (Some(name), Some(password)) if password.len() > 2 => {
                out.put(name)?;
                out.put(b":<redacted>")?;
                out.put(line.get(name.len() + 1 + password.len()..).unwrap_or(&[]))?;
            }
            _ => out.put(line)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{ShadowError, lastchg_day, merge, redact};
    use crate::conf::CryptHash;
    use crate::render::golden::{assert_bytes, golden};
    use crate::text::Out;

    const HASH: &[u8] =
        b"$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.";
    const DAY: Option<u32> = Some(20_000);

    /// (case, lastchg day, old file, expected)
    type Case = (&'static str, Option<u32>, &'static [u8], &'static [u8]);

    const CASES: &[Case] = &[
        ("debian", DAY, golden!("shadow", "debian", "in"), golden!("shadow", "debian", "out")),
        ("rhel-locked", DAY, golden!("shadow", "rhel-locked", "in"), golden!("shadow", "rhel-locked", "out")),
        (
            "root-two-fields",
            DAY,
            golden!("shadow", "root-two-fields", "in"),
            golden!("shadow", "root-two-fields", "out"),
        ),
        (
            "no-final-newline",
            None,
            golden!("shadow", "no-final-newline", "in"),
            golden!("shadow", "no-final-newline", "out"),
        ),
        ("crlf", DAY, golden!("shadow", "crlf", "in"), golden!("shadow", "crlf", "out")),
        ("two-root", DAY, golden!("shadow", "two-root", "in"), golden!("shadow", "two-root", "out")),
    ];

    fn run(old: &[u8], day: Option<u32>, buf: &mut [u8]) -> Result<usize, ShadowError> {
        let hash = CryptHash::parse(HASH).unwrap();
        let mut out = Out::new(buf);
        let r = merge(old, &hash, day, &mut out);
        r.map(|()| out.len()).inspect_err(|_| assert_eq!(out.len(), 0))
    }

    #[test]
    fn golden_and_idempotent() {
        for &(case, day, old, want) in CASES {
            let mut b1 = [0u8; 4096];
            let n = run(old, day, &mut b1).unwrap();
            assert_bytes(case, &b1[..n], want);
            let mut b2 = [0u8; 4096];
            let m = run(&b1[..n], day, &mut b2).unwrap();
            assert_bytes(case, &b2[..m], want);
        }
    }

    #[test]
    fn no_root_line_writes_nothing() {
        let mut b = [0u8; 4096];
        assert_eq!(run(golden!("shadow", "no-root", "in"), DAY, &mut b), Err(ShadowError::NoRootLine));
        assert_eq!(run(b"root\nrootx:*:1::::::\n", DAY, &mut b), Err(ShadowError::NoRootLine));
        assert_eq!(run(b"", DAY, &mut b), Err(ShadowError::NoRootLine));
    }

    #[test]
    fn full_buffer_writes_nothing() {
        let mut b = [0u8; 40];
        assert_eq!(run(b"root:*:19000:0:99999:7:::\n", DAY, &mut b), Err(ShadowError::Full));
    }

    #[test]
    fn lastchg_day_table() {
        let cases: &[(u64, Option<u32>)] = &[
            (0, None),
            (1_577_836_799, None),
            (1_577_836_800, Some(18_262)),
            (1_577_923_199, Some(18_262)),
            (1_577_923_200, Some(18_263)),
            (1_727_740_800, Some(19_997)),
            (u64::from(u32::MAX) * 86_400, Some(u32::MAX)),
            (u64::MAX, None),
        ];
        for &(secs, want) in cases {
            assert_eq!(lastchg_day(secs), want, "case {secs}");
        }
    }

    #[test]
    fn redact_table() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"root:$6$ab$cdef:19000:0:99999:7:::\n", b"root:<redacted>:19000:0:99999:7:::\n"),
            (b"root:*:19000:0:99999:7:::\n", b"root:*:19000:0:99999:7:::\n"),
            (b"root:!!:19000::::::\n", b"root:!!:19000::::::\n"),
            (b"root:!$6$x$y:19000::::::\r\n", b"root:<redacted>:19000::::::\r\n"),
            (b"root:abc", b"root:<redacted>"),
            (b"root:abc\r\n", b"root:<redacted>\r\n"),
            (b"root::1\nno colon here\n\n", b"root::1\nno colon here\n\n"),
            (b"a:xyz\nb:\xff\xfe\xfd:1\n", b"a:<redacted>\nb:<redacted>:1\n"),
            (b"", b""),
        ];
        for &(input, want) in cases {
            let mut b = [0u8; 256];
            let mut out = Out::new(&mut b);
            redact(input, &mut out).unwrap();
            assert_bytes(&String::from_utf8_lossy(input), out.as_bytes(), want);
        }
    }

    #[test]
    fn redacted_merge_shows_no_hash() {
        let mut b1 = [0u8; 4096];
        let n = run(golden!("shadow", "debian", "in"), DAY, &mut b1).unwrap();
        let mut b2 = [0u8; 4096];
        let mut out = Out::new(&mut b2);
        redact(&b1[..n], &mut out).unwrap();
        let shown = out.as_bytes();
        assert!(shown.starts_with(b"root:<redacted>:20000:0:99999:7:::\n"));
        assert!(!shown.windows(3).any(|w| w == b"$6$"));
    }

    #[test]
    fn the_same_hash_keeps_the_line_and_its_day() {
        let hash = CryptHash::parse(HASH).unwrap();
        let old = [b"root:".as_slice(), HASH, b":19000:0:99999:7:::\nbin:*:1::::::\n"].concat();
        let mut buf = [0u8; 512];
        let mut out = Out::new(&mut buf);
        merge(&old, &hash, DAY, &mut out).unwrap();
        assert_bytes("same hash", out.as_bytes(), &old);
    }
}
