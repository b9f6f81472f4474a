//! (config, facts about the root) → the ordered list of file edits, every one already
//! rendered. Pure and deterministic: the binary gathers the facts, then writes the plan.
//!
//! Decisions made here, each reported as an [`Event`]:
//! - which network format(s) to write ([`FORMATS`], detection from the root's own files,
//!   or `--network`); only formats the root will read;
//! - one default route: the lowest-numbered NIC with a gateway; DNS goes with it;
//! - name-bound formats (ifcfg) need the kernel's name for the NIC's MAC: without it, that
//!   NIC is not written in that format (a file for a name that will not exist is useless);
//! - files we merge into are only touched when they are regular files we could read;
//!   resolv.conf is never created and a symlinked one is left to its owner.

use crate::cli::FormatSet;
use crate::conf::{Config, Hostname, Mac, Nic};
use crate::limits::{MAX_NICS, MERGE_FILE_MAX};
use crate::render::{self, NicView};
use crate::state::State;
use crate::text::{Arg, Full, Out};
use heapless::Vec;

/// What the binary found at a path we merge into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing<'a> {
    Missing,
    Regular(&'a [u8]),
    Symlink,
    /// A FIFO, device, socket: never opened for writing.
    NotRegular,
    /// A directory.
    Directory,
    /// A directory on its path is a symlink the lookup refuses, or not a directory.
    DirRefused,
    TooLarge,
    Unreadable,
}

/// A network interface the kernel knows: `/sys/class/net/<name>/address`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iface<'a> {
    pub mac: Mac,
    /// Its name in the root (the kernel's name here, or the one the root's udev gives it).
    pub name: &'a str,
    /// The root renames it at boot and the new name cannot be told here.
    pub renamed: bool,
}

/// Facts about the root, gathered by the binary before planning.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub shadow: Existing<'a>,
    pub hosts: Existing<'a>,
    pub resolv: Existing<'a>,
    pub sysconfig_network: Existing<'a>,
    pub ifaces: &'a [Iface<'a>],
    /// The formats to write (from [`detect`] or `--network`).
    pub formats: FormatSet,
    /// For each entry of [`FORMATS`] that has a [`Shared`] file and is chosen: that file
    /// as found (indexed like `FORMATS`; shorter or `Missing` for the others).
    pub shared: &'a [Existing<'a>],
    /// Today in days since the epoch, for shadow's lastchg (`None`: clock not trusted).
    pub today: Option<u32>,
    /// Files osconf wrote on an earlier boot (they start with [`render::HEADER`]), found
    /// where the chosen formats keep their per-NIC files: (format, path).
    pub owned: &'a [(u8, crate::text::Str)],
    /// Every NIC section of os.conf was valid (so a file of ours that is not planned now
    /// belongs to a NIC os.conf no longer has, not to one whose data was bad this time).
    pub nics_complete: bool,
    /// `/etc/osconf.state` as read, with its key (a new one when there was none).
    pub state: State,
    /// Apply the hostname and password even when the state says the CD's are applied.
    pub force: bool,
}

type RenderFn = fn(&mut Out<'_>, &NicView<'_>) -> Result<(), Full>;

/// A network configuration format (its name: [`format_name`]).
pub struct Format {
    /// When the root uses this format: any one of these sets of paths (relative to the
    /// root), all of whose paths exist; the sets separated by `|`, a set's paths by a space
    /// (as text: a slice of slices takes 16 bytes more per set and per path). Formats are
    /// tried in [`FORMATS`] order and the first that matches is the one written: a root
    /// reads one network stack.
    pub detect: &'static str,
    /// Files are named after the kernel's interface name (so the NIC must be present).
    pub name_bound: bool,
    /// Mode of a new file.
    pub mode: u32,
    /// The file each NIC gets, and a second one where the format has it (wicked's routes):
    /// a [`crate::text::say`] template whose `{}` is the interface name (name-bound) or
    /// the MAC's hex digits.
    pub path: &'static str,
    pub render: RenderFn,
    pub extra: Option<&'static (&'static str, RenderFn)>,
    /// A file the NICs share, edited too (the format's own file of the system's).
    pub shared: Option<&'static Shared>,
}

