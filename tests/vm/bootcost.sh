#!/usr/bin/env bash
# Cost at boot: what osconf adds to the time a VM takes to reach its root's
# init. Boots the same kernel and root with three initramfs images of one
# kind: "with" osconf (the dracut module or the initramfs-tools hooks),
# "drivers" (no osconf, but the CD-ROM kernel modules its module or hook adds:
# sr_mod, cdrom, isofs, ata_piix, ...) and "without" either, in three cases:
# the config CD present, no CD drive at all, an empty CD-ROM drive; BOOTS
# times each (default 5). Prints the medians and min/max per case, what
# osconf costs (with - drivers: the same image but for the hook and the
# binary; the goals are checked on it) and what the drivers cost (drivers -
# without: an image that lacked them now probes the CD-ROM's bus before the
# root is mounted), then where osconf's time goes (per log line), and exits 1
# when a boot failed.
#
#   bash tests/vm/bootcost.sh [BOOTS]     boot and report (~15 s a boot under TCG)
#   OSCONF_BOOTCOST_ICOUNT=0 bash tests/vm/bootcost.sh [BOOTS]
#                                         the same on QEMU's instruction clock (~30 s a boot)
#   bash tests/vm/bootcost.sh report      the report of the last run again
#
# What is timed: the kernel's own printk timestamps on the serial console
# (printk.time=1), seconds since the kernel started; no host clock. "Time to
# switch_root" is the timestamp of the first line the root's /sbin/init writes
# to /dev/kmsg ("vmtest: root init started", tests/vm/lib.sh): by then
# switch_root has handed over, and everything the initramfs did (udev, the
# drivers osconf's module adds, osconf, the hooks after it, udev's exit) is
# counted, the same way for dracut and initramfs-tools. Also reported: the
# test marks the images write just before osconf ("..., osconf next": dracut
# pre-pivot 69, the first init-bottom script) and at the end of the initramfs
# hooks (dracut pre-pivot 99, the last init-bottom script), present in both
# images, and osconf's span (its mark to its last log line).
#
# Every boot gets a fresh copy of the root (osconf's first boot: no
# /etc/osconf.state, every file written), the kernel command line of run.sh
# (ro, printk.time=1, ...), and osconf's defaults (osconf.timeout=5: an empty
# drive is waited for 5 s, a missing drive for the 0.5 s grace). Boots run one at
# a time (timing under two at once on a 2-core host means little), and the
# images and cases alternate within each round so that a change of the host's
# load spreads over all of them.
#
# The clock. Under plain TCG the guest's clock is the host's: the timestamps
# count emulation (tens of times slower than a real CPU) and move with the
# host's load, a second from one boot to the next on a shared machine. With
# OSCONF_BOOTCOST_ICOUNT=N, QEMU runs with -icount shift=N,sleep=on: the guest's
# clock advances 2^N ns per instruction executed while the CPU runs (N=0: one
# instruction per ns, a CPU a few times slower than a current server core) and
# in real time while it idles (timers, sleeps, waits for the disk). Then what
# the guest computes costs the same at every boot whatever the host does, and
# a difference of a few ms between the images can be told from noise; waits
# for I/O still take the host's real time. Neither clock is a real machine's,
# and this host cannot run KVM: the factor to one cannot be measured here.
#
# Environment (see run.sh for the others: OSCONF_BIN, OSCONF_VM_KVER,
# OSCONF_VM_ACCEL, OSCONF_VM_TIMEOUT):
#   OSCONF_BOOTCOST_KINDS  initramfs kinds (default "dracut-shell initramfs-tools";
#                          dracut-systemd also works)
#   OSCONF_BOOTCOST_CASES  cases (default "cd nocd empty")
#   OSCONF_BOOTCOST_ICOUNT unset: plain TCG; N: -icount shift=N,sleep=on (above)
#   OSCONF_VM_DIR          work dir (default build/bootcost, build/bootcost-icountN);
#                          per boot boots/KIND-VARIANT-CASE-N/console.log; results.tsv
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
ICOUNT=${OSCONF_BOOTCOST_ICOUNT:-}
work=${OSCONF_VM_DIR:-$repo/build/bootcost${ICOUNT:+-icount$ICOUNT}}
# shellcheck source=tests/vm/lib.sh
. "$repo/tests/vm/lib.sh"

