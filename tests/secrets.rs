//! Secrets in memory: root's hash is wiped once it has been used. The fault-injection
//! build (`OSCONF_FAULT=stop`, src/os/fault.rs) stops itself where it would exit; the
//! test then reads every readable mapping of the process through `/proc/PID/mem` (the
//! heap-free binary's `.data`/`.bss`, where the buffers of a run live, and its stack) and
//! looks for its salt or any 16 bytes of the hash. (Output, files and the
//! state file are checked by every run in tests/cli.rs: `common::run`.)
mod common;
use common::*;
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Command, Stdio};

/// Where in `bytes` a piece of the CD's hash is: its salt, or any 16 bytes of the whole
/// hash (which includes its hash part).
fn find_hash(bytes: &[u8]) -> Option<(usize, &'static str)> {
    let windows: std::collections::HashSet<&[u8]> = HASH.as_bytes().windows(16).collect();
    let salt = b"osconfTestSalt".as_slice();
    bytes.windows(16).enumerate().find_map(|(at, w)| match (windows.contains(w), w.starts_with(salt)) {
        (true, _) => Some((at, "16 bytes of the hash")),
        (_, true) => Some((at, "the salt")),
        _ => None,
    })
}

/// Waits until `pid` is stopped (state `T` in /proc/PID/stat); false when it exited.
fn wait_stopped(pid: u32) -> bool {
    for _ in 0..2000 {
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
        match stat.rsplit(") ").next().and_then(|s| s.chars().next()) {
            Some('T' | 't') => return true,
            Some('Z' | 'X') | None => return false,
            _ => std::thread::sleep(std::time::Duration::from_millis(5)),
        }
    }
    false
}

/// Every readable mapping of `pid`: (its line in /proc/PID/maps, its bytes).
fn memory(pid: u32) -> Vec<(String, Vec<u8>)> {
    let maps = fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut mem = fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut out = Vec::new();
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (range, perms) = (f.next().unwrap(), f.next().unwrap());
        if !perms.starts_with('r') || line.contains("[vvar") || line.ends_with("[vsyscall]") {
            continue;
        }
        let (a, b) = range.split_once('-').unwrap();
        let (a, b) = (u64::from_str_radix(a, 16).unwrap(), u64::from_str_radix(b, 16).unwrap());
        let mut bytes = vec![0u8; usize::try_from(b - a).unwrap()];
        mem.seek(SeekFrom::Start(a)).unwrap();
        mem.read_exact(&mut bytes).unwrap_or_else(|e| panic!("reading {line}: {e}"));
        out.push((line.to_string(), bytes));
    }
    assert!(out.iter().any(|(l, _)| l.ends_with("[stack]")), "no stack among the mappings:\n{maps}");
    out
}

/// Runs the fault-injection build with `args` until it stops at its exit; returns its
/// log and where in its memory a piece of the hash was found (empty: nowhere).
fn leftovers(args: &[&std::ffi::OsStr]) -> (String, Vec<String>) {
    let mut child = Command::new(fault_bin())
        .args(args)
        .env("OSCONF_FAULT", "stop")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stopped = wait_stopped(pid);
    let found: Vec<String> = match stopped {
        true => memory(pid)
            .iter()
            .filter_map(|(line, bytes)| {
                let (at, what) = find_hash(bytes)?;
                Some(format!("{what} at +{at:#x} of {line}"))
            })
            .collect(),
        false => Vec::new(),
    };
    let _ = child.kill();
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    let _ = child.wait();
    assert!(stopped, "the run never stopped at its exit:\n{log}");
    assert!(log.contains("osconf: stopped at exit"), "{log}");
    (log, found)
}

fn case(t: &TempDir, name: &str, iso: &Path, sys: &Path, extra: &[&str]) -> (String, Vec<String>) {
    let root = t.join(name);
    if !root.exists() {
        rhel_root(&root);
    }
    let mut a = base_args(&root, sys);
    let config = t.join("os.conf");
    if extra.contains(&"--config") {
        a.extend(["--config".into(), config.into_os_string()]);
    } else {
        a.extend(["--device".into(), iso.as_os_str().to_os_string()]);
    }
    a.extend(extra.iter().filter(|e| **e != "--config").map(std::ffi::OsString::from));
    leftovers(&a.iter().map(|s| s.as_os_str()).collect::<Vec<_>>())
}

#[test]
fn no_piece_of_the_hash_is_left_in_memory_when_the_run_ends() {
    let t = TempDir::new("secrets");
    let sys = t.join("sys");
    sys_with_nics(&sys, &[("eth0", "52:54:00:e1:96:eb")]);
    let iso = t.join("config.iso");
    make_iso(&iso, "config-2", &["-R", "-J"], &[("qcloud_action/os.conf", SAMPLE_CONF)]);
    fs::write(t.join("os.conf"), SAMPLE_CONF).unwrap();

    let mut report = Vec::new();
    // The hash read off the ISO (built-in reader) and written into shadow; then the
    // same CD again: shadow, read back to be merged and compared, now holds the hash;
    // then --force, which writes it again; os.conf from a file; a dry run.
    for (name, extra) in [
        ("first", &[][..]),
        ("first", &[][..]),
        ("first", &["--force"][..]),
        ("config", &["--config"][..]),
        ("dry", &["--dry-run"][..]),
    ] {
        let (log, found) = case(&t, name, &iso, &sys, extra);
        assert!(!log.contains("osconfTestSalt"), "{log}");
        if name != "dry" {
            assert!(read(&t.join(name), "etc/shadow").contains(HASH), "{name} {extra:?}: hash not applied\n{log}");
        }
        report.extend(found.into_iter().map(|f| format!("{name} {extra:?}: {f}")));
    }
    assert!(report.is_empty(), "the hash outlived its use:\n{}", report.join("\n"));
}
