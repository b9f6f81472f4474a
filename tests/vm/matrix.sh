#!/usr/bin/env bash
# Real boots: Debian 12 roots (debootstrap, one per network stack) booted
# through each initramfs with the config CD; a oneshot unit in the root
# (osconf-vmcheck.service, after network-online.target) prints vmcheck: lines
# to the serial console and powers off; the checks read those lines.
#
#   bash tests/vm/matrix.sh                  every cell: stack x initramfs
#   bash tests/vm/matrix.sh CELL|STACK|INITRD...  some (e.g. networkd/dracut-shell, nm)
#   bash tests/vm/matrix.sh list             the cells
#   (bash tests/vm/run.sh matrix [...] runs this too)
#
# Stacks: networkd, nm, netplan, ifupdown. Initramfs: dracut-shell,
# initramfs-tools, dracut-systemd. The roots are cached under
# build/vm/cache (first build: debootstrap from deb.debian.org, a few minutes
# each, in parallel); the initramfs images are rebuilt at each run.
# Prints one PASS/FAIL line per cell (XFAIL: a known osconf bug, see
# KNOWN_BUGS), a table, then "N passed, M failed[, K skipped]"; exits 1 when
# any failed.
#
# Environment: as run.sh (OSCONF_BIN, OSCONF_VM_KVER, OSCONF_VM_ACCEL,
# OSCONF_VM_JOBS, OSCONF_VM_DIR), plus OSCONF_VM_TIMEOUT (default 600 here:
# a systemd boot under TCG) and OSCONF_VM_DEB_MIRROR.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${OSCONF_VM_DIR:-$repo/build/vm}
# shellcheck source=tests/vm/lib.sh
. "$repo/tests/vm/lib.sh"
# shellcheck source=tests/vm/debian.sh
. "$repo/tests/vm/debian.sh"

INITRDS="dracut-shell initramfs-tools dracut-systemd"
export OSCONF_VM_TIMEOUT=${OSCONF_VM_TIMEOUT:-600}
# Booted as a distribution boots: predictable interface names, enough memory
# for systemd and NetworkManager.
export VM_NET_IFNAMES="" VM_MEM=1024

# The format osconf must pick for each stack's root.
want_format() {
    case $1 in
        ifupdown) echo eni ;;
        *) echo "$1" ;;
    esac
}

# Cells that fail because of a known bug in osconf, with the reason: a failure
# prints XFAIL and counts as skipped, a pass says the entry can go (as in run.sh).
KNOWN_BUGS="
"

# The values of examples/os.conf as the booted system must show them.
WANT_ADDR=10.0.0.7/22
WANT_GW=10.0.0.1
WANT_HOST=VM-0-7-centos

usage() { sed -n '2,24s/^# \{0,1\}//p' "$0"; }

cells() {
    local s i
    for s in $DEB_STACKS; do
        for i in $INITRDS; do echo "$s/$i"; done
    done
}

fails=0
ok() { echo "    ok: $*"; }
bad() {
    echo "    FAIL: $*"
    fails=$((fails + 1))
}

# vc KEY: the values of the "vmcheck: KEY: ..." lines, one a line.
vc() { sed -n "s/^vmcheck: $1: //p" "$d/console.log"; }