/// A file of the system's that a format also edits, once for each NIC in turn.
pub struct Shared {
    pub path: &'static str,
    /// Rewrites `old` for one NIC; each NIC's call gets the previous one's result.
    pub merge: fn(&[u8], &NicView<'_>, &mut Out<'_>) -> Result<(), Full>,
    /// Whether the per-NIC files are wanted, given the shared file as found (ENI: only
    /// when the main file sources `interfaces.d`; otherwise the stanzas go into it).
    pub nic_files: fn(&[u8]) -> bool,
}

/// Largest shared file edited (`/etc/network/interfaces`, `/etc/sysconfig/network/config`).
pub const SHARED_MAX: usize = 8 * 1024;

fn eni_main(old: &[u8], v: &NicView<'_>, out: &mut Out<'_>) -> Result<(), Full> {
    render::eni::merge_main(old, v.ifname.ok_or(Full)?, Some(v), out)
}

fn wicked_config(old: &[u8], v: &NicView<'_>, out: &mut Out<'_>) -> Result<(), Full> {
    render::wicked::merge_config(old, v.dns, out)
}

fn always(_: &[u8]) -> bool {
    true
}

/// wicked's configuration, shared by the NICs.
const WICKED_CONFIG: &str = "etc/sysconfig/network/config";
/// The hostname file of RHEL-family roots (on SUSE, wicked's directory).
pub const SYSCONFIG_NETWORK: &str = crate::text::within(WICKED_CONFIG, "etc/sysconfig/network");
/// The hosts file and resolv.conf, taken from the lines that name them (one text each).
pub const HOSTS: &str = crate::text::within(crate::report::HOSTS_NO_ADDRESS, "etc/hosts");
pub const RESOLV_CONF: &str = crate::text::within(crate::report::RESOLV_ABSENT, "etc/resolv.conf");
/// ifupdown's rule; its main file, shared by the NICs, is part of it.
const ENI_DETECT: &str = "usr/sbin/ifup etc/network/interfaces|sbin/ifup etc/network/interfaces";

/// Every network format, in detection order. Adding one = a renderer file + an entry here.
///
/// - netplan first: where it is installed and configured (Ubuntu), it generates the
///   configuration of the stack below it, so only its own files count;
/// - NetworkManager when enabled: it always reads its keyfiles, whatever other plugins it
///   has (Fedora 36+ and EL 9+ no longer read ifcfg files by default; EL 7–8 do, but the
///   keyfile profile, with its top priority, wins there too);
/// - wicked (SUSE) when enabled;
/// - systemd-networkd when enabled;
/// - ifupdown (Debian's `/etc/network/interfaces`) when installed;
/// - ifcfg (initscripts' network service) when the root has network-scripts and none of
///   the above.
pub static FORMATS: &[Format] = &[
    // netplan
    Format {
        detect: "usr/sbin/netplan etc/netplan",
        name_bound: false,
        mode: 0o600,
        path: render::netplan::PATH,
        render: render::netplan::render,
        extra: None,
        shared: None,
    },
    // nm
    Format {
        detect: concat!(
            "etc/systemd/system/multi-user.target.wants/NetworkManager.service ",
            "etc/NetworkManager/system-connections",
        ),
        name_bound: false,
        mode: 0o600,
        path: render::nm_keyfile::PATH,
        render: render::nm_keyfile::render,
        extra: None,
        shared: None,
    },
    // wicked
    Format {
        detect: concat!(
            "usr/sbin/wicked etc/systemd/system/network.service|",
            "usr/sbin/wicked etc/systemd/system/multi-user.target.wants/wicked.service",
        ),
        name_bound: true,
        mode: 0o644,
        path: render::wicked::PATH,
        render: render::wicked::render,
        extra: Some(&(render::wicked::IFROUTE_PATH, render::wicked::render_ifroute)),
        shared: Some(&Shared { path: WICKED_CONFIG, merge: wicked_config, nic_files: always }),
    },
    // networkd
    Format {
        detect: concat!(
            "etc/systemd/system/multi-user.target.wants/systemd-networkd.service|",
            "etc/systemd/system/sockets.target.wants/systemd-networkd.socket",
        ),
        name_bound: false,
        mode: 0o644,
        path: render::networkd::PATH,
        render: render::networkd::render,
        extra: None,
        shared: None,
    },
    // eni
    Format {
        detect: ENI_DETECT,
        name_bound: true,
        mode: 0o644,
        path: render::eni::PATH,
        render: render::eni::render,
        extra: None,
        shared: Some(&Shared {
            path: crate::text::within(ENI_DETECT, "etc/network/interfaces"),
            merge: eni_main,
            nic_files: render::eni::sources_dir,
        }),
    },
    // ifcfg
    Format {
        // (The directory its files go in: taken from their path.)
        detect: crate::text::within(render::ifcfg::PATH, "etc/sysconfig/network-scripts"),
        name_bound: true,
        mode: 0o644,
        path: render::ifcfg::PATH,
        render: render::ifcfg::render,
        extra: Some(&(render::ifcfg::ROUTE_PATH, render::ifcfg::render_route)),
        shared: None,
    },
];

