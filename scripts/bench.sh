#!/usr/bin/env bash
# Benchmark (not a test): osconf against the vendor's sample script, side by side.
#   bash scripts/bench.sh                          as root; 500 osconf runs, 100 vendor runs
#   OSCONF_RUNS=1000 VENDOR_RUNS=200 bash scripts/bench.sh
# Both apply examples/os.conf to fresh copies of one sample root (examples/root
# plus an /etc/passwd, an empty /mnt and a stub /etc/init.d/network):
#   osconf: the static release binary reading a config-2 ISO image (xorriso);
#   vendor: bench/vendor-os_config.sh (Tencent Cloud's sample `os_config`, only
#           adapted to a root prefix; its header lists every change), run with
#           bash; it bind-mounts an extracted copy of the same ISO, as this
#           kernel cannot mount iso9660.
# First each runs once per os.conf variant (the hash bare, as in examples/os.conf,
# and in double quotes) and what it wrote is checked against os.conf. Then the
# timed rounds interleave: OSCONF_RUNS/VENDOR_RUNS osconf runs, as many runs of
# `osconf --version` (start-up, no work) and of bench/exit.c (a static program
# that only exits: the floor of any exec), then one vendor run; every osconf and
# vendor run on a fresh copy of the root, its result compared with the checked one.
# CPU time is user+sys from wait4 (bench/cputime.c), the command and all it ran.
# Prints medians and the ratio, the peak RSS (/usr/bin/time -f %M) and syscall
# counts (strace -f -c) of one run of each. Password hashes are never printed.
# Runs in a private mount namespace (unshare) on a tmpfs; needs root, xorriso,
# strace, time, chpasswd (scripts/setup.sh installs them) and cc.
set -euo pipefail

cd "$(dirname "$0")/.."
case ${1:-} in
    -h | --help)
        sed -n '2,23s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    '') ;;
    *)
        echo "bench.sh: unknown argument: $1 (try --help)" >&2
        exit 2
        ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "bench.sh: needs root (mount, chpasswd -R)" >&2
    exit 1
fi
for tool in xorriso strace /usr/bin/time cc chpasswd unshare; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench.sh: $tool not found (bash scripts/setup.sh --no-demo installs what is missing)" >&2
        exit 1
    fi
done
# Every mount (the tmpfs, the vendor script's bind mounts) stays in a private
# mount namespace and goes away with it.
if [ -z "${OSCONF_BENCH_NS:-}" ]; then
    exec unshare --mount --propagation private env OSCONF_BENCH_NS=1 bash "$0" "$@"
fi

osconf_runs=${OSCONF_RUNS:-500}
vendor_runs=${VENDOR_RUNS:-100}
if [ "$osconf_runs" -lt "$vendor_runs" ] || [ "$vendor_runs" -lt 1 ]; then
    echo "bench.sh: OSCONF_RUNS must be at least VENDOR_RUNS, which must be at least 1" >&2
    exit 2
fi
per_round=$((osconf_runs / vendor_runs))
osconf_runs=$((per_round * vendor_runs))
vendor=bench/vendor-os_config.sh

step() { echo "==> $*"; }
die() {
    echo "bench.sh: $*" >&2
    exit 1
}

musl=x86_64-unknown-linux-musl
if [ -n "${OSCONF_BIN:-}" ]; then
    bin=$OSCONF_BIN
else
    step cargo build --release --target $musl
    cargo build --release --target $musl
    bin=$PWD/target/$musl/release/osconf
fi
[ -x "$bin" ] || die "$bin is not an executable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/osconf-bench.XXXXXX")
trap 'umount -l "$tmp" 2>/dev/null || true; rm -rf "$tmp"' EXIT
mount -t tmpfs -o mode=0700 osconf-bench "$tmp"

step "machine"
echo "  CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs online"
echo "  kernel: $(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  osconf: $bin ($(stat -c %s "$bin") bytes); $(bash --version | head -n 1)"
echo "  work directory: a tmpfs in a private mount namespace"

