//! The interface name the root's udev will give a NIC that still has the kernel's name
//! (`eth0`) in the initramfs.
//!
//! dracut's udev computes the predictable names (`75-net-description.rules` runs the
//! `net_id` builtin and stores `ID_NET_NAME_ONBOARD`, `_SLOT`, `_PATH`, … in its database,
//! `/run/udev/data/n<ifindex>`) but renames nothing, because the image carries no `.link`
//! file; the root's udev renames the NIC at boot after `NamePolicy=` in its
//! `99-default.link`. Both come from the same udev build when the initramfs is made on the
//! image itself, so the root's name is the first name the root's policy asks for that the
//! initramfs database holds.

use crate::text::{fields, index_of, nth};

/// What the root's udev does with a NIC named by the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rename<'a> {
    /// The root's policy names it `0` (from the database key `1`, e.g. `ID_NET_NAME_SLOT`).
    To(&'a [u8], &'static str),
    /// No `NamePolicy=` in the link file: the kernel's name stays.
    Keeps,
    /// The policy asks for names the database does not hold (or holds unusable ones): the
    /// root's name cannot be told here.
    Unknown,
}

/// The database key for each `NamePolicy=` entry that names from it, in
/// `NamePolicy=` spelling (`keep` and `kernel` keep a name that is already predictable,
/// never the case for `ethN`: they are skipped).
const POLICIES: &[u8] = b"database|onboard|slot|path|mac";
const KEYS: &str = "ID_NET_NAME_FROM_DATABASE|ID_NET_NAME_ONBOARD|ID_NET_NAME_SLOT|ID_NET_NAME_PATH|ID_NET_NAME_MAC";

/// The root's name for a NIC, from its `99-default.link` (`link`) and the initramfs udev
/// database entry of that NIC (`db`: lines such as `E:ID_NET_NAME_SLOT=ens2`).
pub fn rename<'a>(link: &[u8], db: &'a [u8]) -> Rename<'a> {
    // The last `NamePolicy=` wins, as in systemd's parser (there is one [Link] section).
    let mut policy = None;
    for line in fields(link, b'\n') {
        if let Some(p) = line.trim_ascii().strip_prefix(b"NamePolicy=".as_slice()) {
            policy = Some(p);
        }
    }
    let Some(policy) = policy else { return Rename::Keeps };
    for entry in fields(policy, b' ') {
        let Some(key) = index_of(entry, POLICIES).map(|i| nth(KEYS, i)) else { continue };
        for line in fields(db, b'\n') {
            let Some(v) = line.strip_prefix(b"E:".as_slice()).and_then(|l| l.strip_prefix(key.as_bytes())) else {
                continue;
            };
            if let Some(name) = v.strip_prefix(b"=".as_slice()).and_then(ifname) {
                return Rename::To(name, key);
            }
        }
    }
    Rename::Unknown
}

/// A name the kernel gives (`eth0`), as opposed to a predictable one (`ens3`).
pub fn is_kernel_name(name: &str) -> bool {
    name.strip_prefix("eth").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `v` when it is an interface name the kernel takes and no file format can misread:
/// 1–15 bytes of ASCII letters, digits, `-`, `_`, `.` (the check the name-bound
/// renderers make, one copy for both).
fn ifname(v: &[u8]) -> Option<&[u8]> {
    crate::render::ifcfg::ifname_bytes(v).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Debian 12's `/usr/lib/systemd/network/99-default.link`, byte for byte but comments.
    const DEBIAN_LINK: &[u8] = b"[Match]\nOriginalName=*\n\n[Link]\nNamePolicy=keep kernel database onboard slot path\nAlternativeNamesPolicy=database onboard slot path\nMACAddressPolicy=persistent\n";
    /// A QEMU virtio NIC in PCI slot 2, as dracut's udev stored it (`/run/udev/data/n2`).
    const QEMU_DB: &[u8] = b"I:2219921\nE:ID_NET_NAMING_SCHEME=v252\nE:ID_NET_NAME_MAC=enx525400e196eb\nE:ID_OUI_FROM_DATABASE=Realtek\nE:ID_NET_NAME_PATH=enp0s2\nE:ID_NET_NAME_SLOT=ens2\nE:ID_BUS=pci\nG:systemd\n";

    #[test]
    fn the_first_policy_entry_the_database_holds_wins() {
        assert_eq!(rename(DEBIAN_LINK, QEMU_DB), Rename::To(b"ens2", "ID_NET_NAME_SLOT"));
        let onboard = b"E:ID_NET_NAME_PATH=enp3s0\nE:ID_NET_NAME_ONBOARD=eno1\n";
        assert_eq!(rename(DEBIAN_LINK, onboard), Rename::To(b"eno1", "ID_NET_NAME_ONBOARD"));
        let path_only = b"E:ID_NET_NAME_PATH=enp0s3\n";
        assert_eq!(rename(DEBIAN_LINK, path_only), Rename::To(b"enp0s3", "ID_NET_NAME_PATH"));
        let mac = b"[Link]\nNamePolicy=path\nNamePolicy=mac\n";
        assert_eq!(rename(mac, QEMU_DB), Rename::To(b"enx525400e196eb", "ID_NET_NAME_MAC"));
    }

    #[test]
    fn no_policy_keeps_the_name_and_no_usable_entry_is_unknown() {
        assert_eq!(rename(b"[Match]\nOriginalName=*\n[Link]\nMACAddressPolicy=none\n", QEMU_DB), Rename::Keeps);
        assert_eq!(rename(DEBIAN_LINK, b"I:1\nG:systemd\n"), Rename::Unknown);
        assert_eq!(rename(DEBIAN_LINK, b""), Rename::Unknown);
        // Keys that only start like ours, names a file could misread, names too long.
        let bad = b"E:ID_NET_NAME_SLOTX=ens9\nE:ID_NET_NAME_SLOT=ens 2\nE:ID_NET_NAME_PATH=enp0s2$x\nE:ID_NET_NAME_ONBOARD=eno1234567890123\n";
        assert_eq!(rename(DEBIAN_LINK, bad), Rename::Unknown);
        assert_eq!(rename(b"NamePolicy=keep kernel\n", QEMU_DB), Rename::Unknown);
    }
}