KINDS=${OSCONF_BOOTCOST_KINDS:-dracut-shell initramfs-tools}
CASES=${OSCONF_BOOTCOST_CASES:-cd nocd empty}
VARIANTS="without drivers with"

usage() { sed -n '2,59s/^# \{0,1\}//p' "$0"; }

# build_initrd KIND VARIANT: $work/KIND-VARIANT.img.
build_initrd() {
    local kind=$1 variant=$2 out=$work/$1-$2.img mods t0=$SECONDS osconf=osconf extra=()
    [ "$variant" = with ] || osconf=
    [ "$variant" != drivers ] || extra=(--add-drivers "$(vm_osconf_drivers dracut)")
    case $kind in
        dracut-shell) mods="base udev-rules rootfs-block $osconf vmtestmark vmtestlast" ;;
        dracut-systemd) mods="systemd-initrd dracut-systemd base udev-rules rootfs-block $osconf vmtestmark vmtestlast" ;;
        initramfs-tools) ;;
        *)
            echo "bootcost.sh: unknown initramfs kind $kind" >&2
            return 1
            ;;
    esac
    if [ "$kind" = initramfs-tools ]; then
        case $variant in
            with) vm_mkinitramfs "$out" ;;
            drivers) vm_mkinitramfs "$out" drivers-only ;;
            *) vm_mkinitramfs "$out" without-osconf ;;
        esac
    else
        vm_dracut "$out" "$mods" "${extra[@]}"
    fi
    vm_say "built ${out##*/} ($(($(stat -c %s "$out") / 1024)) KiB) in $((SECONDS - t0)) s"
}

# case_args CASE: QEMU's arguments for the CD drive (and the clock).
case_args() {
    [ -z "$ICOUNT" ] || echo "-icount shift=$ICOUNT,sleep=on"
    case $1 in
        cd) echo "-cdrom $work/config.iso" ;;
        nocd) ;;
        empty) echo "-drive if=ide,media=cdrom,id=cd0" ;;
        *)
            echo "bootcost.sh: unknown case $1" >&2
            return 1
            ;;
    esac
}

# one_boot KIND VARIANT CASE N: boots once, appends a row to results.tsv and
# (with osconf) its log lines to steps.tsv. Fails when the boot did not reach
# the end of the root's init or a timestamp is missing.
one_boot() {
    local kind=$1 variant=$2 cse=$3 n=$4 d rc=0 args log t_root t_last t_mark first last why=
    d=$work/boots/$kind-$variant-$cse-$n
    rm -rf "$d"
    mkdir -p "$d"
    cp --sparse=always "$work/root.img" "$d/root.img"
    args=$(case_args "$cse")
    # shellcheck disable=SC2086 # $args is a list of words
    vm_boot "$d" "$work/$kind-$variant.img" "ro" $args || rc=$?
    rm -f "$d/root.img"
    log=$d/console.log
    t_root=$(vm_ts "$log" 'vmtest: root init started')
    t_last=$(vm_ts "$log" '] vmtest: last ')
    t_mark=$(vm_ts "$log" ', osconf next')
    first=$(vm_ts "$log" '] osconf: ')
    last=$(vm_ts "$log" '] osconf: ' last)
    if [ "$rc" -ne 0 ]; then
        why="qemu exited with $rc (124: timeout)"
    elif ! grep -qx 'vmtest: done, powering off' "$log"; then
        why="the root's init did not finish"
    elif [ -z "$t_root" ] || [ -z "$t_last" ] || [ -z "$t_mark" ]; then
        why="a test mark is missing"
    elif [ "$variant" = with ] && [ -z "$last" ]; then
        why="no osconf line"
    elif [ "$variant" != with ] && [ -n "$first" ]; then
        why="osconf ran in the image without it"
    elif [ "$variant" = with ] && [ "$cse" = cd ] && ! grep -qF 'osconf: updated /etc/shadow' "$log"; then
        why="osconf did not apply the CD"
    fi
    if [ -n "$why" ]; then
        vm_say "FAIL $kind-$variant-$cse-$n: $why (${log#"$repo"/})"
        return 1
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$variant" "$cse" "$n" \
        "$t_mark" "${first:--}" "${last:--}" "$t_last" "$t_root" >>"$work/results.tsv"
    [ "$variant" = with ] && steps "$kind" "$cse" "$n" "$log" >>"$work/steps.tsv"
    vm_say "$kind $variant, $cse, boot $n: root init at $t_root s$([ "$variant" != with ] ||
        echo ", osconf $(vm_ms_between "$t_mark" "$last") ms")"
}