cc -O2 -Wall -o "$tmp/cputime" bench/cputime.c
cputime=$tmp/cputime
cc -O2 -static -nostdlib -o "$tmp/exit" bench/exit.c

# ---- the inputs -------------------------------------------------------------

# conf_value FILE KEY: the value of KEY as written (quotes removed).
conf_value() { sed -n "s/^$2=//p" "$1" | tr -d '"'"'"; }
conf=examples/os.conf
want_host=$(conf_value $conf hostname)
want_ip=$(conf_value $conf eth0_ip_addr)
want_mac=$(conf_value $conf eth0_mac_addr)
want_mask=$(conf_value $conf eth0_netmask)
want_gw=$(conf_value $conf eth0_gateway)
read -r -a want_dns <<<"$(conf_value $conf dns_nameserver)"
want_hash=$(conf_value $conf password) # never printed
# netmask -> prefix length
want_prefix=0
IFS=. read -r -a octets <<<"$want_mask"
for o in "${octets[@]}"; do
    while [ "$o" -gt 0 ]; do
        want_prefix=$((want_prefix + (o & 1)))
        o=$((o >> 1))
    done
done

# make_cd NAME CONF: $tmp/NAME.iso (label config-2, qcloud_action/os.conf) and
# $tmp/NAME.cd, its contents extracted back from the image.
make_cd() {
    mkdir -p "$tmp/$1.src/qcloud_action"
    cp "$2" "$tmp/$1.src/qcloud_action/os.conf"
    xorriso -as mkisofs -quiet -V config-2 -R -J -o "$tmp/$1.iso" "$tmp/$1.src" 2>"$tmp/xorriso.log" ||
        { cat "$tmp/xorriso.log" >&2 && die "xorriso failed"; }
    xorriso -osirrox on -indev "$tmp/$1.iso" -extract / "$tmp/$1.cd" 2>"$tmp/xorriso.log" ||
        { cat "$tmp/xorriso.log" >&2 && die "xorriso could not extract $tmp/$1.iso"; }
    cmp -s "$2" "$tmp/$1.cd/qcloud_action/os.conf" || die "the extracted os.conf differs from $2"
}
make_cd bare "$conf"
sed -E 's/^password=(.*)$/password="\1"/' "$conf" >"$tmp/quoted.conf"
make_cd quoted "$tmp/quoted.conf"

# The sample root: examples/root (git keeps no 0640), plus what a real root has
# and the vendor script needs: /etc/passwd for chpasswd, /mnt for its temp
# files, an /etc/init.d/network (a stub: the network is never restarted).
sample=$tmp/sample
cp -a examples/root "$sample"
chmod 0640 "$sample/etc/shadow"
cut -d: -f1 "$sample/etc/shadow" |
    awk '{ printf "%s:x:%d:%d::/:/usr/sbin/nologin\n", $1, NR - 1, NR - 1 }' >"$sample/etc/passwd"
mkdir -p "$sample/mnt" "$sample/etc/init.d"
printf '#!/bin/sh\nexit 0\n' >"$sample/etc/init.d/network"
chmod 0755 "$sample/etc/init.d/network"
# A fake sysfs with the NIC of os.conf (osconf names ifcfg after the kernel's NIC).
mkdir -p "$tmp/sys/class/net/eth0"
echo "${want_mac,,}" >"$tmp/sys/class/net/eth0/address"

# run_osconf ROOT CD [PREFIX...] / run_vendor ROOT CD [PREFIX...]: one run on
# ROOT with the ISO or extracted copy named CD, through PREFIX (a measuring
# command); output to $tmp/<tool>.log.
run_osconf() {
    local root=$1 cd=$2
    shift 2
    "$@" "$bin" --device "$tmp/$cd.iso" --root "$root" --sys "$tmp/sys" --log stderr >"$tmp/osconf.log" 2>&1
}
run_vendor() {
    local root=$1 cd=$2
    shift 2
    OS_CONFIG_ROOT=$root OS_CONFIG_CDROM=$tmp/$cd.cd "$@" bash "$vendor" start >"$tmp/vendor.log" 2>&1
}
fresh() {
    rm -rf "$tmp/run"
    cp -a "$sample" "$tmp/run"
}
# Hides anything shaped like a crypt hash, as scripts/demo.sh does.
mask() { sed -E 's/\$[0-9a-z]+\$[^:[:space:]]*/<hash>/g'; }