/// The formats that are [`Format::name_bound`], as a set (computed from [`FORMATS`]).
pub const NAME_BOUND: FormatSet = {
    let (mut set, mut i) = (0, 0);
    while i < FORMATS.len() {
        if FORMATS[i].name_bound {
            set |= 1 << i;
        }
        i += 1;
    }
    set
};

/// The names of [`FORMATS`] in its order, as given to `--network`, `|` between them (a
/// byte a name, where a `&str` field of each format takes 16).
const FORMAT_NAMES: &str = "netplan|nm|wicked|networkd|eni|ifcfg";

/// The name of format `i` (`?` past the last one).
pub fn format_name(i: u8) -> &'static str {
    if usize::from(i) < FORMATS.len() { crate::text::nth(FORMAT_NAMES, i.into()) } else { "?" }
}

/// The bit of a format named on the command line.
pub fn format_bit(name: &[u8]) -> Option<FormatSet> {
    crate::text::index_of(name, FORMAT_NAMES.as_bytes()).map(|i| 1 << i)
}

/// What detection found: the format and the paths that decided it (a set of
/// [`Format::detect`]: paths separated by a space).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub format: u8,
    pub because: &'static str,
}

/// Picks the first format one of whose path sets exists in full. `exists` is asked about
/// paths relative to the root (the binary answers without following symlinks out of it).
pub fn detect(mut exists: impl FnMut(&str) -> bool) -> Option<Detected> {
    for (i, f) in FORMATS.iter().enumerate() {
        for paths in pieces(f.detect, b'|') {
            if pieces(paths, b' ').all(&mut exists) {
                return Some(Detected { format: i as u8, because: paths });
            }
        }
    }
    None
}

/// The pieces of `s` between the ASCII bytes `sep`, as `str::split` gives them (sliced by
/// position: no UTF-8 check, no char searcher).
pub fn pieces(s: &str, sep: u8) -> Pieces<'_> {
    Pieces { rest: Some(s), sep }
}

/// See [`pieces`].
pub struct Pieces<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    /// (Out of line: one copy for detection and its log line.)
    #[inline(never)]
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let end = s.bytes().position(|b| b == self.sep);
        self.rest = end.and_then(|i| s.get(i + 1..));
        s.get(..end.unwrap_or(s.len()))
    }
}