# steps KIND CASE N LOG: one row per interval from the mark before osconf to
# the root's init: KIND CASE N INDEX MS LABEL. osconf's first line, when it
# says "after N ms" (its own clock from the start of its drive scan), is split
# in two: up to the scan's start (the hook's modprobes, osconf's exec and
# start-up), and the scan (with its waits).
steps() {
    grep -E '\] (osconf|vmtest): ' "$4" | awk -v k="$1" -v c="$2" -v n="$3" '
        {
            if (!match($0, /\[ *[0-9]+\.[0-9]+\] (osconf|vmtest): /)) next
            s = substr($0, RSTART, RLENGTH)
            gsub(/[][ ]/, "", s); sub(/(osconf|vmtest):$/, "", s)
            t = s + 0
            msg = substr($0, RSTART + RLENGTH)
            src = ($0 ~ /\] osconf: /) ? "osconf: " : "mark: "
            if (msg ~ /osconf next$/) { prev = t; i = 0; next }
            if (prev == "") next
            if (src == "osconf: " && i == 0 && match(msg, /after [0-9]+ ms/)) {
                w = substr(msg, RSTART + 6, RLENGTH - 9) / 1000
                out(t - w - prev, "(mark -> start of osconf scan: the hook, the exec and start-up of osconf)")
                prev = t - w
            }
            label = msg
            gsub(/after [0-9]+ ms/, "after N ms", label)
            if (length(label) > 70) label = substr(label, 1, 67) "..."
            out(t - prev, src label)
            prev = t
        }
        function out(dt, label) {
            printf "%s\t%s\t%s\t%d\t%d\t%s\n", k, c, n, i, dt * 1000 + (dt < 0 ? -0.5 : 0.5), label
            i++
        }'
}

# ---------------------------------------------------------------------------
# The report, from results.tsv and steps.tsv.

