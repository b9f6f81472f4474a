//! Test support: golden files under `tests/golden/<renderer>/<case>.{in,out}`, compared
//! byte for byte.

/// The bytes of `tests/golden/<dir>/<case>.<ext>`, embedded at compile time.
macro_rules! golden {
    ($dir:literal, $case:literal, $ext:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/", $dir, "/", $case, ".", $ext))
    };
}
pub(crate) use golden;

/// Fails naming the case and showing both texts (lossily) when the bytes differ.
pub fn assert_bytes(case: &str, got: &[u8], want: &[u8]) {
    assert!(
        got == want,
        "case {case}: output differs\n--- got ---\n{}\n--- want ---\n{}",
        String::from_utf8_lossy(got),
        String::from_utf8_lossy(want)
    );
}

use crate::conf::{Ipv4, Mac, Nic, Prefix};
use crate::render::NicView;
use crate::text::{Full, Out};

pub fn ip(s: &str) -> Ipv4 {
    Ipv4::parse(s.as_bytes()).unwrap()
}

/// The MAC most goldens use.
pub const MAC: &[u8] = b"52:54:00:E1:96:EB";

pub fn nic(mac: &[u8], addr: &str, prefix: &[u8]) -> Nic {
    Nic {
        index: 0,
        mac: Mac::parse(mac).unwrap(),
        addr: ip(addr),
        prefix: Prefix::parse(prefix).unwrap(),
        gateway: None,
    }
}

/// (case, NIC, default gateway, DNS servers, expected)
pub type Case<'a> = (&'a str, &'a Nic, Option<Ipv4>, &'a [Ipv4], &'a [u8]);

/// Renders each case with `render` (as NIC `ifname`) and compares with its golden.
pub fn check(render: fn(&mut Out<'_>, &NicView<'_>) -> Result<(), Full>, ifname: Option<&str>, cases: &[Case]) {
    for &(case, nic, default_gateway, dns, want) in cases {
        let v = NicView { nic, ifname, default_gateway, dns };
        let mut b = [0u8; 1024];
        let mut out = Out::new(&mut b);
        render(&mut out, &v).unwrap();
        assert_bytes(case, out.as_bytes(), want);
    }
}
