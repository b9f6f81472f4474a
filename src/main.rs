//! osconf, the binary: wires the pure core to the machine, once through.
//!
//! cmdline → drive found → os.conf bytes → config (+ notes) → facts about the root → plan
//! (every edit rendered) → edits applied → one log line per action.
//!
//! `#![no_std]`, `#![no_main]`: musl's C runtime calls `main`; every syscall goes through
//! rustix. The only `unsafe` is reading `argv`, naming the standard file descriptors, the
//! arena, the CD-ROM status ioctl and `os::file::c_str` (a `CStr` from checked bytes).

#![no_std]
#![no_main]

mod os;

use os::log::{Level, Log};
use os::root::Root;
use osconf::cli::{self, LogTo, Source};
use osconf::conf;
use osconf::limits::{CONF_MAX, MERGE_FILE_MAX};
use osconf::plan::{self, Existing, Facts, Iface, Target};
use osconf::report::{self, LINE, Outcome};
use osconf::text::Out;

#[link(name = "c")]
unsafe extern "C" {
    fn _exit(code: i32) -> !;
}

/// A panic must never hang or fail the boot: say so and exit at once.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    os::log::stderr(b"osconf: internal error; nothing more done, the boot continues\n");
    // SAFETY: `_exit` ends the process; it is always safe to call.
    unsafe { _exit(EXIT_INTERNAL) }
}

/// Debug builds of `core` reference this even with `panic = "abort"`; never called.
#[cfg(debug_assertions)]
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}

const EXIT_OK: i32 = 0;
const EXIT_SKIPPED: i32 = 1;
const EXIT_USAGE: i32 = 2;
const EXIT_ROOT: i32 = 3;
const EXIT_INTERNAL: i32 = 4;

const MAX_ARGS: usize = 32;

/// The large buffers of a run: os.conf, the shadow and hosts files, two small files, the
/// plan, the shared network files.
const ARENA_BYTES: usize = FILES_BYTES + plan::PLAN_BYTES + 2 * plan::SHARED_MAX;
/// os.conf, then the files merged into: shadow and hosts (up to `MERGE_FILE_MAX` each),
/// resolv.conf and sysconfig/network (8 KiB each), one after the other.
const FILES_BYTES: usize = 2 * MERGE_FILE_MAX + 2 * 8192;

/// [`ARENA_BYTES`] in `.bss`: the kernel maps its pages only when first touched, so a run
/// costs the memory it uses. (On the stack, the frame's probes and zeroing touched all
/// 600 KiB at every start: about 150 page faults, more CPU than the work itself.)
struct Arena(core::cell::UnsafeCell<[u8; ARENA_BYTES]>);
// SAFETY: one reference is ever handed out (`arena`), and the process has one thread.
unsafe impl Sync for Arena {}
static ARENA: Arena = Arena(core::cell::UnsafeCell::new([0; ARENA_BYTES]));
static ARENA_TAKEN: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// The arena, the first time only.
fn arena() -> Option<&'static mut [u8; ARENA_BYTES]> {
    if ARENA_TAKEN.swap(true, core::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    // SAFETY: the flag above makes this the only reference to ARENA ever created.
    Some(unsafe { &mut *ARENA.0.get() })
}
/// Default wait for a CD-ROM drive whose medium is not there yet.
const DEFAULT_TIMEOUT_S: u32 = 5;

/// musl's `_start` (`crt1.o`) hands over to this with `main`, `argc` and `argv`. Defined
/// here (static musl builds only; a glibc build keeps glibc's), it keeps libc's own
/// start-up (auxv, TLS, init/fini arrays, exit handlers: about 1.3 KiB) out of the
/// binary, which needs none of it: every syscall goes through rustix, and the only libc
/// functions linked are `_exit` and the `mem*`/`strlen` routines, none of which touch the
/// thread pointer or `errno`. Calling one that does (anything that sets `errno`, stdio,
/// `exit`) would need libc's start-up back.
///
/// # Safety
/// Called once by `_start` with the process's `argc`/`argv`.
#[cfg(target_env = "musl")]
#[unsafe(no_mangle)]
unsafe extern "C" fn __libc_start_main(
    _main: *const core::ffi::c_void,
    argc: i32,
    argv: *const *const core::ffi::c_char,
) -> i32 {
    // SAFETY: as `main` requires; `_exit` ends the process.
    unsafe { _exit(main(argc, argv)) }
}