/// The file an edit writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Network {
        format: u8,
        nic: u8,
    },
    /// A format's [`Shared`] file.
    Shared {
        format: u8,
    },
    Resolv,
    Hostname,
    SysconfigNetwork,
    Hosts,
    Shadow,
    /// `/etc/osconf.state`.
    State,
}

impl Target {
    /// The fixed path of a non-network target, relative to the root.
    pub fn fixed_path(self) -> Option<&'static str> {
        Some(match self {
            Target::Network { .. } => return None,
            Target::Shared { format } => return FORMATS.get(usize::from(format))?.shared.map(|s| s.path),
            Target::Resolv => RESOLV_CONF,
            Target::Hostname => "etc/hostname",
            Target::SysconfigNetwork => SYSCONFIG_NETWORK,
            Target::Hosts => HOSTS,
            Target::Shadow => "etc/shadow",
            Target::State => crate::state::PATH,
        })
    }
}

/// Longest path an edit names (relative to the root).
pub const PATH_MAX_REL: usize = crate::text::STR_MAX;

/// One file to write: its path, its new content (in the plan's buffer), the mode for a
/// new file (an existing file keeps its own mode and owner).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub target: Target,
    pub path: crate::text::Str,
    start: usize,
    end: usize,
    pub new_mode: u32,
    /// Remove the file (one of ours no NIC needs any more) instead of writing it.
    pub remove: bool,
}

/// Why a file is left alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    Missing,
    Symlink,
    NotRegular,
    TooLarge,
    Unreadable,
    NoRootLine,
    /// The plan's buffer is full (files far larger than any real one).
    NoRoom,
    /// A directory on its path is refused (see [`Existing::DirRefused`]).
    DirRefused,
}

impl Skip {
    pub fn from_existing(e: Existing<'_>) -> Option<Skip> {
        match e {
            Existing::Regular(_) => None,
            Existing::Missing => Some(Skip::Missing),
            Existing::Symlink => Some(Skip::Symlink),
            Existing::NotRegular | Existing::Directory => Some(Skip::NotRegular),
            Existing::DirRefused => Some(Skip::DirRefused),
            Existing::TooLarge => Some(Skip::TooLarge),
            Existing::Unreadable => Some(Skip::Unreadable),
        }
    }
}

/// A decision worth one log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Network configs will be written in this format.
    /// (`because`: the paths that decided it, separated by a space; `None`: `--network`.)
    Format { format: u8, because: Option<&'static str> },
    /// NICs are configured but the root shows no network stack we know.
    NoFormat,
    /// A name-bound format needs the kernel's name for this MAC, and there is none.
    NicNotPresent { nic: u8, mac: Mac, format: u8 },
    /// The NIC has a kernel name (`ethN`) in the initramfs, which the root replaces with a
    /// predictable one when it boots: a name-bound format cannot name it.
    NicRenamed { nic: u8, format: u8 },
    /// No NIC has a gateway: no default route.
    NoGateway,
    /// This NIC's gateway is not used: the default route goes via `via`.
    ExtraGateway { nic: u8, via: u8 },
    /// `/etc/hosts` not updated: no NIC address to map the hostname to.
    HostsNoAddress,
    /// A file left alone, and why.
    Skipped { target: Target, why: Skip },
    /// DNS servers beyond resolv.conf's limit (they are in the network config).
    ResolvOverMax { dropped: u8 },
    /// resolv.conf is absent (never created) or a symlink (owned by resolved or
    /// NetworkManager), so DNS is left to the network config, if one is written.
    ResolvLeft { symlink: bool, dns_in_network: bool },
    /// The CD's hostname (`password: false`) or password is the one applied on an earlier
    /// boot (per the state file): the system's current one is kept.
    Unchanged { password: bool },
}

