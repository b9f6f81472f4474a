//! Fault injection for the crash-consistency tests: compiled only with the
//! `fault-injection` feature (never in a release build; `scripts/test.sh` builds a
//! separate binary for `tests/crash.rs`).
//!
//! `OSCONF_FAULT=abort:N` ends the process (`_exit(99)`, as a crash would) at the N-th
//! fault point it reaches; `OSCONF_FAULT=fail:N` makes that step fail with `EIO` instead,
//! so the ordinary error path runs. Points, in [`super::root`]: before creating a temp
//! file, before writing it, before removing a stale file, before the `syncfs` of every
//! staged temp file, before each rename, after it, before the final `syncfs`. Each point reached prints
//! `osconf: fault point N: <name>` to stderr, so a test knows how many there are.
//!
//! `OSCONF_FAULT=stop` stops the process with SIGSTOP when the run is over, just before
//! it exits, so that a test can read its memory (`/proc/PID/mem`) for secrets left behind.

use core::sync::atomic::{AtomicU32, Ordering};
use rustix::io::Errno;

/// 0: off; else the point that faults.
static TARGET: AtomicU32 = AtomicU32::new(0);
/// Whether that point aborts (else it fails).
static ABORT: AtomicU32 = AtomicU32::new(0);
/// `OSCONF_FAULT=stop`: stop the process (SIGSTOP) when the run is over, before it exits.
static STOP: AtomicU32 = AtomicU32::new(0);
static REACHED: AtomicU32 = AtomicU32::new(0);

/// Reads `OSCONF_FAULT` from the environment block `envp` (NULL-terminated).
///
/// # Safety
/// `envp` is the process's environment as the C runtime passes it.
pub unsafe fn init(envp: *const *const core::ffi::c_char) {
    let mut p = envp;
    // SAFETY: a NULL-terminated array of NUL-terminated strings, alive for the process.
    while let Some(entry) = unsafe { p.as_ref() }.filter(|e| !e.is_null()) {
        let var = unsafe { core::ffi::CStr::from_ptr(*entry) }.to_bytes();
        if let Some(v) = var.strip_prefix(b"OSCONF_FAULT=") {
            let (abort, n) = match (v.strip_prefix(b"abort:"), v.strip_prefix(b"fail:")) {
                (Some(n), _) => (1, n),
                (_, Some(n)) => (0, n),
                _ => (0, &b""[..]),
            };
            if v == b"stop" {
                STOP.store(1, Ordering::Relaxed);
            }
            if let Some(n) = osconf::cli::parse_u32(n) {
                TARGET.store(n, Ordering::Relaxed);
                ABORT.store(abort, Ordering::Relaxed);
            }
        }
        p = unsafe { p.add(1) };
    }
}

/// A fault point: `Err(EIO)` (or the end of the process) when it is the chosen one.
pub fn point(name: &str) -> Result<(), Errno> {
    let n = REACHED.fetch_add(1, Ordering::Relaxed) + 1;
    let mut b = [0u8; 96];
    let mut l = osconf::text::Out::new(&mut b);
    let _ = osconf::text::say(
        &mut l,
        "osconf: fault point {}: {}\n",
        &[osconf::text::Arg::N(n), osconf::text::Arg::S(name)],
    );
    crate::os::log::stderr(l.as_bytes());
    if n != TARGET.load(Ordering::Relaxed) {
        return Ok(());
    }
    if ABORT.load(Ordering::Relaxed) == 1 {
        crate::os::log::stderr(b"osconf: fault injected: abort\n");
        // SAFETY: `_exit` ends the process; always safe to call.
        unsafe { crate::_exit(99) }
    }
    crate::os::log::stderr(b"osconf: fault injected: EIO\n");
    Err(Errno::IO)
}

/// The end of the run: with `OSCONF_FAULT=stop`, the process stops itself here (its
/// memory as it would be at `_exit`) until a test has looked and kills or continues it.
pub fn at_exit() {
    if STOP.load(Ordering::Relaxed) == 1 {
        crate::os::log::stderr(b"osconf: stopped at exit\n");
        let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::STOP);
    }
}