run_cell() {
    local cell=$1 stack=${1%/*} initrd=${1#*/} t0 secs ifname line n
    d=$work/matrix/${cell//\//-}
    rm -rf "$d"
    mkdir -p "$d"
    cp --sparse=always "${root_img[$stack]}" "$d/root.img"
    t0=$(date +%s.%N)
    qemu_rc=0
    vm_boot "$d" "$work/$initrd.img" "ro" -cdrom "$work/config.iso" || qemu_rc=$?
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
    local info=()

    if [ "$qemu_rc" -eq 0 ]; then ok "qemu exited 0"; else bad "qemu exited with $qemu_rc (124: timeout)"; fi
    if grep -qx 'vmcheck: done, powering off' "$d/console.log"; then
        ok "osconf-vmcheck.service ran to the end"
    else
        bad "no 'vmcheck: done' line: the root did not reach osconf-vmcheck.service"
    fi
    # osconf in the initramfs.
    if grep -qF "osconf: read qcloud_action/os.conf from /dev/sr0" "$d/console.log"; then
        ok "osconf read the CD"
    else
        bad "osconf did not read the CD"
    fi
    line=$(grep -o 'osconf: network: .*' "$d/console.log" | head -n 1 || true)
    info+=("${line:-no osconf network line}")
    if [[ $line == "osconf: network: writing $(want_format "$stack") config"* ]]; then
        ok "$line"
    else
        bad "osconf did not write $(want_format "$stack"): ${line:-no 'osconf: network:' line}"
    fi
    grep -o 'osconf: \(created\|updated\|removed\|disabled\) .*' "$d/console.log" | sed 's/^/    log: /' || true

    # The booted system.
    line=$(sed -n 's/^vmcheck: start at uptime //p' "$d/console.log" | head -n 1)
    info+=("vmcheck at uptime ${line:-(never ran)} s")
    ifname=$(vc nic | awk -v m="$VM_MAC" '$2 == m { print $1; exit }')
    if [ -z "$ifname" ]; then
        bad "no NIC with MAC $VM_MAC"
    else
        info+=("NIC $ifname")
        if [[ $ifname == eth* ]]; then bad "NIC $ifname: not a predictable name"; else ok "NIC $VM_MAC is $ifname"; fi
        n=$(vc ip | awk -v i="$ifname" '$1 == i' | tr '\n' ' ')
        if [ "${n% }" = "$ifname $WANT_ADDR" ]; then
            ok "$ifname holds $WANT_ADDR and nothing else"
        else
            bad "$ifname's IPv4 addresses: '${n% }', want '$ifname $WANT_ADDR' only"
        fi
        n=$(vc route | grep '^default ' || true)
        if [[ $n == "default via $WANT_GW dev $ifname"* ]] && [ "$(wc -l <<<"$n")" -eq 1 ]; then
            ok "one default route: $n"
        else
            bad "default route(s): '${n//$'\n'/; }', want one via $WANT_GW dev $ifname"
        fi
    fi
    if [ "$(vc hostname)" = "$WANT_HOST" ]; then ok "hostname $WANT_HOST"; else bad "hostname: '$(vc hostname)', want $WANT_HOST"; fi
    if [ "$(vc etc-hostname)" = "$WANT_HOST" ]; then ok "/etc/hostname $WANT_HOST"; else bad "/etc/hostname: '$(vc etc-hostname)'"; fi
    if [ "$(vc shadow)" = "$want_sha" ]; then
        ok "/etc/shadow: root's hash is the CD's (sha256)"
    elif [ "$(vc shadow)" = "$before_sha" ]; then
        bad "/etc/shadow: root's hash unchanged (the root's own)"
    else
        bad "/etc/shadow: root's hash is neither the CD's nor the old one: '$(vc shadow)'"
    fi
    if [ "$(vc getent)" = "$want_sha" ]; then ok "getent shadow root: the CD's hash (sha256)"; else bad "getent shadow root: sha256 '$(vc getent)', want the CD's"; fi

    echo "$secs" >"$d/wall"
    if [ "$fails" -eq 0 ]; then
        echo "PASS $cell (${secs} s); ${info[*]}"
    else
        echo "FAIL $cell (${secs} s, $fails failed checks; console: ${d#"$repo"/}/console.log); ${info[*]}"
        return 1
    fi
}

build_initrd() {
    local t0=$SECONDS
    case $1 in
        dracut-shell) vm_dracut "$work/$1.img" "base udev-rules rootfs-block osconf vmtestmark" ;;
        dracut-systemd) vm_dracut "$work/$1.img" "systemd-initrd dracut-systemd base udev-rules rootfs-block osconf vmtestmark" ;;
        initramfs-tools) vm_mkinitramfs "$work/$1.img" ;;
    esac
    # The NIC's driver must be in the image: without it osconf sees no NIC
    # (vm_dracut and vm_mkinitramfs add virtio_net; test images only).
    lsinitramfs "$work/$1.img" >"$work/$1.list" 2>/dev/null || true
    grep -q '/virtio_net\.ko$' "$work/$1.list" || {
        echo "matrix.sh: $1.img lacks virtio_net.ko" >&2
        return 1
    }
    vm_say "built $1.img ($(($(stat -c %s "$work/$1.img") / 1024)) KiB) in $((SECONDS - t0)) s"
}

