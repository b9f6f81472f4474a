//! `render::shadow::merge` (root's hash into `/etc/shadow`) and `redact` (the dry run's
//! view of it) on a hostile old file.
//!
//! Input: `[flags][day: 4 bytes LE][hash line]\n[old /etc/shadow…]`. The hash line is used
//! when `CryptHash::parse` takes it, else one of a few valid hashes (picked by `flags`).
//! `flags` bit 0: no trusted clock (day `None`); bit 1: an output buffer cut to a size
//! drawn from the other bits (to reach the "buffer full" path).
//!
//! Properties, from the module's contract:
//! - `Ok`: the output is the old file with only its first `root:` line changed, every byte
//!   before and after it the same; that line is `root:<hash>:<day or empty>`, then the
//!   old fields 4 and later (when there were any), then the old line's terminator — or the
//!   old line itself when its 2nd field already was the hash. The hash field holds exactly
//!   the hash (no newline, no `:`). Merging the output again gives the same bytes.
//! - `Err(NoRootLine)`: no line starts with `root:`. On any error nothing is left in the
//!   output past its starting length, and bytes already there stay.
//! - `Err(Full)` only when the buffer is smaller than the result.
//! - `redact` of the output keeps the line count and shows no hash in root's line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use osconf::conf::CryptHash;
use osconf::render::shadow::{ShadowError, lastchg_day, merge, redact};
use osconf::text::Out;

const HASHES: [&[u8]; 4] = [
    b"$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.",
    b"$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
    b"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
    b"abJnggxhB/yWI",
];
/// Bytes already in the output before the merge (they must survive an error).
const PREFIX: &[u8] = b"(before)";

fn chomp(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn run(old: &[u8], hash: &CryptHash, day: Option<u32>, cap: usize) -> (Result<(), ShadowError>, Vec<u8>) {
    let mut buf = vec![0u8; PREFIX.len() + cap];
    let mut out = Out::new(&mut buf);
    out.put(PREFIX).unwrap();
    let r = merge(old, hash, day, &mut out);
    let bytes = out.as_bytes().to_vec();
    assert_eq!(&bytes[..PREFIX.len()], PREFIX, "bytes before the merge kept");
    if r.is_err() {
        assert_eq!(bytes.len(), PREFIX.len(), "nothing left in the output after an error");
    }
    (r, bytes[PREFIX.len()..].to_vec())
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Some((day, rest)) = rest.split_first_chunk::<4>() else { return };
    let day = u32::from_le_bytes(*day);
    let _ = lastchg_day(u64::from(day) * 86_400 + u64::from(flags));
    let day = if flags & 1 == 1 { None } else { Some(day) };
    let (hash_line, old) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let hash = CryptHash::parse(hash_line)
        .unwrap_or_else(|_| CryptHash::parse(HASHES[usize::from(flags >> 1) % HASHES.len()]).unwrap());
    let h = hash.expose().as_bytes();
    assert!(h.len() > 2 && !h.iter().any(|&b| b == b'\n' || b == b':' || b == b'\r'), "a hash is one field");

    // Enough room for any result: the old file plus a new root line.
    let room = old.len() + h.len() + 32;
    let (r, out) = run(old, &hash, day, room);
    let root = old
        .split_inclusive(|&b| b == b'\n')
        .scan(0, |at, l| {
            let start = *at;
            *at += l.len();
            Some((start, l))
        })
        .find(|(_, l)| l.starts_with(b"root:"));
    match (r, root) {
        (Err(ShadowError::NoRootLine), None) => {}
        (Ok(()), Some((start, line))) => {
            let (before, after) = (&old[..start], &old[start + line.len()..]);
            assert!(out.starts_with(before) && out.ends_with(after), "other lines kept byte for byte");
            assert!(out.len() >= before.len() + after.len());
            let new = &out[before.len()..out.len() - after.len()];
            let body = chomp(&line[5..]);
            let terminator = &line[5 + body.len()..];
            if body.split(|&b| b == b':').next() == Some(h) {
                assert_eq!(new, line, "a line already holding the hash is kept");
            } else {
                let mut want = b"root:".to_vec();
                want.extend_from_slice(h);
                want.push(b':');
                if let Some(d) = day {
                    want.extend_from_slice(d.to_string().as_bytes());
                }
                if let Some(later) = body.splitn(3, |&b| b == b':').nth(2) {
                    want.push(b':');
                    want.extend_from_slice(later);
                }
                want.extend_from_slice(terminator);
                assert_eq!(new, &want[..], "root's line rewritten as documented");
                let fields: Vec<&[u8]> = chomp(new).split(|&b| b == b':').collect();
                assert_eq!(fields[1], h, "the hash field holds the hash alone");
            }
            let (again, out2) = run(&out, &hash, day, out.len() + h.len() + 32);
            assert_eq!(again, Ok(()));
            assert_eq!(out2, out, "merging the result again changes nothing");

            // `<redacted>` is at most 8 bytes longer than the field it replaces (3 or more).
            let lines = |b: &[u8]| b.split_inclusive(|&c| c == b'\n').count();
            let mut shown = vec![0u8; out.len() + 8 * lines(&out)];
            let mut o = Out::new(&mut shown);
            redact(&out, &mut o).unwrap();
            assert_eq!(lines(o.as_bytes()), lines(&out), "redact keeps every line");
            let root_shown =
                o.as_bytes().split_inclusive(|&c| c == b'\n').nth(before.split_inclusive(|&c| c == b'\n').count());
            let root_shown = root_shown.expect("root's line is there");
            assert!(root_shown.starts_with(b"root:<redacted>"), "redact hides root's hash");
        }
        (r, root) => panic!("merge said {r:?}, but the old file's root line is {:?}", root.map(|(s, _)| s)),
    }

    // A buffer too small for the result is an error that leaves nothing behind; one large
    // enough never is.
    if flags & 2 == 2 && r.is_ok() {
        let cap = usize::from(flags >> 2) * out.len() / 63;
        let (r2, out2) = run(old, &hash, day, cap);
        if cap >= out.len() {
            assert_eq!((r2, &out2), (Ok(()), &out));
        } else {
            assert_eq!(r2, Err(ShadowError::Full));
        }
    }
});
