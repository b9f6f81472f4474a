//! Byte output buffers for renderers and log lines.
//!
//! Every renderer writes through [`Out`], a view over a caller-owned byte slice that
//! implements [`ufmt::uWrite`] (so `uwrite!` works) and also takes raw bytes, because
//! merged files (`/etc/shadow`, `/etc/hosts`) need not be UTF-8 and must be copied
//! byte for byte. Running out of room is an error ([`Full`]), never a truncation.

use crate::conf::{Ipv4, Key, Mac, Prefix};
use ufmt::{uWrite, uwrite};

/// The buffer was too small for what had to be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// An append-only writer over `&mut [u8]`.
pub struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Out<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Out { buf, len: 0 }
    }

    /// Appends raw bytes, all or nothing.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), Full> {
        let end = self.len.checked_add(bytes.len()).ok_or(Full)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(Full)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    pub fn byte(&mut self, b: u8) -> Result<(), Full> {
        self.put(&[b])
    }

    /// (Out of line: one copy for the many log lines and renderers that read it; measured
    /// 64 bytes smaller.)
    #[inline(never)]
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets everything written after `len` (used to undo a partial render), and zeroes
    /// it: nothing beyond `len` ever holds a byte written, so [`Out::wipe`] need not look
    /// past it.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            for b in self.buf.get_mut(len..self.len).unwrap_or(&mut []) {
                *b = 0;
            }
            self.len = len;
        }
    }

    /// Overwrites everything written with zeros (for buffers that held a secret). Only
    /// that part: the rest of a large buffer is never touched (its pages never faulted in).
    pub fn wipe(&mut self) {
        zero(self.buf.get_mut(..self.len).unwrap_or(&mut []));
        self.len = 0;
    }
}

/// Overwrites `buf` with zeros, for a buffer that held a secret (root's hash, or a file
/// that may hold it), also when it is about to go out of scope: `black_box` keeps the
/// stores from being dropped as dead. (`tests/secrets.rs` reads the process's memory at
/// its exit for what was not.)
#[inline(never)]
pub fn zero(buf: &mut [u8]) {
    buf.fill(0);
    core::hint::black_box(buf);
}

impl uWrite for Out<'_> {
    type Error = Full;
    fn write_str(&mut self, s: &str) -> Result<(), Full> {
        self.put(s.as_bytes())
    }
}

/// A value for a `{}` of [`say`].
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    N(u32),
    /// A count that may not fit a `u32` (milliseconds).
    L(u64),
    S(&'a str),
    K(Key),
    M(Mac),
    I(Ipv4),
    P(Prefix),
    /// A MAC address as lowercase hex digits without separators.
    C(Mac),
    /// Bytes from outside (a path, a device name) as a log line shows them: see [`shown`].
    B(&'a [u8]),
    /// A failed syscall's errno as every log line says it: `<words>, errno <n>`.
    E(i32),
}
use Arg::{B, C, E, I, K, L, M, N, P, S};

/// Writes `tpl` with each `{}` replaced by the next of `args`, stopping at the first
/// piece that does not fit (`{` appears in a template only as `{}`). One copy of the formatting code for every message, where
/// `uwrite!` makes one per message. (On [`Out`] only: bytes go in as they are.)
#[inline(never)]
pub fn say(w: &mut Out<'_>, tpl: &str, args: &[Arg<'_>]) -> Result<(), Full> {
    // As bytes: no UTF-8 boundary checks (`{}` and the text around it are whole).
    let mut rest = tpl.as_bytes();
    let mut args = args.iter();
    loop {
        let at = rest.iter().position(|&b| b == b'{');
        w.put(rest.get(..at.unwrap_or(rest.len())).unwrap_or(&[]))?;
        let Some(at) = at else { return Ok(()) };
        rest = rest.get(at + 2..).unwrap_or(&[]);
        // Prefixes and NIC keys are written as templates of their parts, dotted quads
        // octet by octet: one `u64` writer and one MAC writer for every kind of value.
        match args.next() {
            Some(N(n)) => uwrite!(w, "{}", u64::from(*n))?,
            Some(L(n)) => uwrite!(w, "{}", *n)?,
            Some(S(t)) => w.write_str(t)?,
            Some(K(Key::Nic(n, k))) => say(w, "eth{}_{}", &[N((*n).into()), S(k.suffix())])?,
            Some(K(k)) => w.write_str(k.fixed_name().unwrap_or(""))?,
            Some(M(m)) => m.write_hex(w, ":")?,
            Some(I(ip)) => {
                let mut dot = "";
                for octet in ip.0.octets() {
                    w.write_str(dot)?;
                    uwrite!(w, "{}", u64::from(octet))?;
                    dot = ".";
                }
            }
            Some(P(p)) => uwrite!(w, "{}", u64::from(p.bits()))?,
            Some(C(m)) => m.write_hex(w, "")?,
            Some(B(b)) => w.put(shown(b))?,
            // An errno is positive (1..4095): printed the same as the `u32`.
            Some(E(e)) => say(w, "{}, errno {}", &[S(crate::report::errno_text(*e)), N(*e as u32)])?,
            None => {}
        }
    }
}