#[unsafe(no_mangle)]
/// # Safety
/// Called once by the C runtime with the process's `argc`/`argv`.
pub unsafe extern "C" fn main(argc: i32, argv: *const *const core::ffi::c_char) -> i32 {
    // SAFETY: the environment follows `argv`'s NULL (the System V ABI's initial stack).
    #[cfg(feature = "fault-injection")]
    unsafe {
        os::fault::init(argv.add(usize::try_from(argc).unwrap_or(0) + 1));
    }
    os::log::ensure_std_fds();
    // Files are created with their final modes (see `os::root`), whatever umask the
    // initramfs left.
    rustix::process::umask(rustix::fs::Mode::empty());
    let mut args: heapless::Vec<&[u8], MAX_ARGS> = heapless::Vec::new();
    for i in 1..usize::try_from(argc).unwrap_or(0) {
        // SAFETY: the C runtime passes `argc` valid, NUL-terminated strings in `argv`,
        // alive for the whole process.
        let arg = unsafe { core::ffi::CStr::from_ptr(*argv.add(i)) };
        if args.push(arg.to_bytes()).is_err() {
            os::log::stderr(b"osconf: too many arguments\n");
            return EXIT_USAGE;
        }
    }
    let code = run(&args);
    #[cfg(feature = "fault-injection")]
    os::fault::at_exit();
    code
}

