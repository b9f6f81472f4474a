//! `/etc/hosts` (hosts(5)): one line mapping the NIC's address to this machine's name.
//!
//! Merge rule: a line is ours when its first blank-separated field is the address written
//! exactly as we write it (dotted decimal, no leading zeros), or another IPv4 address
//! followed by exactly the names we write (our line from before the address changed);
//! a comment line starts with `#` and so never is. The first such line is replaced in place by
//! `<addr>\t<fqdn> <short>\n` (or `<addr>\t<name>\n` for a name without a dot), later
//! ones are dropped, and when there is none ours is appended (after a `\n` if the old
//! file lacked a final one). Every other byte is copied as it was. The result is a fixed
//! point: merging it again gives the same bytes.

use crate::conf::{Hostname, Ipv4};
use crate::text::Arg::{I, S};
use crate::text::{Full, Out, chomp, replace_lines, say, word};

pub fn merge(old: &[u8], addr: Ipv4, name: &Hostname, out: &mut Out<'_>) -> Result<(), Full> {
    // Our line (at most 15 + 2 x 64 + 3 bytes), and what follows its address: a tab and
    // the names.
    let mut buf = [0u8; 160];
    let mut line = Out::new(&mut buf);
    write_line(&mut line, addr, name)?;
    let line = line.as_bytes();
    let tail = match line.iter().position(|&b| b == b'\t') {
        Some(at) => line.get(at..line.len() - 1).unwrap_or(&[]),
        None => &[],
    };
    // A dotted quad has one spelling `Ipv4::parse` takes (no leading zeros), the one we
    // write: so a field is the address as we write it exactly when it parses to it.
    let ours = |l: &[u8]| {
        let (first, rest) = word(chomp(l));
        Ipv4::parse(first).is_ok_and(|a| a == addr || rest == tail)
    };
    replace_lines(old, out, &ours, &mut |out| out.put(line))
}

fn write_line(out: &mut Out<'_>, addr: Ipv4, name: &Hostname) -> Result<(), Full> {
    say(out, "{}\t{}", &[I(addr), S(name.as_str())])?;
    if name.is_fqdn() {
        say(out, " {}", &[S(name.short())])?;
    }
    out.byte(b'\n')
}

#[cfg(test)]
mod tests {
    use super::merge;
    use crate::conf::{Hostname, Ipv4};
    use crate::render::golden::{assert_bytes, golden};
    use crate::text::Out;

    /// (case, address, hostname, old file, expected)
    type Case = (&'static str, &'static str, &'static str, &'static [u8], &'static [u8]);

    const CASES: &[Case] = &[
        (
            "debian",
            "10.104.62.201",
            "VM-10-20-xxxx",
            golden!("hosts", "debian", "in"),
            golden!("hosts", "debian", "out"),
        ),
        (
            "existing",
            "10.0.0.5",
            "vm1.example.com",
            golden!("hosts", "existing", "in"),
            golden!("hosts", "existing", "out"),
        ),
        (
            "two-lines",
            "10.0.0.5",
            "vm1.example.com",
            golden!("hosts", "two-lines", "in"),
            golden!("hosts", "two-lines", "out"),
        ),
        ("comment", "10.104.62.201", "vm1", golden!("hosts", "comment", "in"), golden!("hosts", "comment", "out")),
        // Our line from before the address changed is ours (replaced in place); a line of
        // the user's naming the host among others is not.
        ("moved", "10.0.0.5", "vm1.example.com", golden!("hosts", "moved", "in"), golden!("hosts", "moved", "out")),
        (
            "no-final-newline",
            "10.0.0.5",
            "vm1",
            golden!("hosts", "no-final-newline", "in"),
            golden!("hosts", "no-final-newline", "out"),
        ),
        ("empty", "10.0.0.5", "vm1.example.com", b"", b"10.0.0.5\tvm1.example.com vm1\n"),
    ];

    fn run(old: &[u8], addr: &str, name: &str, buf: &mut [u8]) -> usize {
        let addr = Ipv4::parse(addr.as_bytes()).unwrap();
        let (name, _) = Hostname::parse(name.as_bytes()).unwrap();
        let mut out = Out::new(buf);
        merge(old, addr, &name, &mut out).unwrap();
        out.len()
    }

    #[test]
    fn golden_and_idempotent() {
        for &(case, addr, name, old, want) in CASES {
            let mut b1 = [0u8; 4096];
            let n = run(old, addr, name, &mut b1);
            assert_bytes(case, &b1[..n], want);
            let mut b2 = [0u8; 4096];
            let m = run(&b1[..n], addr, name, &mut b2);
            assert_bytes(case, &b2[..m], want);
        }
    }

    #[test]
    fn full_buffer_is_an_error() {
        let addr = Ipv4::parse(b"10.0.0.5").unwrap();
        let (name, _) = Hostname::parse(b"vm1").unwrap();
        let mut b = [0u8; 20];
        let mut out = Out::new(&mut b);
        assert_eq!(merge(b"127.0.0.1\tlocalhost\n", addr, &name, &mut out), Err(crate::text::Full));
    }
}