report() {
    [ -s "$work/results.tsv" ] || {
        echo "bootcost.sh: no results in ${work#"$repo"/}/results.tsv" >&2
        return 1
    }
    [ ! -f "$work/about" ] || cat "$work/about"
    awk -F'\t' '
        function median(list,   a, m, i, j, x) {
            m = split(list, a, " ")
            for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
            lo = a[1]; hi = a[m]
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        }
        function add(key, v) { vals[key] = (key in vals) ? vals[key] " " v : v; cnt[key]++ }
        {
            key = $1 SUBSEP $3 SUBSEP $2
            add("root" SUBSEP key, $9 + 0)
            add("mark" SUBSEP key, $5 + 0)
            add("after" SUBSEP key, ($9 - $5) * 1000)
            if ($2 == "with") add("span" SUBSEP key, ($7 - $5) * 1000)
            if (!($1 in seenk)) { seenk[$1] = 1; kinds[++nk] = $1 }
            if (!($3 in seenc)) { seenc[$3] = 1; cases[++nc] = $3 }
        }
        END {
            goal["cd"] = 20; goal["nocd"] = 1000
            name["cd"] = "config CD present"; name["nocd"] = "no CD drive"; name["empty"] = "empty CD drive"
            for (a = 1; a <= nk; a++) {
                k = kinds[a]
                printf "\n%s: time to switch_root (the root init'"'"'s first line), s: median [min, max]\n", k
                printf "%-18s %8s  %-24s  %-24s  %-24s  %9s  %9s  %8s  %-16s\n", "case", "boots", "without", "drivers", \
                    "with osconf", "drv-w/o", "with-drv", ">mark", "osconf span, ms"
                for (b = 1; b <= nc; b++) {
                    c = cases[b]; kw = k SUBSEP c SUBSEP "with"; ko = k SUBSEP c SUBSEP "without"; kd = k SUBSEP c SUBSEP "drivers"
                    if (!(("root" SUBSEP kw) in vals) || !(("root" SUBSEP ko) in vals) || !(("root" SUBSEP kd) in vals)) continue
                    mo = median(vals["root" SUBSEP ko]); lo_o = lo; hi_o = hi
                    md = median(vals["root" SUBSEP kd]); lo_d = lo; hi_d = hi
                    mw = median(vals["root" SUBSEP kw]); lo_w = lo; hi_w = hi
                    post = median(vals["after" SUBSEP kw]); post -= median(vals["after" SUBSEP kd])
                    sp = median(vals["span" SUBSEP kw]); lo_s = lo; hi_s = hi
                    drv = (md - mo) * 1000; d = (mw - md) * 1000; spread = (hi_d - lo_d) * 1000
                    printf "%-18s %2d+%2d+%-2d  %6.3f [%6.3f, %6.3f]  %6.3f [%6.3f, %6.3f]  %6.3f [%6.3f, %6.3f]  %+6.0f ms  %+6.0f ms  %+5.0f ms  %5.0f [%.0f, %.0f]", \
                        (c in name) ? name[c] : c, cnt["root" SUBSEP ko], cnt["root" SUBSEP kd], cnt["root" SUBSEP kw], \
                        mo, lo_o, hi_o, md, lo_d, hi_d, mw, lo_w, hi_w, drv, d, post, sp, lo_s, hi_s
                    # The verdict is on with-drv: the two images differ only by osconf (its hook
                    # and binary). spread: max - min of the drivers image'"'"'s boots, what one boot
                    # varies with no osconf at all.
                    if (c in goal) printf "  goal <= %d ms (with-drv): %s, spread %.0f ms", goal[c], (d <= goal[c] ? "met" : "NOT met"), spread
                    printf "\n"
                }
            }
            printf "\nwithout: neither osconf nor its drivers; drivers: the kernel modules osconf'"'"'s module\n"
            printf "or hook adds, no osconf; with osconf: the module or hook as shipped. drv-w/o, with-drv:\n"
            printf "differences of the medians (what the drivers cost; what osconf costs, the goals).\n"
            printf ">mark: with-drv counted from the mark written just before osconf runs (present in\n"
            printf "every image) to the root init. osconf span: from that mark to osconf'"'"'s last log line.\n"
            printf "A difference smaller than the spread cannot be told from the host'"'"'s noise (use\n"
            printf "OSCONF_BOOTCOST_ICOUNT=0 for a steadier clock).\n"
        }' "$work/results.tsv"
    [ -s "$work/steps.tsv" ] || return 0
    echo
    echo "Where osconf's time goes (images with osconf): median ms per interval, each ending at"
    echo "the line named (the first from the mark before osconf); the last two are after osconf."
    awk -F'\t' '
        {
            key = $1 SUBSEP $2 SUBSEP $4
            vals[key] = (key in vals) ? vals[key] " " $5 : $5
            if (!(key in label)) label[key] = $6
            else if (label[key] != $6) label[key] = "(differs between boots) " label[key]
            grp = $1 SUBSEP $2
            if (!(grp in seen)) { seen[grp] = 1; grps[++ng] = grp }
            if ($4 + 1 > len[grp]) len[grp] = $4 + 1
        }
        function median(list,   a, m, i, j, x) {
            m = split(list, a, " ")
            for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        }
        END {
            for (g = 1; g <= ng; g++) {
                split(grps[g], p, SUBSEP)
                printf "\n%s, %s:\n", p[1], p[2]
                for (i = 0; i < len[grps[g]]; i++) {
                    key = grps[g] SUBSEP i
                    if (key in vals) printf "  %6.0f  %s\n", median(vals[key]), label[key]
                }
            }
        }' "$work/steps.tsv"
}

