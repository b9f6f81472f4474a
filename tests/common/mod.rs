//! Shared helpers for the integration tests: temp dirs, fake roots and sysfs trees, ISO
//! images made by the real `xorriso`, and running the real binary.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The binary under test: `OSCONF_BIN` (the static release build, as CI runs it) or the
/// one cargo built for this test run.
pub fn bin() -> PathBuf {
    std::env::var_os("OSCONF_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_osconf")))
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "osconf-test-{}-{}-{}",
            std::process::id(),
            tag,
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes `content` at `root/rel` with `mode`, creating parents.
pub fn put(root: &Path, rel: &str, content: &str, mode: u32) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, content).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
}

pub fn link(root: &Path, rel: &str, target: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    symlink(target, &p).unwrap();
}

pub fn read(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

pub fn mode(root: &Path, rel: &str) -> u32 {
    fs::symlink_metadata(root.join(rel)).unwrap().mode() & 0o7777
}

pub fn owner(root: &Path, rel: &str) -> (u32, u32) {
    let m = fs::symlink_metadata(root.join(rel)).unwrap();
    (m.uid(), m.gid())
}

pub fn inode(root: &Path, rel: &str) -> u64 {
    fs::symlink_metadata(root.join(rel)).unwrap().ino()
}

/// Every file below `dir` (relative paths), sorted.
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            if e.file_type().unwrap().is_dir() {
                walk(base, &p, out);
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

pub const HASH: &str =
    "$6$osconfTestSalt$wQe1mL3m0T0rV0ZbqUj8kzj5m9bH3qjL4b7r1GmW0gE2vXyZ1wQ0uOaN3s4t5u6v7w8x9y0zA1B2C3D4E5F6G.";

pub const SAMPLE_CONF: &str = "hostname=VM_10_20_test
password=$6$osconfTestSalt$wQe1mL3m0T0rV0ZbqUj8kzj5m9bH3qjL4b7r1GmW0gE2vXyZ1wQ0uOaN3s4t5u6v7w8x9y0zA1B2C3D4E5F6G.
eth0_ip_addr=10.104.62.201
eth0_mac_addr=52:54:00:E1:96:EB
eth0_netmask=255.255.192.0
eth0_gateway=10.104.0.1
dns_nameserver=\"10.138.224.65 10.182.20.26 10.182.24.12\"
";

pub const SHADOW: &str =
    "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nalice:$6$aliceSalt$aliceHashValue:19000:0:99999:7:::\n";
pub const HOSTS: &str =
    "127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n\n# IPv6\n::1\tlocalhost ip6-localhost ip6-loopback\n";
pub const RESOLV: &str = "# from the image\nsearch example.com\nnameserver 192.168.1.1\noptions edns0\n";

/// A RHEL-like root: ifcfg detected, shadow 0640 root:42, resolv.conf regular.
pub fn rhel_root(dir: &Path) {
    put(dir, "etc/shadow", SHADOW, 0o640);
    std::os::unix::fs::chown(dir.join("etc/shadow"), Some(0), Some(42)).unwrap();
    put(dir, "etc/hosts", HOSTS, 0o644);
    put(dir, "etc/resolv.conf", RESOLV, 0o644);
    put(dir, "etc/hostname", "localhost.localdomain\n", 0o644);
    put(dir, "etc/sysconfig/network", "NETWORKING=yes\nHOSTNAME=localhost.localdomain\n", 0o644);
    fs::create_dir_all(dir.join("etc/sysconfig/network-scripts")).unwrap();
}

/// A fake sysfs with NICs (`name`, `mac`).
pub fn sys_with_nics(dir: &Path, nics: &[(&str, &str)]) {
    fs::create_dir_all(dir.join("class/block")).unwrap();
    for (name, mac) in nics {
        put(dir, &format!("class/net/{name}/address"), &format!("{mac}\n"), 0o444);
    }
    // ifindex: 1 for lo, then 2, 3, … as the kernel numbers them.
    let mut index = 2;
    for (name, _) in nics {
        let i = if *name == "lo" { 1 } else { index };
        index += usize::from(*name != "lo");
        put(dir, &format!("class/net/{name}/ifindex"), &format!("{i}\n"), 0o444);
    }
}

/// Builds an ISO with the real xorriso. `files` are (path in the ISO, content).
pub fn make_iso(out: &Path, label: &str, extra: &[&str], files: &[(&str, &str)]) {
    let src = out.with_extension("src");
    let _ = fs::remove_dir_all(&src);
    fs::create_dir_all(&src).unwrap();
    for (p, c) in files {
        put(&src, p, c, 0o644);
    }
    let run = Command::new("xorriso")
        .args(["-as", "mkisofs", "-quiet", "-o"])
        .arg(out)
        .args(["-V", label])
        .args(extra)
        .arg(&src)
        .output()
        .expect("xorriso must be installed (scripts/setup.sh installs it)");
    assert!(run.status.success(), "xorriso failed: {}", String::from_utf8_lossy(&run.stderr));
    fs::remove_dir_all(&src).unwrap();
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The log lines without the `osconf: ` prefix.
    pub fn lines(&self) -> Vec<&str> {
        self.stderr.lines().map(|l| l.strip_prefix("osconf: ").unwrap_or(l)).collect()
    }
    pub fn has(&self, needle: &str) -> bool {
        self.stderr.lines().any(|l| l.contains(needle))
    }
}

/// Runs the binary; asserts that no password hash ever appears in its output.
pub fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out = Command::new(bin()).args(args).output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for secret in [HASH, "osconfTestSalt", "aliceHashValue", "aliceSalt"] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "output leaks {secret:?}:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
    r
}

/// `osconf --root R --sys S --run S/../run --log stderr <more>` (`--run`: a udev database
/// of the test's own, never the machine's `/run/udev`).
pub fn osconf(root: &Path, sys: &Path, more: &[&str]) -> Run {
    let run_dir = sys.with_file_name("run");
    let mut a: Vec<&std::ffi::OsStr> = vec![
        "--run".as_ref(),
        run_dir.as_os_str(),
        "--root".as_ref(),
        root.as_os_str(),
        "--sys".as_ref(),
        sys.as_os_str(),
        "--log".as_ref(),
        "stderr".as_ref(),
    ];
    a.extend(more.iter().map(|s| std::ffi::OsStr::new(*s)));
    run(&a)
}

/// Today in days since the epoch, as shadow's lastchg.
pub fn today() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 86400
}
