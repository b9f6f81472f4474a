//! RHEL `/etc/sysconfig/network` (initscripts' sysconfig.txt): the `HOSTNAME=` line.
//!
//! Merge rule: the first line that assigns `HOSTNAME` — `HOSTNAME=` or `export HOSTNAME=`,
//! after any blanks (the file is sourced by shell scripts, so an `export` line counts) — becomes
//! `HOSTNAME=<name>\n`, later ones are dropped, and when there is none ours is appended
//! (after a `\n` if the old file lacked a final one). Every other line is copied byte for
//! byte. The name needs no shell quoting: [`Hostname`] holds only `[A-Za-z0-9.-]`.

use crate::conf::Hostname;
use crate::text::Arg::S;
use crate::text::{Full, Out, replace_lines, say, trim_start_blanks};

pub fn merge(old: &[u8], name: &Hostname, out: &mut Out<'_>) -> Result<(), Full> {
    replace_lines(old, out, &assigns_hostname, &mut |out| say(out, "HOSTNAME={}\n", &[S(name.as_str())]))
}

fn assigns_hostname(line: &[u8]) -> bool {
    // Only leading blanks matter: the test is on how the line starts.
    let l = trim_start_blanks(line);
    let l = l
        .strip_prefix(b"export".as_slice())
        .filter(|r| r.first().is_some_and(|b| *b == b' ' || *b == b'\t'))
        .map_or(l, trim_start_blanks);
    l.starts_with(b"HOSTNAME=")
}

#[cfg(test)]
mod tests {
    use super::merge;
    use crate::conf::Hostname;
    use crate::render::golden::{assert_bytes, golden};
    use crate::text::Out;

    const CASES: &[(&str, &[u8], &[u8])] = &[
        ("rhel", golden!("sysconfig_network", "rhel", "in"), golden!("sysconfig_network", "rhel", "out")),
        ("absent", golden!("sysconfig_network", "absent", "in"), golden!("sysconfig_network", "absent", "out")),
        ("two", golden!("sysconfig_network", "two", "in"), golden!("sysconfig_network", "two", "out")),
        ("empty", b"", b"HOSTNAME=vm-10-20.example.com\n"),
        (
            "export",
            b"NETWORKING=yes\nexport HOSTNAME=old\n\texport  HOSTNAME=old2\nexported=1\n",
            b"NETWORKING=yes\nHOSTNAME=vm-10-20.example.com\nexported=1\n",
        ),
    ];

    fn run(old: &[u8], buf: &mut [u8]) -> usize {
        let (name, _) = Hostname::parse(b"vm_10_20.example.com").unwrap();
        let mut out = Out::new(buf);
        merge(old, &name, &mut out).unwrap();
        out.len()
    }

    #[test]
    fn golden_and_idempotent() {
        for &(case, old, want) in CASES {
            let mut b1 = [0u8; 4096];
            let n = run(old, &mut b1);
            assert_bytes(case, &b1[..n], want);
            let mut b2 = [0u8; 4096];
            let m = run(&b1[..n], &mut b2);
            assert_bytes(case, &b2[..m], want);
        }
    }
}
