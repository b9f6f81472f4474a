//! sysfs lookups: network interfaces by MAC, block devices.

use crate::os::file::{open_read, read_attr};
use core::mem::MaybeUninit;
use osconf::conf::{Mac, Nic};
use osconf::limits::{IFNAME_MAX, MAX_NET_IFACES};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{OFlags, RawDir};

pub type Name = heapless::String<32>;

const CLASS_NET: &str = "class/net/";

/// Opens a directory below the sysfs root given with `--sys`.
pub fn open_dir(sys: &OwnedFd, rel: &str) -> Option<OwnedFd> {
    open_read(sys.as_fd(), rel.as_bytes(), OFlags::DIRECTORY).ok()
}

/// Calls `f` with each entry name of `dir` except `.` and `..` (names that are not UTF-8
/// or longer than 31 bytes are skipped: no kernel device has one).
/// (`dyn`: one copy of the directory reader, however many callers.)
pub fn each_entry(dir: rustix::fd::BorrowedFd<'_>, f: &mut dyn FnMut(&str)) {
    let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
    let mut it = RawDir::new(dir, &mut buf);
    while let Some(Ok(entry)) = it.next() {
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let mut s = osconf::text::Str::new();
        if name.len() < osconf::text::STR_MAX && osconf::text::utf8_into(name, &mut s) {
            f(&s);
        }
    }
}

/// A network interface: kernel name and MAC.
pub struct Iface {
    pub name: heapless::String<IFNAME_MAX>,
    pub mac: Mac,
    /// Backed by a device (`<name>/device` exists), not a bridge, bond or VLAN that
    /// borrowed the MAC.
    physical: bool,
    /// The root's udev renames it at boot, to a name not known here (set by the caller).
    pub renamed: bool,
}

/// The interfaces in `<sys>/class/net` whose MAC is one of the `wanted` NICs' (however
/// many other interfaces there are: only matches are kept).
/// (Into `out`, empty: the list is a kilobyte or two to move.)
pub fn ifaces(sys: &OwnedFd, wanted: &[Nic], out: &mut heapless::Vec<Iface, MAX_NET_IFACES>) {
    let Some(dir) = open_dir(sys, const { osconf::text::within(CLASS_NET, "class/net") }) else { return };
    let dir = dir.as_fd(); // (borrowed once: `OwnedFd::as_fd` is a call each time)
    each_entry(dir, &mut |name| {
        let mut path: heapless::String<48> = heapless::String::new();
        let _ = path.push_str(name);
        let _ = path.push_str("/address");
        let mut buf = [0u8; 64];
        let Some(addr) = read_attr(dir, &path, &mut buf) else { return };
        let Ok(mac) = Mac::parse(addr) else { return };
        if !wanted.iter().any(|n| n.mac == mac) {
            return;
        }
        path.clear();
        let _ = path.push_str(name);
        let _ = path.push_str("/device");
        let physical = crate::os::file::type_at(dir, path.as_bytes(), rustix::fs::AtFlags::empty()).is_ok();
        let mut n = heapless::String::new();
        if n.push_str(name).is_ok() {
            // Kept sorted: physical NICs first (the first match for a MAC wins), then by
            // name, so the result does not depend on directory order.
            let at = out.iter().position(|i| !in_order(i.physical, &i.name, physical, name)).unwrap_or(out.len());
            let _ = out.insert(at, Iface { name: n, mac, physical, renamed: false });
        }
    });
}

/// Whether sysfs entry `a` may stay before `b`: the ones that go `first` (NICs backed by a
/// device, CD-ROM drives), then by name.
pub fn in_order(a_first: bool, a: &str, b_first: bool, b: &str) -> bool {
    (!a_first, a) <= (!b_first, b)
}

/// udev's database entry for the interface `name` (`<run>/udev/data/n<ifindex>`).
pub fn udev_entry<'b>(sys: &OwnedFd, run: &[u8], name: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut path: heapless::String<48> = heapless::String::new();
    let _ = path.push_str(CLASS_NET);
    let _ = path.push_str(name);
    let _ = path.push_str("/ifindex");
    let mut idx = [0u8; 16];
    let idx = read_attr(sys.as_fd(), &path, &mut idx)?;
    let mut db = [0u8; crate::os::file::PATH_MAX];
    let mut w = osconf::text::Out::new(&mut db);
    if !idx.iter().all(u8::is_ascii_digit) {
        return None;
    }
    w.put(run).ok()?;
    w.put(b"/udev/data/n").ok()?;
    w.put(idx).ok()?;
    let fd = open_read(rustix::fs::CWD, w.as_bytes(), OFlags::empty()).ok()?;
    let n = crate::os::file::read_all(fd.as_fd(), buf).ok()??;
    buf.get(..n)
}