# ---- what each one wrote ----------------------------------------------------

name_ok() { [ "$1" = "$want_host" ] || [ "$1" = "${want_host//_/-}" ]; }
check_hostname() {
    local got
    got=$(cat "$1/etc/hostname")
    if name_ok "$got"; then echo "right ($got)"; else echo "WRONG ($got)"; fi
}
check_sysconfig() {
    local got
    got=$(sed -n 's/^HOSTNAME=//p' "$1/etc/sysconfig/network" | tr '\n' ' ')
    got=${got% }
    if name_ok "$got" && grep -qx 'NETWORKING=yes' "$1/etc/sysconfig/network"; then
        echo "right ($got)"
    else
        echo "WRONG (HOSTNAME=$got)"
    fi
}
check_hosts() {
    local line l kept=yes
    line=$(awk -v ip="$want_ip" '$1 == ip' "$1/etc/hosts")
    while IFS= read -r l; do
        [ "${l%%[[:space:]]*}" = "$want_ip" ] || grep -qxF -- "$l" "$1/etc/hosts" || kept=no
    done <"$sample/etc/hosts"
    if [ "$(wc -l <<<"$line")" -eq 1 ] && name_ok "$(awk '{ print $2 }' <<<"$line")" && [ "$kept" = yes ]; then
        echo "right ($want_ip $(awk '{ print $2 }' <<<"$line"))"
    else
        echo "WRONG ($(tr '\t\n' ' ;' <<<"$line") other lines kept: $kept)"
    fi
}
check_resolv() {
    local got want
    got=$(awk '$1 == "nameserver" { print $2 }' "$1/etc/resolv.conf" | tr '\n' ' ')
    want="${want_dns[*]} "
    if [ "$got" = "$want" ] && grep -qx 'search localdomain' "$1/etc/resolv.conf" &&
        grep -qx 'options timeout:2 attempts:3' "$1/etc/resolv.conf"; then
        echo "right (${#want_dns[@]} nameservers; search, options kept)"
    else
        echo "WRONG (nameservers: ${got% })"
    fi
}
check_shadow() {
    local field others=kept
    field=$(awk -F: '$1 == "root" { print $2 }' "$1/etc/shadow")
    [ "$(tail -n +2 "$1/etc/shadow")" = "$(tail -n +2 "$sample/etc/shadow")" ] || others=changed
    if [ "$field" = "$want_hash" ] && [ "$others" = kept ]; then
        echo "right (the os.conf hash)"
    elif [ "$field" = "\"$want_hash\"" ]; then
        echo "WRONG (the hash inside \"...\": no password matches)"
    elif [ "$field" = "'$want_hash'" ]; then
        echo "WRONG (the hash inside '...': no password matches)"
    elif [ "$field" = "*" ]; then
        echo "WRONG (unchanged: *)"
    else
        echo "WRONG (another ${#field}-byte field; other users $others)"
    fi
}
# ifcfg_value FILE KEY
ifcfg_value() { sed -n "s/^$2=//p" "$1" | tr -d '"'; }
check_ifcfg() {
    local f=$1/etc/sysconfig/network-scripts/ifcfg-eth0 mask_ok=no proto_ok=no mac
    if [ ! -f "$f" ]; then
        echo "WRONG (missing)"
        return
    fi
    { [ "$(ifcfg_value "$f" NETMASK)" = "$want_mask" ] || [ "$(ifcfg_value "$f" PREFIX)" = "$want_prefix" ]; } &&
        mask_ok=yes
    case $(ifcfg_value "$f" BOOTPROTO) in none | static) proto_ok=yes ;; esac
    mac=$(ifcfg_value "$f" HWADDR)
    if [ "$(ifcfg_value "$f" DEVICE)" = eth0 ] && [ "$(ifcfg_value "$f" IPADDR)" = "$want_ip" ] &&
        [ "$(ifcfg_value "$f" GATEWAY)" = "$want_gw" ] && [ "${mac,,}" = "${want_mac,,}" ] &&
        [ "$(ifcfg_value "$f" ONBOOT)" = yes ] && [ $mask_ok = yes ] && [ $proto_ok = yes ]; then
        echo "right ($want_ip/$want_prefix gw $want_gw)"
    else
        echo "WRONG ($(grep -E '^(IPADDR|NETMASK|PREFIX|GATEWAY|HWADDR)=' "$f" | tr '\n' ' '))"
    fi
}
checks=(check_hostname check_sysconfig check_hosts check_resolv check_shadow check_ifcfg)
items=(/etc/hostname "/etc/sysconfig/network" /etc/hosts /etc/resolv.conf "/etc/shadow (root)"
    "ifcfg-eth0")