impl Event {
    /// Whether this means something from the CD is not applied (exit code 1). Policy
    /// decisions — a resolv.conf owned by another tool, one default route — are not.
    pub fn is_problem(&self) -> bool {
        match self {
            Event::Format { .. } | Event::ExtraGateway { .. } | Event::ResolvOverMax { .. } => false,
            Event::NoGateway | Event::HostsNoAddress => false,
            Event::ResolvLeft { .. } | Event::Unchanged { .. } => false,
            Event::NoFormat | Event::NicNotPresent { .. } | Event::NicRenamed { .. } | Event::Skipped { .. } => true,
        }
    }
}

pub const MAX_EDITS: usize = 2 * MAX_NICS + 8;
pub const MAX_EVENTS: usize = 3 * MAX_NICS + 8;
/// Room for every rendered file: two large merges plus everything small.
pub const PLAN_BYTES: usize = 2 * MERGE_FILE_MAX + 32 * 1024;

pub struct Plan<'a> {
    out: Out<'a>,
    pub edits: Vec<Edit, MAX_EDITS>,
    pub events: Vec<Event, MAX_EVENTS>,
    /// Which NIC (index into `config.nics`) carries the default route and DNS.
    pub primary: Option<u8>,
}

impl<'a> Plan<'a> {
    pub fn content(&self, e: &Edit) -> &[u8] {
        self.out.as_bytes().get(e.start..e.end).unwrap_or(&[])
    }

    /// Zeroes the whole buffer (it held the shadow file).
    pub fn wipe(&mut self) {
        self.out.wipe();
        self.edits.clear();
    }

    #[inline(never)]
    fn event(&mut self, e: Event) {
        let _ = self.events.push(e);
    }

    /// A file left alone for what was found there (nothing when it is a regular file).
    fn skipped(&mut self, target: Target, found: Existing<'_>) {
        if let Some(why) = Skip::from_existing(found) {
            self.skip(target, why);
        }
    }

    /// A file left alone, and why.
    #[inline(never)]
    fn skip(&mut self, target: Target, why: Skip) {
        self.event(Event::Skipped { target, why });
    }