# ---------------------------------------------------------------------------

main() {
    local boots=${1:-5} kind cse variant n round=0 failed=0 t_start=$SECONDS t_boot variants
    case $boots in
        -h | --help)
            usage
            return 0
            ;;
        report)
            report
            return
            ;;
        '' | *[!0-9]* | 0)
            echo "bootcost.sh: BOOTS must be a positive number (try --help)" >&2
            return 2
            ;;
    esac
    kver=$(vm_pick_kernel)
    if [ -z "$kver" ] || [ ! -f "/boot/vmlinuz-$kver" ]; then
        echo "bootcost.sh: no kernel; run: bash scripts/setup.sh --no-demo" >&2
        return 1
    fi
    accel=$(vm_pick_accel)
    if [ -n "$ICOUNT" ] && { [ "$accel" != tcg ] || [[ ! $ICOUNT =~ ^[0-9]$ ]]; }; then
        echo "bootcost.sh: OSCONF_BOOTCOST_ICOUNT wants a shift of 0-9 and TCG (accel: $accel)" >&2
        return 2
    fi
    mkdir -p "$work"
    vm_osconf_bin || return 1
    vm_say "kernel $kver, accel $accel, binary $osconf_bin, work dir ${work#"$repo"/}"

    vm_stage_root "$work/root"
    vm_root_image "$work/root" "$work/root.img" >/dev/null
    vm_iso "$repo/examples/os.conf" "$work/config.iso"
    vm_dracut_base
    for kind in $KINDS; do
        for variant in $VARIANTS; do build_initrd "$kind" "$variant"; done
    done

    rm -rf "$work/boots" "$work/results.tsv" "$work/steps.tsv"
    {
        echo "bootcost.sh: $boots boot(s) per image and case, one at a time; kernel $kver, accel $accel,"
        echo "QEMU $(qemu-system-x86_64 --version | head -n 1 | sed 's/.*version //'), -smp 1 -m ${VM_MEM:-384};" \
            "host: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
            "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; $(date -u +%Y-%m-%dT%H:%MZ)"
        if [ -n "$ICOUNT" ]; then
            echo "clock: -icount shift=$ICOUNT,sleep=on (guest time: $((1 << ICOUNT)) ns per instruction while running)"
        else
            echo "clock: the host's (plain TCG: emulation speed, moves with the host's load)"
        fi
    } >"$work/about"
    t_boot=$SECONDS
    for ((n = 1; n <= boots; n++)); do
        for kind in $KINDS; do
            for cse in $CASES; do
                # Rotate which image boots first.
                round=$((round + 1))
                case $((round % 3)) in
                    0) variants="with without drivers" ;;
                    1) variants="without drivers with" ;;
                    *) variants="drivers with without" ;;
                esac
                for variant in $variants; do
                    one_boot "$kind" "$variant" "$cse" "$n" || failed=$((failed + 1))
                done
            done
        done
    done
    vm_say "booted in $((SECONDS - t_boot)) s, $((SECONDS - t_start)) s in all; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
    report
    if [ "$failed" -gt 0 ]; then
        echo "bootcost.sh: $failed boot(s) failed (left out of the figures)" >&2
        return 1
    fi
}

main "$@"