wrong=0
for variant in bare quoted; do
    for tool in osconf vendor; do
        fresh
        rc=0
        "run_$tool" "$tmp/run" "$variant" || rc=$?
        [ "$rc" -eq 0 ] || { mask <"$tmp/$tool.log" >&2 && die "$tool exited $rc on the $variant os.conf"; }
        rm -rf "$tmp/ref-$tool-$variant"
        cp -a "$tmp/run" "$tmp/ref-$tool-$variant"
    done
    if [ $variant = bare ]; then
        step "what each wrote, os.conf with the hash bare (examples/os.conf, password=\$6\$...)"
    else
        step "what each wrote, os.conf with the hash in double quotes (password=\"\$6\$...\")"
    fi
    printf '  %-24s %-44s %s\n' item osconf "vendor script"
    for i in "${!checks[@]}"; do
        a=$(${checks[$i]} "$tmp/ref-osconf-$variant")
        b=$(${checks[$i]} "$tmp/ref-vendor-$variant")
        case "$a" in WRONG*) wrong=1 ;; esac
        printf '  %-24s %-44s %s\n' "${items[$i]}" "$a" "$b"
    done
done
echo "  (a name is right as in os.conf or with '_' as '-'; systemd ignores an /etc/hostname holding '_')"
if [ "$wrong" -ne 0 ]; then
    die "osconf wrote something wrong; the timing would mean nothing"
fi

# ---- CPU time -----------------------------------------------------------------

# Rows of the timing: osconf's real run; osconf --version (exec, start-up and
# its stack frame, no work); a static program that only calls exit (the floor
# of any exec); the vendor script.
step "timing: $vendor_runs rounds of $per_round osconf runs, $per_round osconf --version," \
    "$per_round exit-only program, 1 vendor run; osconf and vendor each on a fresh copy of the sample root"
rows=(osconf version exit vendor)
for row in "${rows[@]}"; do : >"$tmp/$row.times"; done
same_as() {
    # /etc/osconf.state holds fingerprints under a random per-root key: it differs by
    # design from run to run (its effect is tested in tests/cli.rs).
    diff -r -q -x osconf.state "$tmp/run" "$1" >"$tmp/diff" ||
        die "run $2 wrote something else than the checked run: $(cat "$tmp/diff")"
}
for ((round = 1; round <= vendor_runs; round++)); do
    for ((i = 0; i < per_round; i++)); do
        fresh
        run_osconf "$tmp/run" bare "$cputime" "$tmp/osconf.times"
        same_as "$tmp/ref-osconf-bare" "osconf $round.$i"
        "$cputime" "$tmp/version.times" "$bin" --version >/dev/null
        "$cputime" "$tmp/exit.times" "$tmp/exit"
    done
    fresh
    run_vendor "$tmp/run" bare "$cputime" "$tmp/vendor.times"
    same_as "$tmp/ref-vendor-bare" "vendor $round"
