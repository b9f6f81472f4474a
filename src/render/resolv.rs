//! `/etc/resolv.conf` (resolv.conf(5)): our nameservers replace all the old ones.
//!
//! Merge rule: every line whose first blank-separated field is `nameserver` is removed;
//! ours (`nameserver a.b.c.d\n`, the first [`MAXNS`] of the list, in order — glibc reads
//! no more) take the place of the first removed line, or are appended at the end (after a
//! `\n` if the old file lacked a final one) when there was none. `search`, `options`,
//! comments and anything else are copied byte for byte. Merging the result again gives
//! the same bytes.

use crate::conf::DnsList;
use crate::limits::MAXNS;
use crate::text::{Full, Out, chomp, first_field, replace_lines};

pub fn merge(old: &[u8], dns: &DnsList, out: &mut Out<'_>) -> Result<(), Full> {
    replace_lines(old, out, &|line| first_field(chomp(line)) == Some(b"nameserver"), &mut |out| write_servers(out, dns))
}

fn write_servers(out: &mut Out<'_>, dns: &DnsList) -> Result<(), Full> {
    let all = dns.servers();
    super::servers(out, all.get(..MAXNS).unwrap_or(all), "", "nameserver {}\n", "")
}

#[cfg(test)]
mod tests {
    use super::merge;
    use crate::conf::DnsList;
    use crate::render::golden::{assert_bytes, golden};
    use crate::text::Out;

    const TENCENT: &str = "10.138.224.65 10.182.20.26 10.182.24.12";

    const CASES: &[(&str, &str, &[u8], &[u8])] = &[
        ("plain", TENCENT, golden!("resolv", "plain", "in"), golden!("resolv", "plain", "out")),
        (
            "search-options",
            "183.60.83.19 183.60.82.98",
            golden!("resolv", "search-options", "in"),
            golden!("resolv", "search-options", "out"),
        ),
        ("none", TENCENT, golden!("resolv", "none", "in"), golden!("resolv", "none", "out")),
        (
            "five-old",
            "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5",
            golden!("resolv", "five-old", "in"),
            golden!("resolv", "five-old", "out"),
        ),
        (
            "no-final-newline",
            "10.0.0.2",
            golden!("resolv", "no-final-newline", "in"),
            golden!("resolv", "no-final-newline", "out"),
        ),
        ("empty", "10.0.0.2 10.0.0.3", b"", b"nameserver 10.0.0.2\nnameserver 10.0.0.3\n"),
    ];

    fn run(old: &[u8], dns: &str, buf: &mut [u8]) -> usize {
        let (dns, _) = DnsList::parse(dns.as_bytes()).unwrap();
        let mut out = Out::new(buf);
        merge(old, &dns, &mut out).unwrap();
        out.len()
    }

    #[test]
    fn golden_and_idempotent() {
        for &(case, dns, old, want) in CASES {
            let mut b1 = [0u8; 4096];
            let n = run(old, dns, &mut b1);
            assert_bytes(case, &b1[..n], want);
            let mut b2 = [0u8; 4096];
            let m = run(&b1[..n], dns, &mut b2);
            assert_bytes(case, &b2[..m], want);
        }
    }
}