/// Rewrites `old` into `out` with the first line `ours` matches replaced by what `write`
/// writes, and every later line it matches dropped; when none matches, `write`'s lines
/// are appended (after a newline if `old` does not end with one). Every other line is
/// copied byte for byte. (`dyn`: one copy for every merge of this shape.)
pub fn replace_lines(
    old: &[u8],
    out: &mut Out<'_>,
    ours: &dyn Fn(&[u8]) -> bool,
    write: &mut dyn FnMut(&mut Out<'_>) -> Result<(), Full>,
) -> Result<(), Full> {
    let mut done = false;
    for line in lines(old) {
        if !ours(line) {
            out.put(line)?;
        } else if !done {
            write(out)?;
            done = true;
        }
    }
    if !done {
        if old.last().is_some_and(|&b| b != b'\n') {
            out.byte(b'\n')?;
        }
        write(out)?;
    }
    Ok(())
}

/// Splits `data` into lines, each *with* its terminating `\n` when it has one, so that
/// concatenating the pieces gives back `data` exactly.
/// (`data.split_inclusive(|&b| b == b'\n')` gives the same pieces; this is smaller.)
pub fn lines(data: &[u8]) -> Lines<'_> {
    Lines(data)
}

/// See [`lines`].
pub struct Lines<'a>(&'a [u8]);

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let s = self.0;
        let end = s.iter().position(|&b| b == b'\n').map_or(s.len(), |i| i + 1);
        let (line, rest) = s.split_at_checked(end)?;
        self.0 = rest;
        (!line.is_empty()).then_some(line)
    }
}

/// A line without its trailing `\n` or `\r\n`.
pub fn chomp(line: &[u8]) -> &[u8] {
    // (Slice patterns: a length test and a byte compare, where `strip_suffix` is a call.)
    let line = match line {
        [rest @ .., b'\n'] => rest,
        _ => line,
    };
    match line {
        [rest @ .., b'\r'] => rest,
        _ => line,
    }
}

/// Leading blanks (space, tab) removed.
pub fn trim_start_blanks(s: &[u8]) -> &[u8] {
    s.get(s.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(s.len())..).unwrap_or(&[])
}

/// Leading and trailing blanks (space, tab) removed.
pub fn trim_blanks(s: &[u8]) -> &[u8] {
    let s = trim_start_blanks(s);
    s.get(..s.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(0, |e| e + 1)).unwrap_or(&[])
}

/// The first whitespace-separated field of a line, if any.
pub fn first_field(line: &[u8]) -> Option<&[u8]> {
    let (w, _) = word(line);
    (!w.is_empty()).then_some(w)
}

/// The first blank-separated word of `s` (empty when there is none) and what follows it.
pub fn word(s: &[u8]) -> (&[u8], &[u8]) {
    let s = trim_start_blanks(s);
    let end = s.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(s.len());
    (s.get(..end).unwrap_or(&[]), s.get(end..).unwrap_or(&[]))
}

/// The pieces of `s` between the bytes `sep`, as `s.split(|&b| b == sep)` gives them;
/// one copy of the code for every separator (a closure per call site makes one each).
pub fn fields(s: &[u8], sep: u8) -> Fields<'_> {
    Fields { rest: Some(s), sep }
}

/// See [`fields`].
pub struct Fields<'a> {
    rest: Option<&'a [u8]>,
    sep: u8,
}