    /// Renders one edit; on failure nothing of it stays in the buffer and the reason is
    /// an event. Whether the edit was added (it is then the last one).
    /// (`dyn`: one copy of this for every kind of edit.)
    fn add(
        &mut self,
        target: Target,
        path: &[u8],
        new_mode: u32,
        render: &mut dyn FnMut(&mut Out<'a>) -> Result<(), Skip>,
    ) -> bool {
        let start = self.out.len();
        let mut p = crate::text::Str::new();
        let result = if !crate::text::utf8_into(path, &mut p) || self.edits.is_full() {
            Err(Skip::NoRoom)
        } else {
            render(&mut self.out)
        };
        match result {
            Ok(()) => {
                let end = self.out.len();
                self.edits.push(Edit { target, path: p, start, end, new_mode, remove: false }).is_ok()
            }
            Err(why) => {
                self.out.truncate(start);
                self.skip(target, why);
                false
            }
        }
    }
}

impl From<Full> for Skip {
    fn from(_: Full) -> Skip {
        Skip::NoRoom
    }
}

impl From<render::shadow::ShadowError> for Skip {
    fn from(e: render::shadow::ShadowError) -> Skip {
        match e {
            render::shadow::ShadowError::NoRootLine => Skip::NoRootLine,
            render::shadow::ShadowError::Full => Skip::NoRoom,
        }
    }
}

/// Builds the plan into `buf` (size [`PLAN_BYTES`] or more).
#[inline(never)]
pub fn build<'a>(config: &Config, facts: &Facts<'_>, buf: &'a mut [u8]) -> Plan<'a> {
    let mut plan = Plan { out: Out::new(buf), edits: Vec::new(), events: Vec::new(), primary: None };
    let nics = &config.nics;
    let primary = nics.iter().position(|n| n.gateway.is_some()).or(if nics.is_empty() { None } else { Some(0) });
    plan.primary = primary.map(|p| p as u8);
    let primary_nic: Option<&Nic> = primary.and_then(|p| nics.get(p));

    if !nics.is_empty() {
        network(&mut plan, config, facts, primary_nic);
    }
    stale(&mut plan, facts);
    if let Some(dns) = &config.dns {
        match facts.resolv {
            Existing::Regular(old) => {
                plan.add(Target::Resolv, RESOLV_CONF.as_bytes(), 0o644, &mut |o| {
                    Ok(render::resolv::merge(old, dns, o)?)
                });
                let n = dns.servers().len();
                if n > crate::limits::MAXNS {
                    plan.event(Event::ResolvOverMax { dropped: (n - crate::limits::MAXNS) as u8 });
                }
            }
            other => {
                if let Some(why) = Skip::from_existing(other) {
                    let dns_in_network = primary_nic.is_some_and(|p| {
                        plan.edits.iter().any(|e| matches!(e.target, Target::Network { nic, .. } if nic == p.index))
                    });
                    plan.event(match why {
                        Skip::Missing | Skip::Symlink => {
                            Event::ResolvLeft { symlink: why == Skip::Symlink, dns_in_network }
                        }
                        _ => Event::Skipped { target: Target::Resolv, why },
                    });
                }
            }
        }
    }
    // The hostname and password only when the CD's value is not the one applied before.
    let state = &facts.state;
    let instance_id = config.instance_id.as_ref().map(|i| state.fingerprint(i.as_bytes()));
    let same_instance = state.instance_id == instance_id;
    let mut new_state = State { instance_id, ..*state };
    if let Some(name) = &config.hostname {
        // With the address /etc/hosts maps it to: a new address is a new value.
        let addr = primary_nic.map_or(0, |n| u32::from(n.addr.0));
        let fp = state.fingerprint(name.as_str().as_bytes()) ^ u64::from(addr);
        if !facts.force && same_instance && state.hostname == Some(fp) {
            plan.event(Event::Unchanged { password: false });
        } else {
            if hostname(&mut plan, name, facts, primary_nic) {
                new_state.hostname = Some(fp);
            }
        }
    }
    if let Some(hash) = &config.password {
        let fp = state.fingerprint(hash.expose().as_bytes());
        if !facts.force && same_instance && state.password == Some(fp) {
            plan.event(Event::Unchanged { password: true });
        } else {
            match facts.shadow {
                Existing::Regular(old) => {
                    let added = plan.add(Target::Shadow, b"etc/shadow", 0o640, &mut |o| {
                        Ok(render::shadow::merge(old, hash, facts.today, o)?)
                    });
                    if added {
                        new_state.password = Some(fp);
                    }
                }
                other => plan.skipped(Target::Shadow, other),
            }
        }
    }
    if new_state.hostname.is_some() || new_state.password.is_some() {
        plan.add(Target::State, crate::state::PATH.as_bytes(), 0o600, &mut |o| Ok(new_state.render(o)?));
    }
    plan
}

/// The hostname's edits; whether `/etc/hostname` itself was planned.
fn hostname(plan: &mut Plan<'_>, name: &Hostname, facts: &Facts<'_>, primary_nic: Option<&Nic>) -> bool {
    let added = plan.add(Target::Hostname, b"etc/hostname", 0o644, &mut |o| Ok(render::hostname::render(o, name)?));
    match facts.sysconfig_network {
        Existing::Regular(old) => {
            plan.add(Target::SysconfigNetwork, SYSCONFIG_NETWORK.as_bytes(), 0o644, &mut |o| {
                Ok(render::sysconfig_network::merge(old, name, o)?)
            });
        }
        // Only RHEL-family roots have this file: its absence is normal, and on SUSE
        // the same path is a directory (wicked's configuration).
        Existing::Missing | Existing::Directory => {}
        other => plan.skipped(Target::SysconfigNetwork, other),
    }
    match (primary_nic, facts.hosts) {
        (None, _) => plan.event(Event::HostsNoAddress),
        (Some(nic), found @ (Existing::Regular(_) | Existing::Missing)) => {
            let old = if let Existing::Regular(old) = found { old } else { DEFAULT_HOSTS };
            plan.add(Target::Hosts, HOSTS.as_bytes(), 0o644, &mut |o| {
                Ok(render::hosts::merge(old, nic.addr, name, o)?)
            });
        }
        (Some(_), other) => plan.skipped(Target::Hosts, other),
    }
    added
}

/// `/etc/hosts` for a root that has none.
const DEFAULT_HOSTS: &[u8] = b"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

fn network(plan: &mut Plan<'_>, config: &Config, facts: &Facts<'_>, primary: Option<&Nic>) {
    let nics = &config.nics;
    match primary {
        Some(p) if p.gateway.is_some() => {
            for n in nics.iter().filter(|n| n.gateway.is_some() && n.index != p.index) {
                plan.event(Event::ExtraGateway { nic: n.index, via: p.index });
            }
        }
        _ => plan.event(Event::NoGateway),
    }
    if facts.formats == 0 {
        plan.event(Event::NoFormat);
        return;
    }
    for (fi, format) in FORMATS.iter().enumerate() {
        if facts.formats & (1 << fi) != 0 {
            network_format(plan, config, facts, primary, fi as u8, format);
        }
    }
}

/// (Out of line: with its two shared-file buffers outside `build`'s frame, measured 256
/// bytes smaller than inlined.)
#[inline(never)]
fn network_format(
    plan: &mut Plan<'_>,
    config: &Config,
    facts: &Facts<'_>,
    primary: Option<&Nic>,
    fi: u8,
    format: &Format,
) {
    let shared_old = match (format.shared, facts.shared.get(usize::from(fi))) {
        (Some(_), Some(Existing::Regular(old))) => Some(*old),
        (Some(_), found) => {
            let why = found.and_then(|e| Skip::from_existing(*e)).unwrap_or(Skip::Missing);
            plan.skip(Target::Shared { format: fi }, why);
            None
        }
        (None, _) => None,
    };
    let nic_files = match (format.shared, shared_old) {
        (Some(s), Some(old)) => (s.nic_files)(old),
        _ => true,
    };
    // The shared file, rewritten NIC after NIC (ping-pong between two buffers).
    let mut bufs = [[0u8; SHARED_MAX]; 2];
    let mut shared_len = None;
    if let Some(old) = shared_old {
        match bufs[0].get_mut(..old.len()) {
            Some(dst) => {
                dst.copy_from_slice(old);
                shared_len = Some(old.len());
            }
            None => plan.skip(Target::Shared { format: fi }, Skip::TooLarge),
        }
    }
    let mut cur = 0;
    for nic in &config.nics {
        let Some(view) = nic_view(plan, config, facts, primary, fi, format, nic) else { continue };
        let target = Target::Network { format: fi, nic: nic.index };
        if nic_files {
            nic_file(plan, target, format, false, &view);
            nic_file(plan, target, format, true, &view);
        }
        if let (Some(shared), Some(len)) = (format.shared, shared_len) {
            let [a, b] = &mut bufs;
            let (src, dst) = if cur == 0 { (&a[..], b) } else { (&b[..], a) };
            let mut out = Out::new(dst);
            match (shared.merge)(src.get(..len).unwrap_or(&[]), &view, &mut out) {
                Ok(()) => {
                    shared_len = Some(out.len());
                    cur = 1 - cur;
                }
                Err(_) => {
                    plan.skip(Target::Shared { format: fi }, Skip::NoRoom);
                    shared_len = None;
                }
            }
        }
    }
    if let (Some(shared), Some(len)) = (format.shared, shared_len) {
        let done = bufs.get(cur).and_then(|b| b.get(..len)).unwrap_or(&[]);
        plan.add(Target::Shared { format: fi }, shared.path.as_bytes(), 0o644, &mut |o| Ok(o.put(done)?));
    }
}

/// What `format` is given for `nic`: `None` (and the reason as an event) when a name-bound
/// format has no usable name for it.
fn nic_view<'v>(
    plan: &mut Plan<'_>,
    config: &'v Config,
    facts: &Facts<'v>,
    primary: Option<&Nic>,
    fi: u8,
    format: &Format,
    nic: &'v Nic,
) -> Option<NicView<'v>> {
    // A name that could break a shell-sourced file (ifcfg) counts as no name.
    let iface = facts.ifaces.iter().find(|i| i.mac == nic.mac);
    let ifname = iface.map(|i| i.name).filter(|n| render::ifcfg::is_plain_ifname(n));
    if format.name_bound {
        if ifname.is_none() {
            plan.event(Event::NicNotPresent { nic: nic.index, mac: nic.mac, format: fi });
            return None;
        }
        if iface.is_some_and(|i| i.renamed) {
            plan.event(Event::NicRenamed { nic: nic.index, format: fi });
            return None;
        }
    }
    let is_primary = primary.is_some_and(|p| p.index == nic.index);
    Some(NicView {
        nic,
        ifname,
        default_gateway: if is_primary { nic.gateway } else { None },
        dns: match (&config.dns, is_primary) {
            (Some(d), true) => d.servers(),
            _ => &[],
        },
    })
}