fn run(args: &[&[u8]]) -> i32 {
    let opts = match cli::parse(args, plan::format_bit) {
        Ok(o) => o,
        Err(u) => {
            os::log::stderr(os::log::PREFIX);
            os::log::stderr(u.arg);
            os::log::stderr(b": ");
            os::log::stderr(u.why.as_bytes());
            os::log::stderr(b"\n");
            os::log::stderr(cli::USAGE.as_bytes());
            return EXIT_USAGE;
        }
    };
    if opts.help {
        os::log::stdout(cli::USAGE.as_bytes());
        return EXIT_OK;
    }
    if opts.version {
        os::log::stdout(concat!("osconf ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
        return EXIT_OK;
    }
    let mut cmdline_buf = [0u8; 4096];
    let kernel =
        os::file::read_attr(rustix::fs::CWD, "/proc/cmdline", &mut cmdline_buf).map(cli::kernel).unwrap_or_default();
    let log_to = if opts.dry_run && opts.log == LogTo::Auto { LogTo::Stderr } else { opts.log };
    let mut log = Log::new(log_to);
    log.echo = kernel.debug;
    if kernel.disable {
        log.line(Level::Info, b"disabled by osconf.disable on the kernel command line; nothing done");
        return EXIT_OK;
    }
    if kernel.bad_timeout {
        log.line(Level::Warn, cli::BAD_KERNEL_TIMEOUT.as_bytes());
    }

    let Some(arena) = arena() else { return EXIT_INTERNAL };
    // os.conf, then (once it is parsed and wiped) the files merged into, one after the
    // other in the same space: a few pages touched instead of one per buffer.
    let (files_buf, rest) = arena.split_at_mut(FILES_BYTES);
    let (plan_buf, shared_buf) = rest.split_at_mut(plan::PLAN_BYTES);
    let conf_buf = files_buf.get_mut(..CONF_MAX).unwrap_or(&mut []);

    // 1-2. Find the drive and read os.conf.
    let n = match read_conf(&opts, kernel.timeout.unwrap_or(DEFAULT_TIMEOUT_S), conf_buf, &mut log) {
        Some(Ok(n)) => n,
        Some(Err(())) => return EXIT_SKIPPED,
        None => return EXIT_OK,
    };

    // 3. Parse and validate.
    let parsed = parse_conf(conf_buf, n, &mut log);
    let config = &parsed.config;
    if config.hostname.is_none() && config.password.is_none() && config.dns.is_none() && config.nics.is_empty() {
        log.line(Level::Warn, b"os.conf has nothing valid to apply; the root is left as it is");
        return EXIT_SKIPPED;
    }

    // 4. Facts about the root, then the plan.
    let root = match Root::open(opts.root) {
        Ok(r) if opts.resolve_walk => r.without_openat2(),
        Ok(r) => r,
        Err(e) => {
            warn_root(&mut log, opts.root, e);
            return EXIT_ROOT;
        }
    };
    let sys = os::file::openat(
        rustix::fs::CWD,
        opts.sys,
        rustix::fs::OFlags::PATH | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    );
    let mut sys_ifaces = heapless::Vec::new();
    if let Ok(fd) = &sys {
        os::sys::ifaces(fd, &config.nics, &mut sys_ifaces);
    }
    let formats = if config.nics.is_empty() {
        0
    } else if let Some(set) = opts.network {
        for i in 0..plan::FORMATS.len() {
            if set & (1 << i) != 0 {
                log_event(&mut log, &plan::Event::Format { format: i as u8, because: None });
            }
        }
        set
    } else {
        match plan::detect(|p| root.exists(p)) {
            Some(d) => {
                log_event(&mut log, &plan::Event::Format { format: d.format, because: Some(d.because) });
                1 << d.format
            }
            None => 0,
        }
    };
    // The day, for shadow's lastchg.
    let today = os::clock::unix_seconds().and_then(osconf::render::shadow::lastchg_day);
    // The shared files of the chosen formats (ENI's main file, wicked's config): at most
    // two formats have one, each gets half of the buffer.
    let mut shared = [Existing::Missing; 8];
    let mut rest: &mut [u8] = shared_buf;
    for (i, f) in plan::FORMATS.iter().enumerate() {
        if let (Some(s), true, Some(slot)) = (f.shared, formats & (1 << i) != 0, shared.get_mut(i)) {
            let n = plan::SHARED_MAX.min(rest.len());
            let (mine, more) = core::mem::take(&mut rest).split_at_mut(n);
            rest = more;
            *slot = root.read(s.path, mine);
        }
    }
    // Predictable interface names, for the formats that name files after the interface:
    // a NIC still called `ethN` here is renamed by the root's udev at boot after the
    // `NamePolicy=` of its default `.link` file (unless overridden in /etc or
    // `net.ifnames=0` is on this boot's command line, which the booted system shares).
    let name_bound = formats & plan::NAME_BOUND != 0;
    if let (true, false, Ok(sys)) = (name_bound, kernel.kernel_ifnames, &sys) {
        predictable_names(&root, sys, opts.run, &mut sys_ifaces, &mut log);
    }
    let mut ifaces: heapless::Vec<Iface<'_>, { osconf::limits::MAX_NET_IFACES }> = heapless::Vec::new();
    for i in &sys_ifaces {
        let _ = ifaces.push(Iface { mac: i.mac, name: i.name.as_str(), renamed: i.renamed });
    }
    let mut owned = heapless::Vec::new();
    owned_files(&root, formats, &mut owned);
    let nics_complete = !parsed.notes.iter().any(|n| matches!(n.skips(), Some(conf::Section::Nic(_))));
    let (merged, used) = read_merged(&root, config, files_buf);
    let [shadow, hosts, resolv, sysconfig_network] = merged;
    let mut facts = Facts {
        shadow,
        hosts,
        resolv,
        sysconfig_network,
        ifaces: &ifaces,
        formats,
        shared: &shared,
        today,
        owned: &owned,
        nics_complete,
        state: osconf::state::State::default(),
        force: opts.force || kernel.force,
    };
    // What was applied on earlier boots; a new random key for a root that has no state.
    let mut state_buf = [0u8; 1024];
    let want_state = config.hostname.is_some() || config.password.is_some();
    if let Existing::Regular(b) = read_if(&root, want_state, osconf::state::PATH, &mut state_buf) {
        facts.state = osconf::state::State::parse(b);
    }
    if facts.state.key.is_none() {
        let mut k = [0u8; 8];
        let _ = rustix::rand::getrandom(&mut k, rustix::rand::GetRandomFlags::INSECURE);
        facts.state.key = Some(u64::from_le_bytes(k) ^ u64::from(today.unwrap_or(0)));
    }
    let mut plan = plan::build(config, &facts, plan_buf);
    // The files read (shadow among them) are wiped once planned.
    osconf::text::zero(files_buf.get_mut(..used).unwrap_or(&mut []));
    let mut code = if parsed.skipped_any() { EXIT_SKIPPED } else { EXIT_OK };
    for e in &plan.events {
        log_event(&mut log, e);
        if e.is_problem() {
            code = code.max(EXIT_SKIPPED);
        }
    }

    // 5. Apply (or show).
    if opts.dry_run {
        for edit in &plan.edits {
            let content = plan.content(edit);
            let outcome = if edit.remove { Outcome::Planned } else { root.compare(&edit.path, content) };
            if matches!(outcome, Outcome::Planned) && !edit.remove {
                show(edit, content);
            }
            code = code.max(log_action(&mut log, edit, config, outcome));
        }
        plan.wipe();
        return code;
    }
    // A read-only root (the initramfs default without `rw`) is remounted read-write when
    // the first write finds it read-only (so never when nothing changes), and put back
    // afterwards. Nothing has been written when that first write fails.
    let mut remounted = None;
    // 5a. Every new content into its temp file (`Written` here: staged, see `os::root`),
    // stale files removed; the other outcomes are final.
    let mut staged: heapless::Vec<Outcome, { plan::MAX_EDITS }> = heapless::Vec::new();
    for edit in &plan.edits {
        let write = || match edit.remove {
            true => root.remove(&edit.path),
            false => {
                root.stage(&edit.path, plan.content(edit), edit.new_mode, matches!(edit.target, Target::Network { .. }))
            }
        };
        let mut outcome = write();
        if matches!(outcome, Outcome::Failed { errno: 30, .. }) && remounted.is_none() {
            match root.remount_rw(opts.root) {
                Ok(Some(r)) => {
                    log.line(Level::Info, b"the root is mounted read-only: remounted read-write for the writes");
                    remounted = Some(r);
                    outcome = write();
                }
                Ok(None) => {}
                Err(e) => {
                    log.say(Level::Warn, NOT_REMOUNTED, &[report::Arg::E(e.raw_os_error())]);
                    plan.wipe();
                    return EXIT_ROOT;
                }
            }
        }
        let _ = staged.push(outcome);
    }
    // 5b. All of them on the disk at once, before any rename; when that fails, no file
    // is replaced.
    let flushed = match staged.iter().any(|o| matches!(o, Outcome::Written { .. })) {
        true => root.flush(),
        false => Ok(()),
    };
    // 5c. Each renamed over its file, in the plan's order. The state records the hostname
    // and password as applied: not when one of their files failed (they are applied
    // again at the next boot).
    let mut unapplied = false;
    for (&staged, edit) in staged.iter().zip(&plan.edits) {
        let state_refused = matches!(edit.target, Target::State) && unapplied;
        let mut outcome = staged;
        if matches!(staged, Outcome::Written { .. }) {
            if let Err(e) = root.commit(&edit.path, flushed.is_err() || state_refused) {
                outcome = Outcome::Failed { step: osconf::report::Step::Rename, errno: e.raw_os_error() };
            }
            if let Err(e) = flushed {
                outcome = Outcome::Failed { step: osconf::report::Step::Sync, errno: e.raw_os_error() };
            }
        }
        if state_refused {
            log.line(Level::Warn, b"/etc/osconf.state not updated: the hostname or password was not fully applied");
            continue;
        }
        // A file left alone (a symlink, a FIFO: the owner's choice) is as done as it will
        // ever be, as when the plan left it alone; only a failed write is tried again.
        let failed = matches!(outcome, Outcome::Failed { .. });
        unapplied |= failed && !matches!(edit.target, Target::Network { .. } | Target::Shared { .. } | Target::Resolv);
        code = code.max(log_action(&mut log, edit, config, outcome));
    }
    if remounted.is_none() {
        root.sync();
    }
    if let Some(r) = remounted {
        match root.remount_ro(opts.root, r) {
            Ok(()) => log.line(Level::Info, b"the root is read-only again"),
            Err(e) => {
                let what = "could not remount the root read-only again ({}); it stays read-write";
                log.say(Level::Warn, what, &[report::Arg::E(e.raw_os_error())]);
            }
        }
    }
    plan.wipe();
    code
}

/// The files merged into (shadow, hosts, resolv.conf, sysconfig/network: those the
/// config asks for), read one after the other at the front of `buf` (up to their limit
/// each; `buf` holds all four at their largest), so that they share pages; and how much
/// of `buf` they fill, to be wiped once planned.
#[inline(never)]
fn read_merged<'b>(root: &Root, config: &conf::Config, buf: &'b mut [u8]) -> ([Existing<'b>; 4], usize) {
    let wants = [config.password.is_some(), config.hostname.is_some(), config.dns.is_some(), config.hostname.is_some()];
    let files = [
        ("etc/shadow", MERGE_FILE_MAX),
        (plan::HOSTS, MERGE_FILE_MAX),
        (plan::RESOLV_CONF, 8192),
        (plan::SYSCONFIG_NETWORK, 8192),
    ];
    let mut out = [Existing::Missing; 4];
    let total = buf.len();
    let mut rest: &'b mut [u8] = buf;
    for ((&(rel, max), want), slot) in files.iter().zip(wants).zip(&mut out) {
        if !want {
            continue;
        }
        let free = core::mem::take(&mut rest);
        let cap = max.min(free.len());
        let (e, n) = root.read_len(rel, free.get_mut(..cap).unwrap_or(&mut []));
        if matches!(e, Existing::Unreadable) {
            // A read that failed part-way may have left bytes of shadow there.
            osconf::text::zero(free.get_mut(..cap).unwrap_or(&mut []));
        }
        let (mine, more) = free.split_at_mut(n.min(cap));
        rest = more;
        *slot = match e {
            Existing::Regular(_) => Existing::Regular(mine),
            e => e,
        };
    }
    (out, total - rest.len())
}

/// Parses os.conf (the first `n` bytes of `buf`), wipes it, logs each note.
/// (Out of line: the parser stays out of `run`'s large frame.)
#[inline(never)]
fn parse_conf(buf: &mut [u8], n: usize, log: &mut Log) -> conf::Parsed {
    let parsed = conf::parse(buf.get(..n).unwrap_or(&[]));
    osconf::text::zero(buf.get_mut(..n).unwrap_or(&mut []));
    for note in &parsed.notes {
        let level = if note.skips().is_some() { Level::Warn } else { Level::Info };
        log.write(level, &mut |l| report::note(l, note, &parsed.config));
    }
    if parsed.notes_dropped > 0 {
        let n = report::Arg::N(parsed.notes_dropped.into());
        log.say(Level::Warn, "{} more problems in os.conf not shown", &[n]);
    }
    parsed
}

/// Predictable interface names, for the formats that name files after the interface: a
/// NIC still called `ethN` here is renamed by the root's udev at boot after the
/// `NamePolicy=` of its default `.link` file (unless overridden in /etc or `net.ifnames=0`
/// is on this boot's command line, which the booted system shares). Renames the
/// interfaces whose new name is known; marks as `renamed` those whose is not.
#[inline(never)]
fn predictable_names(
    root: &Root,
    sys: &rustix::fd::OwnedFd,
    run: &[u8],
    sys_ifaces: &mut [os::sys::Iface],
    log: &mut Log,
) {
    let mut link_buf = [0u8; 2048];
    if root.exists("etc/systemd/network/99-default.link") {
        return;
    }
    // `lib/…` is the tail of `usr/lib/…` (one text for both).
    const USR_LINK: &str = "usr/lib/systemd/network/99-default.link";
    let path = if root.exists(USR_LINK) { USR_LINK } else { USR_LINK.get(4..).unwrap_or(USR_LINK) };
    let policy: &[u8] = match root.read(path, &mut link_buf) {
        Existing::Regular(policy) => policy,
        Existing::Missing => return,
        // A link, a directory, …: the root's policy cannot be told, so neither can the
        // names (each NIC still named ethN gets its line from the plan).
        _ => {
            log.say(
                Level::Warn,
                "/{}: not a regular file; the root's names for NICs cannot be told",
                &[report::Arg::S(path)],
            );
            b"NamePolicy=" // asks for no name: each is unknown
        }
    };
    for iface in sys_ifaces {
        if !osconf::udev::is_kernel_name(&iface.name) {
            continue;
        }
        let mut db_buf = [0u8; 4096];
        let db = os::sys::udev_entry(sys, run, &iface.name, &mut db_buf).unwrap_or(&[]);
        match osconf::udev::rename(policy, db) {
            osconf::udev::Rename::To(name, key) => {
                let mut new = osconf::text::Str::new();
                let _ = osconf::text::utf8_into(name, &mut new);
                log.say(
                    Level::Info,
                    "NIC {} is {} here, {} in the root (its udev's NamePolicy: {}); configured as {}",
                    &[
                        report::Arg::M(iface.mac),
                        report::Arg::S(&iface.name),
                        report::Arg::S(&new),
                        report::Arg::S(key),
                        report::Arg::S(&new),
                    ],
                );
                iface.name.clear();
                let _ = iface.name.push_str(&new);
            }
            osconf::udev::Rename::Keeps => {}
            osconf::udev::Rename::Unknown => iface.renamed = true,
        }
    }
}

/// Logs how one edit went; returns the exit code it implies.
fn log_action(log: &mut Log, edit: &plan::Edit, config: &conf::Config, outcome: Outcome) -> i32 {
    let (level, code) = match outcome {
        Outcome::Failed { .. } => (Level::Warn, EXIT_ROOT),
        Outcome::LeftAlone(_) => (Level::Warn, EXIT_SKIPPED),
        _ => (Level::Info, EXIT_OK),
    };
    log.write(level, &mut |l| report::action(l, edit, config, outcome));
    code
}

/// Files of ours (they start with the generated-by header) where the chosen formats keep
/// their per-NIC files: candidates for removal when no NIC needs them any more.
/// (Into `owned`, empty.)
fn owned_files(root: &Root, formats: cli::FormatSet, owned: &mut heapless::Vec<(u8, osconf::text::Str), 16>) {
    for (i, f) in plan::FORMATS.iter().enumerate() {
        if formats & (1 << i) == 0 {
            continue;
        }
        // The per-NIC template twice for a format with one (no Option to flatten: the
        // same listing is skipped, the same test made again).
        let templates = [f.path, f.extra.map_or(f.path, |e| e.0)];
        let mut listed = "";
        for t in &templates {
            // Its directory, listed once for both templates (ifcfg's ifcfg-/route-).
            let dir = t.get(..t.bytes().rposition(|b| b == b'/').unwrap_or(0)).unwrap_or("");
            if dir == listed {
                continue;
            }
            listed = dir;
            root.list(dir, &mut |name| {
                let mut path = osconf::text::Str::new();
                if name.starts_with(".osconf-")
                    || path.push_str(dir).and_then(|()| path.push('/')).and_then(|()| path.push_str(name)).is_err()
                {
                    return;
                }
                // Ours when the path starts with a template's text before its `{}` and ends
                // with the text after it (a name has no '/', and a format's templates share
                // their directory: the same test as on the name alone).
                let ours = |t: &str| {
                    let brace = t.bytes().position(|b| b == b'{').unwrap_or(0);
                    let (head, tail) = (t.get(..brace).unwrap_or(t), t.get(brace + 2..).unwrap_or(""));
                    path.starts_with(head) && path.ends_with(tail)
                };
                if !templates.iter().any(|t| ours(t)) {
                    return;
                }
                let mut buf = [0u8; 2048];
                if let Existing::Regular(content) = root.read(&path, &mut buf) {
                    if content.starts_with(osconf::render::HEADER.as_bytes()) {
                        let _ = owned.push((i as u8, path));
                    }
                }
            });
        }
    }
}

/// Reads a file we merge into, only when the config needs it.
fn read_if<'b>(root: &Root, want: bool, rel: &str, buf: &'b mut [u8]) -> Existing<'b> {
    if want { root.read(rel, buf) } else { Existing::Missing }
}

