//! `/etc/hosts` (hosts(5)): one line mapping the NIC's address to this machine's name.
//!
//! Merge rule: a line is "for the address" when its first blank-separated field is the
//! address written exactly as we write it (dotted decimal, no leading zeros); a comment
//! line starts with `#` and so never is. The first such line is replaced in place by
//! `<addr>\t<fqdn> <short>\n` (or `<addr>\t<name>\n` for a name without a dot), later
//! ones are dropped, and when there is none ours is appended (after a `\n` if the old
//! file lacked a final one). Every other byte is copied as it was. The result is a fixed
//! point: merging it again gives the same bytes.

use crate::conf::{Hostname, Ipv4};
use crate::text::Arg::{I, S};
use crate::text::{Full, Out, chomp, first_field, replace_lines, say};

pub fn merge(old: &[u8], addr: Ipv4, name: &Hostname, out: &mut Out<'_>) -> Result<(), Full> {
    // A dotted quad has one spelling `Ipv4::parse` takes (no leading zeros), the one we
    // write: so a field is the address as we write it exactly when it parses to it.
    let ours = |line: &[u8]| first_field(chomp(line)).is_some_and(|f| Ipv4::parse(f) == Ok(addr));
    replace_lines(old, out, &ours, &mut |out| write_line(out, addr, name))
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
