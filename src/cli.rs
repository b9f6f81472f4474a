//! The command line and the kernel command line, parsed without touching the machine.
//!
//! ```text
//! osconf [--root DIR] [--device PATH | --config FILE] [--sys DIR] [--network LIST]
//!        [--dry-run] [--timeout SECONDS] [--log kmsg|stderr]
//! ```
//! Kernel command line (`/proc/cmdline`): `osconf.disable`, `osconf.timeout=N`,
//! `osconf.debug`, `osconf.force`. A `--timeout` given on our own command line wins.

use crate::text::index_of;

/// Where os.conf comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// Scan the block devices for the config drive (the boot-time default).
    Scan,
    /// A block device or an ISO image file.
    Device(&'a [u8]),
    /// An os.conf file read as is (no CD involved).
    Config(&'a [u8]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogTo {
    /// `/dev/kmsg` when writable, else stderr.
    Auto,
    Kmsg,
    Stderr,
}

/// Network formats chosen on the command line (`--network ifcfg,networkd`): a bit per
/// entry of [`crate::plan::FORMATS`].
pub type FormatSet = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options<'a> {
    pub root: &'a [u8],
    pub source: Source<'a>,
    pub sys: &'a [u8],
    /// Where the device nodes for `/sys/class/block/NAME` are (`DIR/NAME`).
    pub dev: &'a [u8],
    /// Hidden, for tests: where udev keeps its database (`DIR/udev/data`).
    pub run: &'a [u8],
    pub network: Option<FormatSet>,
    pub dry_run: bool,
    /// Apply the hostname and password even when the CD's are the ones applied before.
    pub force: bool,
    pub timeout: Option<u32>,
    pub log: LogTo,
    pub help: bool,
    pub version: bool,
    /// Hidden, for tests: resolve paths in the root by the component walk even where
    /// `openat2` exists (the path old kernels take).
    pub resolve_walk: bool,
}

pub const DEFAULT_ROOT: &[u8] = crate::text::within(USAGE, "/sysroot").as_bytes();

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            root: DEFAULT_ROOT,
            source: Source::Scan,
            sys: b"/sys",
            dev: b"/dev",
            run: b"/run",
            network: None,
            dry_run: false,
            force: false,
            timeout: None,
            log: LogTo::Auto,
            help: false,
            version: false,
            resolve_walk: false,
        }
    }
}

/// A usage error: which argument, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage<'a> {
    pub arg: &'a [u8],
    pub why: &'static str,
}

/// `--help` (each option is described in the README).
pub const USAGE: &str = "usage: osconf [--root DIR] [--device PATH | --config FILE] [--sys DIR] [--dev DIR]
              [--network LIST] [--timeout SECONDS] [--log kmsg|stderr] [--dry-run] [--force]
Configures the root DIR (default /sysroot) from the config CD's qcloud_action/os.conf.
exit: 0 done or nothing to do, 1 sections skipped, 2 usage, 3 root not writable, 4 internal error
";

/// Warned about when `osconf.timeout=` is not a number.
pub const BAD_KERNEL_TIMEOUT: &str =
    "osconf.timeout= on the kernel command line is not a number of seconds; using the default";
const NOT_SECONDS: &str = crate::text::within(BAD_KERNEL_TIMEOUT, "not a number of seconds");