/// Reads os.conf per `--config`, `--device` or the scan. `None`: nothing to do (no CD).
fn read_conf(opts: &cli::Options<'_>, kernel_timeout: u32, buf: &mut [u8], log: &mut Log) -> Option<Result<usize, ()>> {
    let result = match opts.source {
        Source::Config(path) => {
            let r = os::file::open_read(rustix::fs::CWD, path, rustix::fs::OFlags::NONBLOCK)
                .and_then(|fd| os::file::read_all(rustix::fd::AsFd::as_fd(&fd), buf));
            match r {
                Ok(Some(n)) => return Some(Ok(n)),
                Ok(None) => Err(os::drive::DriveError::TooLarge),
                Err(e) => Err(os::drive::DriveError::Open(e)),
            }
        }
        Source::Device(path) => os::drive::read_device(path, buf, log),
        Source::Scan => {
            let dev = os::drive::scan(opts.sys, opts.dev, opts.timeout.unwrap_or(kernel_timeout), log)?;
            os::drive::read_device(&dev, buf, log)
        }
    };
    match result {
        Ok(n) => Some(Ok(n)),
        Err(e) => {
            let path: &[u8] = match opts.source {
                Source::Config(p) | Source::Device(p) => p,
                Source::Scan => const { osconf::text::within(cli::USAGE, "the config CD").as_bytes() },
            };
            let (why, arg) = os::drive::describe(e);
            log.failure(Level::Warn, "cannot read os.conf from {}: ", path, why, arg, "; nothing applied");
            Some(Err(()))
        }
    }
}