main() {
    local selected=() a c
    case "${1:-all}" in
        -h | --help)
            usage
            return 0
            ;;
        list)
            cells
            return 0
            ;;
        all) mapfile -t selected < <(cells) ;;
        *)
            for a in "$@"; do
                local hit=no
                for c in $(cells); do
                    if [ "$a" = "$c" ] || [ "$a" = "${c%/*}" ] || [ "$a" = "${c#*/}" ]; then
                        selected+=("$c")
                        hit=yes
                    fi
                done
                if [ "$hit" = no ]; then
                    echo "matrix.sh: no cell, stack or initramfs $a (try: matrix.sh list)" >&2
                    return 2
                fi
            done
            ;;
    esac
    kver=$(vm_pick_kernel)
    accel=$(vm_pick_accel)
    for c in qemu-system-x86_64 dracut mkinitramfs xorriso mke2fs debootstrap lsinitramfs; do
        command -v "$c" >/dev/null || {
            echo "matrix.sh: missing $c; run: bash scripts/setup.sh --no-demo (and apt-get install debootstrap)" >&2
            return 1
        }
    done
    local t_start=$SECONDS
    mkdir -p "$work/cache"
    vm_osconf_bin || return 1
    vm_say "kernel $kver, accel $accel, binary $osconf_bin, work dir ${work#"$repo"/}"

    # The roots, built in parallel when missing.
    local stacks s pids=() t0=$SECONDS
    stacks=$(printf '%s\n' "${selected[@]%/*}" | sort -u)
    declare -gA root_img=()
    for s in $stacks; do
        deb_root "$s" >"$work/cache/root-$s.path" &
        pids+=($!)
    done
    for a in "${pids[@]}"; do wait "$a" || {
        echo "matrix.sh: building a root failed" >&2
        return 1
    }; done
    for s in $stacks; do root_img[$s]=$(cat "$work/cache/root-$s.path"); done
    vm_say "roots ready in $((SECONDS - t0)) s"

    vm_iso "$repo/examples/os.conf" "$work/config.iso"
    want_sha=$(sed -n 's/^password=//p' "$repo/examples/os.conf" | tr -d '\n' | sha256sum | cut -d' ' -f1)
    before_sha=$(printf '%s' "$DEB_ROOT_HASH" | sha256sum | cut -d' ' -f1)
    vm_dracut_base
    for c in $(printf '%s\n' "${selected[@]#*/}" | sort -u); do build_initrd "$c"; done

    local t_boot=$SECONDS running=0 pid passed=0 failed=0 skipped=0
    local -A cell_of=() result=()
    rm -rf "$work/matrix"
    mkdir -p "$work/matrix"
    for c in "${selected[@]}"; do
        run_cell "$c" >"$work/matrix/${c//\//-}.out" 2>&1 &
        cell_of[$!]=$c
        running=$((running + 1))
        while [ "$running" -ge "${OSCONF_VM_JOBS:-2}" ]; do reap; done
    done
    while [ "$running" -gt 0 ]; do reap; done

    echo
    printf '%-10s' stack
    for c in $INITRDS; do printf ' %-18s' "$c"; done
    echo
    for s in $DEB_STACKS; do
        printf '%-10s' "$s"
        for c in $INITRDS; do printf ' %-18s' "${result[$s/$c]:--}"; done
        echo
    done
    vm_summary "$t_boot" "$t_start" "$passed" "$failed" "$skipped"
}

reap() {
    local rc=0 c out bug
    wait -n -p pid || rc=$?
    c=${cell_of[$pid]}
    running=$((running - 1))
    out=$work/matrix/${c//\//-}.out
    bug=$(awk -F'|' -v n="$c" '$1 == n { print $2 }' <<<"$KNOWN_BUGS")
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        grep -E '^PASS ' "$out"
        [ -z "$bug" ] || echo "    (listed in KNOWN_BUGS but passed: remove it from tests/vm/matrix.sh)"
        result[$c]="PASS $(cat "$work/matrix/${c//\//-}/wall" 2>/dev/null) s"
    elif [ -n "$bug" ]; then
        skipped=$((skipped + 1))
        grep -E '^FAIL ' "$out" | sed 's/^FAIL /XFAIL /'
        grep -E '^    FAIL: ' "$out" || true
        echo "    known bug: $bug"
        result[$c]="XFAIL $(cat "$work/matrix/${c//\//-}/wall" 2>/dev/null) s"
    else
        failed=$((failed + 1))
        cat "$out"
        grep -qE '^FAIL ' "$out" || echo "FAIL $c (stopped early; see above)"
        result[$c]="FAIL $(cat "$work/matrix/${c//\//-}/wall" 2>/dev/null) s"
    fi
}

main "$@"