/// Our own files that nothing planned any more: removed, but only when every NIC of
/// os.conf was valid and placed (a NIC skipped this boot keeps its old file).
fn stale(plan: &mut Plan<'_>, facts: &Facts<'_>) {
    let placed = !plan.events.iter().any(|e| matches!(e, Event::NicNotPresent { .. } | Event::NicRenamed { .. }));
    if !(facts.nics_complete && placed) {
        return;
    }
    for (format, path) in facts.owned {
        if plan.edits.iter().any(|e| e.path == *path) || plan.edits.is_full() {
            continue;
        }
        let at = plan.out.len();
        let target = Target::Network { format: *format, nic: STALE };
        let _ = plan.edits.push(Edit { target, path: path.clone(), start: at, end: at, new_mode: 0, remove: true });
    }
}

/// The `nic` of a [`Target::Network`] edit that removes a stale file.
pub const STALE: u8 = u8::MAX;

/// The directory, file-name prefix and suffix of a per-NIC path template
/// (`etc/netplan/90-osconf-{}.yaml` → `etc/netplan`, `90-osconf-`, `.yaml`).
pub fn template_parts(tpl: &str) -> Option<(&str, &str, &str)> {
    let slash = tpl.bytes().rposition(|b| b == b'/')?;
    let brace = tpl.bytes().position(|b| b == b'{')?;
    Some((tpl.get(..slash)?, tpl.get(slash + 1..brace)?, tpl.get(brace + 2..)?))
}

/// The NIC's file in `format` (`extra`: its second file, if the format has one).
fn nic_file(plan: &mut Plan<'_>, target: Target, format: &Format, extra: bool, view: &NicView<'_>) {
    let (path, render) = match (extra, format.extra) {
        (false, _) => (format.path, format.render),
        (true, Some(second)) => *second,
        (true, None) => return,
    };
    // Named after the interface, or the MAC's hex digits.
    let name = if format.name_bound { view.ifname.map(Arg::S) } else { Some(Arg::C(view.nic.mac)) };
    let mut path_buf = [0u8; PATH_MAX_REL];
    let mut p = Out::new(&mut path_buf);
    if name.ok_or(Full).and_then(|name| crate::text::say(&mut p, path, &[name])).is_err() {
        plan.skip(target, Skip::NoRoom);
        return;
    }
    // A renderer that writes nothing asks for no file (ifcfg's route-<name> when the
    // gateway is on the subnet).
    if plan.add(target, p.as_bytes(), format.mode, &mut |o| Ok(render(o, view)?))
        && plan.edits.last().is_some_and(|e| e.start == e.end)
    {
        plan.edits.pop();
    }
}

#[cfg(test)]
mod tests;
