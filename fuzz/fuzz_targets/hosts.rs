//! `render::hosts::merge` (this machine's line into `/etc/hosts`) on a hostile old file.
//!
//! Input: `[address: 4 bytes][hostname line]\n[old /etc/hosts…]`. The hostname line is
//! used when `Hostname::parse` takes it, else `vm1.example.com`.
//!
//! Properties, from the module's contract, checked against a model written here:
//! - a line is ours when its first blank-separated field (line terminator `\n` or `\r\n`
//!   aside) is the address in dotted decimal, or another IPv4 address followed by exactly
//!   the tab and names of our line (ours from before the address changed); the first such
//!   line becomes
//!   `<addr>\t<fqdn> <short>\n` (`<addr>\t<name>\n` for a name without a dot), later ones
//!   are dropped, every other line is copied byte for byte; with none, ours is appended,
//!   after a `\n` when the old file lacked a final one;
//! - our line is one line: no `\n` before its end;
//! - merging the result again gives the same bytes;
//! - the buffer is full (an error) exactly when it is smaller than the result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use osconf::conf::{Hostname, Ipv4};
use osconf::render::hosts::merge;
use osconf::text::{Full, Out};

fn run(old: &[u8], addr: Ipv4, name: &Hostname, cap: usize) -> Result<Vec<u8>, Full> {
    let mut buf = vec![0u8; cap];
    let mut out = Out::new(&mut buf);
    merge(old, addr, name, &mut out).map(|()| out.as_bytes().to_vec())
}

fn model(old: &[u8], addr: &[u8], ours: &[u8]) -> Vec<u8> {
    let mut want = Vec::new();
    let mut done = false;
    for line in old.split_inclusive(|&b| b == b'\n') {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        let lead = body.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let body = &body[lead..];
        let end = body.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(body.len());
        let (first, rest) = body.split_at(end);
        // What follows the address in our line: from its tab to before its newline.
        let tail = &ours[addr.len()..ours.len() - 1];
        let is_ipv4 = Ipv4::parse(first).is_ok();
        let mine = !first.is_empty() && (first == addr || (is_ipv4 && rest == tail));
        if !mine {
            want.extend_from_slice(line);
        } else if !done {
            want.extend_from_slice(ours);
            done = true;
        }
    }
    if !done {
        if old.last().is_some_and(|&b| b != b'\n') {
            want.push(b'\n');
        }
        want.extend_from_slice(ours);
    }
    want
}

fuzz_target!(|data: &[u8]| {
    let Some((a, rest)) = data.split_first_chunk::<4>() else { return };
    let addr = Ipv4(core::net::Ipv4Addr::from(*a));
    let (name_line, old) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let name = match Hostname::parse(name_line) {
        Ok((n, _)) => n,
        Err(_) => Hostname::parse(b"vm1.example.com").unwrap().0,
    };
    let text = addr.0.to_string();
    let mut ours = format!("{text}\t{}", name.as_str());
    if let Some((short, _)) = name.as_str().split_once('.') {
        ours = format!("{ours} {short}");
    }
    ours.push('\n');
    assert!(!ours[..ours.len() - 1].contains(['\n', '\r']), "our line is one line");

    let want = model(old, text.as_bytes(), ours.as_bytes());
    let got = run(old, addr, &name, want.len() + 64).expect("room enough");
    assert_eq!(got, want, "merge as documented");
    let again = run(&got, addr, &name, got.len() + 64).expect("room enough");
    assert_eq!(again, got, "merging the result again changes nothing");
    // One byte short: an error, never a cut file; exactly enough: the same bytes.
    assert_eq!(run(old, addr, &name, want.len()), Ok(want.clone()));
    assert_eq!(run(old, addr, &name, want.len().saturating_sub(1)).is_err(), !want.is_empty());
});