impl<'a> Fields<'a> {
    /// Everything after the separator ending the last piece returned (`None` when that
    /// piece was the last one): `splitn(n + 1, …).nth(n)` after `n` pieces.
    pub fn remainder(&self) -> Option<&'a [u8]> {
        self.rest
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let s = self.rest?;
        match s.iter().position(|&b| b == self.sep) {
            Some(i) => {
                self.rest = s.get(i + 1..);
                s.get(..i)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// The part of `text` that reads `part`, found at compile time: a `const` made with this
/// keeps no bytes of its own (a text that is part of another is stored once, as the
/// linker merges no parts of texts). Fails to compile when `part` is not in `text`.
pub const fn within(text: &'static str, part: &str) -> &'static str {
    let (t, p) = (text.as_bytes(), part.as_bytes());
    let mut at = 0;
    while at + p.len() <= t.len() {
        let mut i = 0;
        while i < p.len() && t[at + i] == p[i] {
            i += 1;
        }
        if i == p.len() {
            if let Ok(found) = core::str::from_utf8(t.split_at(at).1.split_at(p.len()).0) {
                return found;
            }
        }
        at += 1;
    }
    panic!("the part is not within the text")
}

/// Piece `i` of `table`, pieces separated by `|` (empty past the last one). Short texts
/// picked by an enum's position this way take a byte of table each, where a `match`
/// returning `&str`s makes a jump or pointer table of 8 to 16 bytes an entry.
pub fn nth(table: &'static str, i: usize) -> &'static str {
    // The piece's bounds by a walk over the bytes, then one slice.
    let bytes = table.as_bytes();
    let (mut start, mut piece) = (0, 0);
    let mut end = 0;
    while end < bytes.len() {
        if bytes.get(end) == Some(&b'|') {
            if piece == i {
                break;
            }
            piece += 1;
            start = end + 1;
        }
        end += 1;
    }
    if piece == i { table.get(start..end).unwrap_or("") } else { "" }
}

/// `a == b`, ASCII case ignored. A plain loop: `core`'s `eq_ignore_ascii_case` is
/// unrolled for speed into several times the code, for names of a dozen bytes.
pub fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// The position of `word` in `table`. Used instead of `match word { b"…" => … }`, which
/// the compiler unrolls into a byte-by-byte compare per arm (ten bytes of code for each
/// character of each literal); this is one loop over one shared `==`.
/// `table` holds the words separated by `|` (a byte string takes a byte a word, a slice
/// of slices sixteen more).
pub fn index_of(word: &[u8], table: &[u8]) -> Option<usize> {
    fields(table, b'|').position(|t| t == word)
}

/// The first character of `s` and its length in bytes, when `s` starts with a
/// well-formed UTF-8 sequence (shortest form, no surrogate, at most U+10FFFF: what
/// `core::str::from_utf8` accepts). A plain decoder: `from_utf8` is several times the
/// code, plus a 256-byte table.
pub fn next_char(s: &[u8]) -> Option<(char, usize)> {
    let mut c = u32::from(*s.first()?);
    let n = (c << 24).leading_ones() as usize;
    if n > 0 {
        // Two to four bytes: a lead byte, then continuation bytes.
        if !(2..=4).contains(&n) {
            return None;
        }
        c &= 0x7f >> n;
        for &b in s.get(1..n)? {
            if b & 0xc0 != 0x80 {
                return None;
            }
            c = c << 6 | u32::from(b & 0x3f);
        }
    }
    let ch = char::from_u32(c)?;
    (ch.len_utf8() == n.max(1)).then_some((ch, n.max(1)))
}

/// Whether `s` is well-formed UTF-8 (see [`next_char`]).
pub fn is_utf8(mut s: &[u8]) -> bool {
    while !s.is_empty() {
        match next_char(s) {
            Some((_, n)) => s = s.get(n..).unwrap_or(&[]),
            None => return false,
        }
    }
    true
}

/// `s` as it goes into a log line: itself when UTF-8, else `?`.
pub fn shown(s: &[u8]) -> &[u8] {
    if is_utf8(s) { s } else { b"?" }
}

/// Longest text kept in a [`Str`].
pub const STR_MAX: usize = 96;
/// A short text built from bytes by [`utf8_into`] (planned paths, directory entry names).
pub type Str = heapless::String<STR_MAX>;

/// `s.push(c)` through heapless's capacity-free view of the string: one copy of `push`
/// (and of its UTF-8 encoding) for every capacity, where `String<N>::push` is one per `N`.
pub fn push<const CAP: usize>(s: &mut heapless::String<CAP>, c: char) -> Result<(), heapless::CapacityError> {
    s.as_mut_view().push(c)
}

/// `s` copied into `out` character by character, when `s` is UTF-8 and fits; `false`
/// otherwise (`out` then holds a prefix, to be discarded).
/// (One capacity, [`STR_MAX`]: one copy of this and of `String::push`.)
pub fn utf8_into(s: &[u8], out: &mut Str) -> bool {
    let mut s = s;
    while let Some((c, n)) = next_char(s) {
        if push(out, c).is_err() {
            return false;
        }
        s = s.get(n..).unwrap_or(&[]);
    }
    s.is_empty()
}

/// A stable insertion sort: the lists osconf sorts hold a few dozen items, and this is a
/// fraction of the code size of `core`'s sorts.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a) <= key(b))
}

/// [`sort_by_key`] with the comparison given: `in_order(a, b)` when `a` may stay before
/// `b` (keys that borrow from the item need no copy).
pub fn sort_by<T>(v: &mut [T], in_order: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 {
            let (Some(a), Some(b)) = (v.get(j - 1), v.get(j)) else { break };
            if in_order(a, b) {
                break;
            }
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_refuses_overflow_without_partial_write() {
        let mut b = [0u8; 4];
        let mut o = Out::new(&mut b);
        o.put(b"ab").unwrap();
        assert_eq!(o.put(b"cde"), Err(Full));
        assert_eq!(o.as_bytes(), b"ab");
        ufmt::uwrite!(o, "{}", 7u8).unwrap();
        assert_eq!(o.as_bytes(), b"ab7");
    }

    #[test]
    fn utf8_as_core_decides() {
        let cases: &[&[u8]] = &[
            b"",
            b"eth0",
            "\u{e9}t\u{e9}".as_bytes(),
            "\u{10ffff}\u{800}\u{7ff}\u{ffff}".as_bytes(),
            b"\xc0\x80",
            b"\xc1\xbf",
            b"\xe0\x80\x80",
            b"\xed\xa0\x80",
            b"\xf0\x80\x80\x80",
            b"\xf4\x90\x80\x80",
            b"\xf5\x80\x80\x80",
            b"\xff",
            b"\x80",
            b"\xe2\x82",
            b"a\xe2\x82\xac",
            b"\xf0\x9f\x98\x80",
            b"\xf8\x88\x80\x80\x80",
            b"\xc3\x28",
        ];
        for &c in cases {
            assert_eq!(is_utf8(c), core::str::from_utf8(c).is_ok(), "case {c:?}");
            let mut s = Str::new();
            let fits = core::str::from_utf8(c).is_ok();
            assert_eq!(utf8_into(c, &mut s), fits, "case {c:?}");
            if fits {
                assert_eq!(s.as_bytes(), c);
            }
        }
        for b0 in 0..=255u8 {
            for b1 in [0x00, 0x80, 0x9f, 0xa0, 0xbf, 0xc0] {
                for tail in [&[][..], &[0x80], &[0x80, 0x80], &[0xbf, 0xbf, 0x41]] {
                    let mut v = std::vec![b0, b1];
                    v.extend_from_slice(tail);
                    assert_eq!(is_utf8(&v), core::str::from_utf8(&v).is_ok(), "case {v:?}");
                }
            }
        }
        assert_eq!(shown(b"/dev/sr0"), b"/dev/sr0");
        assert_eq!(shown(b"/dev/\xff"), b"?");
    }

    #[test]
    fn fields_split_as_core_does() {
        for s in [&b""[..], b":", b"a", b"a:b", b"a::b:", b"::", b"root:x:19000:0:99999:7:::"] {
            let want: std::vec::Vec<&[u8]> = s.split(|&b| b == b':').collect();
            let got: std::vec::Vec<&[u8]> = fields(s, b':').collect();
            assert_eq!(got, want, "case {s:?}");
            let mut f = fields(s, b':');
            assert_eq!(f.nth(1).and(f.remainder()), s.splitn(3, |&b| b == b':').nth(2), "case {s:?}");
        }
        assert_eq!(word(b" \tab cd"), (&b"ab"[..], &b" cd"[..]));
        assert_eq!(word(b"  "), (&b""[..], &b""[..]));
        assert_eq!(index_of(b"b", b"a|b|c"), Some(1));
        assert_eq!(index_of(b"", b"a|b"), None);
        assert_eq!(index_of(b"a|b", b"a|b"), None);
        assert_eq!((nth("x|yz|", 1), nth("x|yz|", 2), nth("x|yz|", 3), nth("x", 0)), ("yz", "", "", "x"));
    }

    #[test]
    fn lines_split_as_core_does() {
        for s in [&b""[..], b"\n", b"a", b"a\n", b"a\nb", b"\n\nx\r\n", b"a\n\n"] {
            let want: std::vec::Vec<&[u8]> = s.split_inclusive(|&b| b == b'\n').collect();
            assert_eq!(lines(s).collect::<std::vec::Vec<_>>(), want, "case {s:?}");
        }
    }

    #[test]
    fn lines_round_trip() {
        let data = b"a\nb\r\n\nc";
        let v: std::vec::Vec<&[u8]> = lines(data).collect();
        assert_eq!(v, [&b"a\n"[..], b"b\r\n", b"\n", b"c"]);
        assert_eq!(chomp(b"b\r\n"), b"b");
        assert_eq!(trim_blanks(b" \t x y \t"), b"x y");
        assert_eq!(first_field(b"  10.0.0.1\thost"), Some(&b"10.0.0.1"[..]));
    }
}