done
for row in "${rows[@]}"; do
    awk '$5 != 0 { bad = 1 } END { exit bad }' "$tmp/$row.times" || die "a timed $row run exited non-zero"
done

# stats FILE COLUMN: "median p10 p90" of a column over the runs (µs).
stats() {
    awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%d %d %d\n", m, v[int((NR - 1) * 0.1) + 1], v[int((NR - 1) * 0.9) + 1] }'
}
ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
# CPU = user + sys; wait4 reports the exact total (the kernel's split between the
# two is sampled at clock ticks, meaningless for a run shorter than a tick).
for row in "${rows[@]}"; do
    awk '{ $1 = $1 + $2; print }' "$tmp/$row.times" >"$tmp/$row.cpu"
done
step "CPU time per run (user+sys, wait4): median [p10, p90]; wall time: median"
declare -A cpu wall labels
labels=([osconf]="osconf" [version]="osconf --version" [exit]="exit-only program" [vendor]="vendor script")
for row in "${rows[@]}"; do
    read -r c c10 c90 < <(stats "$tmp/$row.cpu" 1)
    read -r w _ _ < <(stats "$tmp/$row.cpu" 4)
    cpu[$row]=$c
    wall[$row]=$w
    printf '  %-17s %4d runs  CPU %7s ms [%s, %s]  wall %7s ms\n' "${labels[$row]}" \
        "$(wc -l <"$tmp/$row.cpu")" "$(ms "$c")" "$(ms "$c10")" "$(ms "$c90")" "$(ms "$w")"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
echo "  vendor / osconf, ratio of the medians: CPU $(ratio "${cpu[vendor]}" "${cpu[osconf]}")x" \
    "(goal >= 50x), wall $(ratio "${wall[vendor]}" "${wall[osconf]}")x"

# ---- peak RSS and syscalls ------------------------------------------------------

step "peak RSS (/usr/bin/time -f %M) and syscalls (strace -f -c) of one run each"
fresh
run_osconf "$tmp/run" bare /usr/bin/time -o "$tmp/rss.osconf" -f %M
fresh
run_vendor "$tmp/run" bare /usr/bin/time -o "$tmp/rss.vendor" -f %M
fresh
run_osconf "$tmp/run" bare strace -f -c -o "$tmp/strace.osconf"
fresh
run_vendor "$tmp/run" bare strace -f -c -o "$tmp/strace.vendor"
# strace -c rows: "% time, seconds, usecs/call, calls, [errors,] syscall"; the
# last one is the total.
count() { awk -v s="$2" '$NF == s { print $4 }' "$1"; }
for row in osconf vendor; do
    printf -v "rss_median_$row" '%s' "$(stats "$tmp/$row.cpu" 3 | cut -d' ' -f1)"
done
# shellcheck disable=SC2154 # set through printf -v above
echo "  osconf:        peak RSS $(cat "$tmp/rss.osconf") KiB (median of the timed runs: $rss_median_osconf KiB)," \
    "$(count "$tmp/strace.osconf" total) syscalls (goal <= 150)"
# shellcheck disable=SC2154
echo "  vendor script: peak RSS $(cat "$tmp/rss.vendor") KiB, its largest process (median: $rss_median_vendor KiB)," \
    "$(count "$tmp/strace.vendor" total) syscalls in $(count "$tmp/strace.vendor" execve) programs (execve)"
echo "  osconf's syscalls (calls, errors):"
awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%s %d %d\n", $NF, $4, (NF == 6 ? $5 : 0) }' "$tmp/strace.osconf" |
    sort -k2,2nr -k1,1 | awk '{ printf "  %-11s %3d %-6s", $1, $2, ($3 ? "(" $3 ")" : ""); if (NR % 4 == 0) print "" }
        END { if (NR % 4) print "" }'