const NOT_REMOUNTED: &str = "the root is read-only and could not be remounted read-write ({}); nothing written";

/// Warns that the root at `path` cannot be opened (in three pieces, see `Log::failure`).
fn warn_root(log: &mut Log, path: &[u8], e: rustix::io::Errno) {
    let end = const { osconf::text::within(NOT_REMOUNTED, "); nothing written") };
    log.failure(Level::Warn, "cannot open the root {} (", path, "{}", report::Arg::E(e.raw_os_error()), end);
}

fn log_event(log: &mut Log, e: &plan::Event) {
    let level = if e.is_problem() { Level::Warn } else { Level::Info };
    log.write(level, &mut |l| report::event(l, e));
}

/// `--dry-run`: the planned file, hashes redacted. (Out of line: its redaction buffer
/// stays out of `run`'s frame; measured 48 bytes smaller.)
#[inline(never)]
fn show(edit: &plan::Edit, content: &[u8]) {
    let mut b = [0u8; LINE];
    let mut l = Out::new(&mut b);
    // The mode in octal, a digit each. (The line always fits: the path is a Str.)
    let digit = |shift: u32| report::Arg::N((edit.new_mode >> shift) & 7);
    let _ = report::say(
        &mut l,
        "--- /{} (mode 0{}{}{} for a new file; an existing file keeps its mode and owner)\n",
        &[report::Arg::S(edit.path.as_str()), digit(6), digit(3), digit(0)],
    );
    os::log::stdout(l.as_bytes());
    if matches!(edit.target, Target::Shadow) {
        let mut buf = [0u8; MERGE_FILE_MAX + 4096];
        let mut out = osconf::text::Out::new(&mut buf);
        if osconf::render::shadow::redact(content, &mut out).is_ok() {
            os::log::stdout(out.as_bytes());
        }
        out.wipe();
    } else {
        os::log::stdout(content);
    }
}
