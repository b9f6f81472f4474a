//! One line per action, prefixed `osconf: `, to `/dev/kmsg` when writable (the kernel log
//! survives into the booted system's journal), else stderr.
//!
//! The kernel rate-limits writes to `/dev/kmsg` per open file (`printk.devkmsg=ratelimit`,
//! 10 lines a burst), so the file is reopened every few lines and no line is lost.

use osconf::cli::LogTo;
use osconf::report::LINE;
use osconf::text::{Arg, Full, Out, say};
use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags};

const LINES_PER_OPEN: u8 = 8;

const KMSG_INFO: &str = "<14>osconf: ";
/// What every line starts with (on stderr; after the level on `/dev/kmsg`).
pub const PREFIX: &[u8] = osconf::text::within(KMSG_INFO, "osconf: ").as_bytes();

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
}

pub struct Log {
    kmsg: Option<OwnedFd>,
    use_kmsg: bool,
    written: u8,
    /// `osconf.debug`: every line to stderr too (the console, in both initramfs
    /// systems), whatever the console's log level lets through of the kernel log.
    pub echo: bool,
}

fn open_kmsg() -> Option<OwnedFd> {
    rustix::fs::open(c"/dev/kmsg", OFlags::WRONLY | OFlags::CLOEXEC | OFlags::NOCTTY, Mode::empty()).ok()
}

impl Log {
    pub fn new(to: LogTo) -> Log {
        let kmsg = match to {
            LogTo::Stderr => None,
            LogTo::Auto | LogTo::Kmsg => open_kmsg(),
        };
        Log { use_kmsg: kmsg.is_some(), kmsg, written: 0, echo: false }
    }

    /// Logs `osconf: <msg>`.
    pub fn line(&mut self, level: Level, msg: &[u8]) {
        self.write(level, &mut |l| l.put(msg));
    }

    /// Logs `osconf: ` and what `f` writes (at most [`LINE`] bytes: a piece that does not
    /// fit is left out). One line buffer for every message (`dyn`: one copy of this).
    pub fn write(&mut self, level: Level, f: &mut dyn FnMut(&mut Out<'_>) -> Result<(), Full>) {
        let mut buf = [0u8; LINE + 16];
        // Facility user (1 << 3) + level: 6 info, 4 warning.
        let prefix: &[u8] = match (self.use_kmsg, level) {
            (false, _) => PREFIX,
            (true, Level::Warn) => b"<12>osconf: ",
            (true, Level::Info) => KMSG_INFO.as_bytes(),
        };
        let mut l = Out::new(buf.get_mut(..prefix.len() + LINE).unwrap_or(&mut []));
        let _ = l.put(prefix);
        let _ = f(&mut l);
        let end = l.len();
        if let Some(nl) = buf.get_mut(end) {
            *nl = b'\n';
        }
        let l = buf.get(..=end).unwrap_or(&[]);
        if self.use_kmsg {
            if self.written >= LINES_PER_OPEN {
                self.kmsg = open_kmsg();
                self.written = 0;
            }
            if let Some(fd) = &self.kmsg {
                if rustix::io::write(fd, l).is_ok() {
                    self.written += 1;
                    if !self.echo {
                        return;
                    }
                }
            }
        }
        // Without the kernel's `<N>` level prefix.
        stderr(l.get(prefix.len() - 8..).unwrap_or(l));
    }

    /// Logs a failure in three pieces, each left out when it does not fit (a long path
    /// leaves the rest its room): `tpl` with `path` shown, `why` with `arg`, `end`.
    /// (One closure for the failures of this shape; out of line, or each caller gets one.)
    #[inline(never)]
    pub fn failure(&mut self, level: Level, tpl: &str, path: &[u8], why: &str, arg: Arg<'_>, end: &str) {
        self.write(level, &mut |l| {
            let _ = say(l, tpl, &[Arg::B(path)]);
            let _ = say(l, why, &[arg]);
            l.put(end.as_bytes())
        });
    }

    /// Logs [`say`]`(tpl, args)`.
    pub fn say(&mut self, level: Level, tpl: &str, args: &[Arg<'_>]) {
        self.write(level, &mut |l| say(l, tpl, args));
    }
}

/// fd 2, made sure to be open at start (see `main`).
pub fn stderr(bytes: &[u8]) {
    // SAFETY: fd 2 is kept open for the whole run by `ensure_std_fds`.
    let _ = crate::os::file::write_all(unsafe { rustix::stdio::stderr() }, bytes);
}

pub fn stdout(bytes: &[u8]) {
    // SAFETY: fd 1 is kept open for the whole run by `ensure_std_fds`.
    let _ = crate::os::file::write_all(unsafe { rustix::stdio::stdout() }, bytes);
}

/// Makes sure fds 0, 1 and 2 are open (on `/dev/null` if not), so that no file osconf
/// opens can land on them and receive log lines.
pub fn ensure_std_fds() {
    for _ in 0..3 {
        match rustix::fs::open(c"/dev/null", OFlags::RDWR | OFlags::NOCTTY, Mode::empty()) {
            Ok(fd) => {
                use rustix::fd::AsRawFd;
                if fd.as_raw_fd() > 2 {
                    return; // 0, 1, 2 are all taken; drop this one.
                }
                core::mem::forget(fd); // it now *is* one of 0, 1, 2: keep it open.
            }
            Err(_) => return,
        }
    }
}