/// Parses the arguments after the program name. `format_bit` maps a `--network` entry
/// name to its bit (kept out of here so this module does not know the formats).
pub fn parse<'a>(args: &[&'a [u8]], format_bit: fn(&[u8]) -> Option<FormatSet>) -> Result<Options<'a>, Usage<'a>> {
    /// The first nine take a value (`--opt value` or `--opt=value`).
    const NAMES: &[u8] = concat!(
        "--root|--device|--config|--sys|--dev|--network|--timeout|--log|--run|",
        "--dry-run|--resolve-walk|--force|-h|--help|-V|--version",
    )
    .as_bytes();
    let mut o = Options::default();
    let mut flags = [false; 7];
    let mut it = args.iter().copied();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.iter().position(|&b| b == b'=') {
            Some(eq) if matches!(arg, [b'-', b'-', ..]) => (arg.get(..eq).unwrap_or(arg), arg.get(eq + 1..)),
            _ => (arg, None),
        };
        let unknown = Usage { arg, why: "unknown argument" };
        let i = index_of(name, NAMES).ok_or(unknown)?;
        let v: &'a [u8] = if i < 9 {
            let v = match inline {
                Some(v) => v,
                None => it.next().ok_or(Usage { arg, why: "needs a value" })?,
            };
            if v.is_empty() {
                return Err(Usage { arg, why: "needs a non-empty value" });
            }
            v
        } else if inline.is_some() {
            return Err(unknown);
        } else {
            b""
        };
        match i {
            0 => o.root = v,
            1 | 2 => {
                if o.source != Source::Scan {
                    return Err(Usage { arg, why: "only one of --device and --config" });
                }
                o.source = if i == 1 { Source::Device(v) } else { Source::Config(v) };
            }
            3 => o.sys = v,
            4 => o.dev = v,
            5 => {
                let mut set = 0;
                for entry in crate::text::fields(v, b',') {
                    set |= format_bit(entry).ok_or(Usage { arg: v, why: "unknown network format" })?;
                }
                o.network = Some(set);
            }
            6 => o.timeout = Some(parse_u32(v).ok_or(Usage { arg: v, why: NOT_SECONDS })?),
            7 => {
                o.log = match index_of(v, const { crate::text::within(USAGE, "kmsg|stderr").as_bytes() }) {
                    Some(0) => LogTo::Kmsg,
                    Some(_) => LogTo::Stderr,
                    None => return Err(Usage { arg: v, why: "must be kmsg or stderr" }),
                };
            }
            8 => o.run = v,
            // --dry-run, --resolve-walk, --force, -h, --help, -V, --version.
            _ => {
                if let Some(f) = flags.get_mut(i - 9) {
                    *f = true;
                }
            }
        }
    }
    let [dry_run, resolve_walk, force, h, help, v, version] = flags;
    (o.dry_run, o.resolve_walk, o.force, o.help, o.version) = (dry_run, resolve_walk, force, h || help, v || version);
    Ok(o)
}

/// A decimal number up to one day's seconds (longer waits are never meant).
pub fn parse_u32(v: &[u8]) -> Option<u32> {
    if v.is_empty() || v.len() > 5 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = v.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    (n <= 86_400).then_some(n)
}

/// What the kernel command line asks of osconf.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kernel {
    pub disable: bool,
    pub debug: bool,
    pub force: bool,
    pub timeout: Option<u32>,
    /// `osconf.timeout=` was present but not a number.
    pub bad_timeout: bool,
    /// `net.ifnames=0`: the booted system keeps the kernel's interface names.
    pub kernel_ifnames: bool,
}

/// Reads `osconf.*` words (and `net.ifnames=`) from `/proc/cmdline` contents; everything
/// else is ignored.
/// Later words win, as the kernel does for its own parameters.
pub fn kernel(cmdline: &[u8]) -> Kernel {
    let mut k = Kernel::default();
    // osconf.disable, osconf.debug, osconf.force, net.ifnames=0, in the table's order.
    let mut flags = [false; 4];
    for word in cmdline.split(|b| b.is_ascii_whitespace()) {
        let (name, value) = match word.iter().position(|&b| b == b'=') {
            Some(eq) => (word.get(..eq).unwrap_or(word), word.get(eq + 1..)),
            None => (word, None),
        };
        match index_of(name, b"osconf.disable|osconf.debug|osconf.force|net.ifnames|osconf.timeout") {
            Some(4) => match value.and_then(parse_u32) {
                Some(n) => {
                    k.timeout = Some(n);
                    k.bad_timeout = false;
                }
                None => k.bad_timeout = true,
            },
            Some(i) => {
                // `net.ifnames` is 0 or not; the others are on unless their value says no
                // (none or an empty one does not).
                let v = value.unwrap_or(b"");
                let on = if i == 3 { v == b"0" } else { index_of(v, b"0|no|false").is_none() };
                if let Some(f) = flags.get_mut(i) {
                    *f = on;
                }
            }
            None => {}
        }
    }
    [k.disable, k.debug, k.force, k.kernel_ifnames] = flags;
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bit(name: &[u8]) -> Option<FormatSet> {
        match name {
            b"ifcfg" => Some(1),
            b"networkd" => Some(2),
            _ => None,
        }
    }

    fn p(args: &[&'static str]) -> Result<Options<'static>, (std::string::String, &'static str)> {
        let args: std::vec::Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        parse(&args, bit).map_err(|u| (std::string::String::from_utf8_lossy(u.arg).into_owned(), u.why))
    }

    #[test]
    fn defaults() {
        let o = p(&[]).unwrap();
        assert_eq!(o, Options::default());
        assert_eq!((o.root, o.source, o.sys), (&b"/sysroot"[..], Source::Scan, &b"/sys"[..]));
    }

    #[test]
    fn every_option() {
        let o = p(&[
            "--root",
            "/mnt/image",
            "--device=config.iso",
            "--sys",
            "/tmp/sys",
            "--network",
            "networkd,ifcfg",
            "--dry-run",
            "--timeout",
            "12",
            "--log",
            "stderr",
            "--dev",
            "/tmp/dev",
        ])
        .unwrap();
        assert_eq!(o.root, b"/mnt/image");
        assert_eq!(o.source, Source::Device(b"config.iso"));
        assert_eq!((o.sys, o.dev), (&b"/tmp/sys"[..], &b"/tmp/dev"[..]));
        assert_eq!((o.network, o.dry_run, o.timeout, o.log), (Some(3), true, Some(12), LogTo::Stderr));
        assert_eq!(p(&["--config", "os.conf"]).unwrap().source, Source::Config(b"os.conf"));
    }

    #[test]
    fn usage_errors_name_the_argument() {
        let cases: &[(&[&str], (&str, &str))] = &[
            (&["--root"], ("--root", "needs a value")),
            (&["--root="], ("--root=", "needs a non-empty value")),
            (&["--device", "a", "--config", "b"], ("--config", "only one of --device and --config")),
            (&["--network", "ifcfg,nm"], ("ifcfg,nm", "unknown network format")),
            (&["--timeout", "5s"], ("5s", "not a number of seconds")),
            (&["--timeout", "999999"], ("999999", "not a number of seconds")),
            (&["--log", "syslog"], ("syslog", "must be kmsg or stderr")),
            (&["--frobnicate"], ("--frobnicate", "unknown argument")),
            (&["--dry-run=yes"], ("--dry-run=yes", "unknown argument")),
        ];
        for (args, (arg, why)) in cases {
            assert_eq!(p(args).unwrap_err(), ((*arg).into(), *why), "case {args:?}");
        }
    }

    #[test]
    fn kernel_cmdline() {
        let k = kernel(b"BOOT_IMAGE=/vmlinuz root=/dev/vda ro osconf.timeout=15 quiet osconf.debug\n");
        assert_eq!(k, Kernel { debug: true, timeout: Some(15), ..Kernel::default() });
        assert!(kernel(b"osconf.disable").disable);
        assert!(!kernel(b"osconf.disable=0").disable);
        assert!(kernel(b"osconf.force=1").force);
        assert!(kernel(b"ro net.ifnames=0 quiet").kernel_ifnames);
        assert!(!kernel(b"net.ifnames=1").kernel_ifnames);
        let k = kernel(b"osconf.timeout=abc");
        assert_eq!((k.timeout, k.bad_timeout), (None, true));
        assert_eq!(kernel(b"osconf.timeout=3 osconf.timeout=7").timeout, Some(7));
        assert_eq!(kernel(b"xosconf.disable notosconf.timeout=1"), Kernel::default());
    }
}
