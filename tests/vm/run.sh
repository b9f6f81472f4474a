#!/usr/bin/env bash
# Boots osconf for real: a Debian kernel, a dracut or initramfs-tools initramfs
# with our module or hooks, a busybox root on a virtio disk and a config CD, in
# QEMU (TCG unless OSCONF_VM_ACCEL says otherwise); then reads the disk image
# back with debugfs and e2fsck and the serial console for the osconf: lines.
#
#   bash tests/vm/run.sh [all]          every scenario
#   bash tests/vm/run.sh NAME...        some of them (see: run.sh list)
#   bash tests/vm/run.sh list           the scenarios, one line each
#   bash tests/vm/run.sh demo           one boot with examples/os.conf, shown
#   bash tests/vm/run.sh matrix [...]   real Debian 12 roots: tests/vm/matrix.sh
#
# Needs what scripts/setup.sh installs (qemu-system-x86, linux-image-cloud-amd64,
# dracut-core, initramfs-tools-core, busybox-static, e2fsprogs, xorriso, socat).
# Prints one PASS or FAIL line per scenario, then "N passed, M failed"; exits 1
# when any failed.
#
# Environment:
#   OSCONF_BIN         the osconf binary to put into the images (default: a
#                      fresh `cargo build --release --target x86_64-unknown-linux-musl`)
#   OSCONF_VM_KVER     the kernel under test (default: newest /boot/vmlinuz-*-cloud-amd64)
#   OSCONF_VM_ACCEL    tcg (default), kvm, or auto (kvm when a probe boot of
#                      the kernel reaches its panic within 15 s, else tcg).
#                      /dev/kvm on some hosts exists but hangs a stock kernel,
#                      so KVM is never picked without being asked.
#   OSCONF_VM_JOBS     boots run at once (default 2)
#   OSCONF_VM_TIMEOUT  hard limit for one boot, seconds (default 180)
#   OSCONF_VM_DIR      work dir (default build/vm; every file is rebuilt each run)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${OSCONF_VM_DIR:-$repo/build/vm}
# shellcheck source=tests/vm/lib.sh
. "$repo/tests/vm/lib.sh"

# The root is mounted read-only unless the kernel command line says rw (both
# initramfs systems); osconf remounts it read-write only for its writes.
ROOT_MODE=ro

# name | initramfs | what it checks
SCENARIOS="
dracut-systemd|dracut-systemd|dracut with its systemd module (hooks run from dracut-pre-pivot.service): every file right, / back to ro, fs clean
dracut-shell|dracut-shell|dracut without systemd (the shell init): every file right, / back to ro, fs clean
initramfs-tools|initramfs-tools|initramfs-tools (Debian/Ubuntu) with initramfs-hooks/: every file right, / back to ro, fs clean
late-cd|dracut-shell|the CD's medium is inserted (QMP) 2 s after osconf started waiting, osconf.timeout=30: found and applied
late-cd-initramfs-tools|initramfs-tools|the same through initramfs-tools
mount|dracut-shell-isofs|isofs.ko added to the image and loaded by a hook before osconf's: osconf mounts the CD read-only, every file right
garbage|dracut-shell|os.conf partly invalid: DNS and eth0 applied; hostname, password, eth1 each skipped with one line
garbage-initramfs-tools|initramfs-tools|the same through initramfs-tools (log_warning_msg for the exit code)
no-cd|dracut-shell|no CD drive: boot completes, nothing written, osconf costs at most 1.5 s (kernel timestamps)
empty-drive|dracut-shell|an empty CD-ROM drive that never gets a medium, osconf.timeout=2: waits 2 s, boot completes, nothing written
no-cd-initramfs-tools|initramfs-tools|the same through initramfs-tools
disable|dracut-shell|osconf.disable on the kernel command line: nothing written
disable-initramfs-tools|initramfs-tools|the same through initramfs-tools
rw-root|dracut-shell|rw on the kernel command line: applied without a remount, / stays rw
debug|dracut-shell|quiet osconf.debug: the kernel log's info lines stay off the console, osconf's lines reach it through stderr; every file right
unreadable-cd|dracut-shell|a config-2 CD whose os.conf lies past the end of the medium: one line, boot completes, nothing written
no-shadow|dracut-shell|a root without /etc/shadow: one line for it, everything else applied, boot completes
second-boot|dracut-shell|boot, then root's password changed on the disk (as passwd would), boot again with the same CD: the user's hash stays, the network is applied again
"

# Scenarios that fail because of a known bug in osconf, with the reason: a
# failure prints XFAIL and counts as skipped, a pass says the entry can go.
KNOWN_BUGS="
"

scenario_names() { awk -F'|' 'NF { print $1 }' <<<"$SCENARIOS"; }
scenario_field() { awk -F'|' -v n="$1" -v f="$2" '$1 == n { print $f }' <<<"$SCENARIOS"; }

usage() { sed -n '2,29s/^# \{0,1\}//p' "$0"; }

# ---------------------------------------------------------------------------
# Checks. Each prints "ok: ..." or "FAIL: ..."; a scenario passes when no
# check failed ($fails stays 0).

fails=0
ok() { echo "    ok: $*"; }
bad() {
    echo "    FAIL: $*"
    fails=$((fails + 1))
}

# check_file PATH WANT_FILE: PATH in the disk image has exactly WANT_FILE's bytes.
check_file() {
    local got=$d/got${1//\//_}
    if ! vm_dump "$d/root.img" "$1" "$got"; then
        bad "$1: missing on the disk"
    elif cmp -s "$got" "$2"; then
        ok "$1 as expected"
    else
        bad "$1 differs (< want, > got):"
        diff "$2" "$got" | sed 's/^/        /' || true
    fi
}

check_absent() {
    if vm_dump "$d/root.img" "$1" "$d/got${1//\//_}"; then
        bad "$1 exists on the disk"
    else
        ok "$1 absent"
    fi
}

# check_log TEXT: the console holds TEXT (fixed string) exactly once.
check_log() {
    local n
    n=$(grep -cF -- "$1" "$d/console.log" || true)
    if [ "$n" -eq 1 ]; then ok "console: $1"; else bad "console has $n lines with: $1"; fi
}

# check_log_some TEXT: at least once (dracut's warn prints to the kernel log
# and to the console).
check_log_some() {
    if grep -qF -- "$1" "$d/console.log"; then ok "console: $1"; else bad "console lacks: $1"; fi
}

check_no_log() {
    if grep -qF -- "$1" "$d/console.log"; then bad "console has: $1"; else ok "console lacks: $1"; fi
}

# The boot went to the end of our init, the root was mounted as MODE when the
# root's init started, and the filesystem is clean.
check_boot() {
    local mode=$1 line
    if [ "$qemu_rc" -ne 0 ]; then
        bad "qemu exited with $qemu_rc (124: timeout)"
    else
        ok "qemu exited 0"
    fi
    if grep -qx 'vmtest: done, powering off' "$d/console.log"; then ok "the root's init ran to the end"; else bad "the root's init did not finish"; fi
    line=$(grep '^vmtest: root mount: ' "$d/console.log" | head -n 1 || true)
    if [[ $line =~ ^vmtest:\ root\ mount:\ [^\ ]+\ /\ ext4\ ${mode}[,\ ] ]]; then
        ok "/ was mounted $mode when the root's init started"
    else
        bad "/ not mounted $mode at init: ${line:-no line}"
    fi
    if e2fsck -fn "$d/root.img" >"$d/e2fsck.log" 2>&1; then ok "e2fsck -fn: clean"; else bad "e2fsck -fn: not clean (see $d/e2fsck.log)"; fi
}

# No password hash (nor its salt) on the console, in any scenario.
check_no_secret() {
    local h needle
    for h in "$example_hash" "$(sed -n 's/^password=//p' "$repo/tests/vm/garbage.os.conf")"; do
        # A crypt hash's salt (the part a log line could least hide), else the value.
        needle=$(cut -s -d'$' -f3 <<<"$h")
        needle=${needle:-$h}
        if grep -qF -- "$needle" "$d"/console*.log; then
            bad "the console shows a password hash or its salt"
            return
        fi
    done
    ok "no password hash on the console"
}

# With ro on the command line osconf says it remounted the root and put it
# back; with rw it does not remount.
check_remount() {
    if [ "$ROOT_MODE" = ro ]; then
        check_log "osconf: the root is mounted read-only: remounted read-write for the writes"
        check_log "osconf: the root is read-only again"
    else
        check_no_log "osconf: the root is mounted read-only"
    fi
}

# Every file written from examples/os.conf, exactly.
check_configured() {
    check_file /etc/hostname "$want/configured/hostname"
    check_file /etc/hosts "$want/configured/hosts"
    check_file /etc/resolv.conf "$want/configured/resolv.conf"
    check_file /etc/sysconfig/network "$want/configured/network"
    check_file /etc/sysconfig/network-scripts/ifcfg-eth0 "$want/configured/ifcfg-eth0"
    check_shadow "$example_hash"
    check_attrs
}

# Owner, mode and SELinux labels as staged (tests/vm/lib.sh), read back with debugfs.
check_attrs() {
    local st label
    st=$(debugfs -R "stat /etc/shadow" "$d/root.img" 2>/dev/null)
    if grep -qE 'Mode: +0640' <<<"$st" && grep -qE 'User: +0 +Group: +42 ' <<<"$st"; then
        ok "/etc/shadow: mode 0640, root:42 kept"
    else
        bad "/etc/shadow: mode or owner changed: $(grep -E 'Mode|User' <<<"$st" | tr -s ' ')"
    fi
    for f in /etc/shadow:shadow_t /etc/sysconfig/network-scripts/ifcfg-eth0:net_conf_t; do
        label=$(debugfs -R "ea_get ${f%%:*} security.selinux" "$d/root.img" 2>/dev/null)
        if [[ $label == *"system_u:object_r:${f#*:}:s0"* ]]; then
            ok "${f%%:*}: SELinux label ${f#*:}"
        else
            bad "${f%%:*}: SELinux label is not ${f#*:}: ${label:-none}"
        fi
    done
}

# check_shadow HASH: root's 2nd field is HASH, its 3rd today (guest clock ==
# host clock), the rest of the file as staged.
check_shadow() {
    local got=$d/got_etc_shadow today line
    if ! vm_dump "$d/root.img" /etc/shadow "$got"; then
        bad "/etc/shadow: missing on the disk"
        return
    fi
    today=$(($(date +%s) / 86400))
    line=$(grep '^root:' "$got" || true)
    case $line in
        "root:$1:$today:0:99999:7:::" | "root:$1:$((today - 1)):0:99999:7:::")
            ok "/etc/shadow: root's hash is the os.conf hash, last change today" ;;
        *) bad "/etc/shadow: root's line is not root:<os.conf hash>:$today:0:99999:7:::" ;;
    esac
    if diff <(grep -v '^root:' "$stage/etc/shadow") <(grep -v '^root:' "$got") >/dev/null; then
        ok "/etc/shadow: other lines kept"
    else
        bad "/etc/shadow: other lines changed"
    fi
}

# Nothing written: every file as staged.
check_pristine() {
    local f
    for f in /etc/hostname /etc/hosts /etc/resolv.conf /etc/sysconfig/network /etc/shadow; do
        check_file "$f" "$stage$f"
    done
    check_absent /etc/sysconfig/network-scripts/ifcfg-eth0
}

# osconf's cost in kernel time: from the test mark written just before it runs
# to its last log line. Sets osconf_ms.
measure_osconf() {
    local mark last
    mark=$(vm_ts "$d/console.log" ', osconf next')
    last=$(vm_ts "$d/console.log" '] osconf: ' last)
    if [ -n "$mark" ] && [ -n "$last" ]; then
        osconf_ms=$(vm_ms_between "$mark" "$last")
        info+=("osconf ${osconf_ms} ms in kernel time (mark ${mark} s -> last osconf line ${last} s)")
    else
        osconf_ms=
        bad "cannot time osconf: no mark or no osconf line on the console"
    fi
}

# ---------------------------------------------------------------------------
# Scenarios. Each runs in its own subshell with $d (its dir, holding a fresh
# copy of the root image), boots, checks, and prints one PASS/FAIL line.

cmdline() { echo "$ROOT_MODE $*"; }

boot() {
    local initrd=$1 append=$2
    shift 2
    qemu_rc=0
    vm_boot "$d" "$work/$initrd.img" "$append" "$@" || qemu_rc=$?
}

run_scenario() {
    local name=$1 initrd t0 t1
    initrd=$(scenario_field "$name" 2)
    d=$work/run/$name
    rm -rf "$d"
    mkdir -p "$d"
    cp --sparse=always "$work/root.img" "$d/root.img"
    info=()
    t0=$(date +%s.%N)
    case $name in
        dracut-systemd | dracut-shell | initramfs-tools | mount)
            boot "$initrd" "$(cmdline)" -cdrom "$work/config.iso"
            check_boot "$ROOT_MODE"
            check_log "osconf: found the config CD at /dev/sr0"
            if [ "$name" = mount ]; then
                # The kernel has iso9660 (loaded before osconf ran): the CD is mounted.
                check_log "osconf: read qcloud_action/os.conf from /dev/sr0 (mounted read-only"
            else
                # A distribution kernel's isofs is a module, and nothing loads it:
                # osconf reads the ISO itself (no mount tried, no module loaded).
                check_log "osconf: read qcloud_action/os.conf from /dev/sr0 (built-in ISO reader, Rock Ridge names"
                check_no_log "osconf: could not mount"
            fi
            check_remount
            check_no_log "exited with"
            check_configured
            measure_osconf
            ;;
        rw-root)
            boot "$initrd" "rw" -cdrom "$work/config.iso"
            check_boot rw
            check_no_log "osconf: the root is mounted read-only"
            check_configured
            measure_osconf
            ;;
        late-cd | late-cd-initramfs-tools)
            boot_late_cd "$initrd" "$(cmdline osconf.timeout=30)"
            check_boot "$ROOT_MODE"
            local waited
            waited=$(sed -n 's/.*osconf: found the config CD at \/dev\/sr0 after \([0-9]*\) ms$/\1/p' "$d/console.log")
            if [ -n "$waited" ] && [ "$waited" -ge 1500 ]; then
                ok "osconf waited ${waited} ms for the medium, then found it"
            else
                bad "osconf did not find the late CD after waiting (found after: ${waited:-never})"
            fi
            check_configured
            ;;
        garbage | garbage-initramfs-tools)
            boot "$initrd" "$(cmdline)" -cdrom "$work/garbage.iso"
            check_boot "$ROOT_MODE"
            check_log "osconf: hostname (line 3): contains a character not allowed here; hostname left unchanged"
            check_log "osconf: password (line 4): not a crypt(3) hash"
            check_log "osconf: eth1_ip_addr (line 12): not an IPv4 address; network for eth1 skipped"
            check_log "osconf: os.conf line 5: not a key=value line; ignored"
            check_log_some "osconf: exited with 1; boot continues"
            local n
            n=$(grep -cE 'osconf: .*(left unchanged|skipped)' "$d/console.log" || true)
            if [ "$n" -eq 3 ]; then ok "3 skipped sections, 3 lines"; else bad "$n skip lines, want 3"; fi
            check_file /etc/resolv.conf "$want/garbage/resolv.conf"
            check_file /etc/sysconfig/network-scripts/ifcfg-eth0 "$want/garbage/ifcfg-eth0"
            check_file /etc/hostname "$stage/etc/hostname"
            check_file /etc/hosts "$stage/etc/hosts"
            check_file /etc/sysconfig/network "$stage/etc/sysconfig/network"
            check_file /etc/shadow "$stage/etc/shadow"
            ;;
        empty-drive)
            boot "$initrd" "$(cmdline osconf.timeout=2)" -drive if=ide,media=cdrom,id=cd0
            check_boot "$ROOT_MODE"
            check_log "osconf: no config CD found after"
            check_pristine
            measure_osconf
            # An empty drive may still get its medium: osconf waits the whole
            # osconf.timeout (2 s here, 5 s by default), not just the grace.
            local waited
            waited=$(sed -n 's/.*osconf: no config CD found after \([0-9]*\) ms.*/\1/p' "$d/console.log")
            if [ -n "$waited" ] && [ "$waited" -ge 2000 ] && [ "$waited" -lt 3000 ]; then
                ok "osconf waited ${waited} ms for the empty drive (osconf.timeout=2)"
            else
                bad "osconf waited ${waited:-?} ms for the empty drive, want 2000-2999 (osconf.timeout=2)"
            fi
            ;;
        no-cd | no-cd-initramfs-tools)
            boot "$initrd" "$(cmdline)"
            check_boot "$ROOT_MODE"
            check_log "osconf: no config CD found after"
            check_log "(no CD-ROM drive); nothing to do"
            check_pristine
            measure_osconf
            if [ -n "$osconf_ms" ] && [ "$osconf_ms" -le 1500 ]; then
                ok "osconf cost ${osconf_ms} ms without a CD (<= 1500)"
            else
                bad "osconf cost ${osconf_ms:-?} ms without a CD (> 1500)"
            fi
            ;;
        disable | disable-initramfs-tools)
            boot "$initrd" "$(cmdline osconf.disable)" -cdrom "$work/config.iso"
            check_boot "$ROOT_MODE"
            check_log "osconf: disabled by osconf.disable on the kernel command line; nothing done"
            check_pristine
            ;;
        debug)
            boot "$initrd" "$(cmdline quiet osconf.debug)" -cdrom "$work/config.iso"
            check_boot "$ROOT_MODE"
            # Echoed to stderr: the line without the kernel's "[ seconds ]" prefix.
            if grep -qx 'osconf: read qcloud_action/os.conf from /dev/sr0 (built-in ISO reader, Rock Ridge names, [0-9]* bytes)' "$d/console.log"; then
                ok "osconf.debug: osconf's lines on the console through stderr"
            else
                bad "osconf.debug: no osconf line from stderr on the console"
            fi
            check_configured
            ;;
        unreadable-cd)
            boot "$initrd" "$(cmdline)" -cdrom "$work/unreadable.iso"
            check_boot "$ROOT_MODE"
            check_log "osconf: cannot read os.conf from the config CD: read error on the CD or image (truncated?); nothing applied"
            check_log_some "osconf: exited with 1; boot continues"
            check_pristine
            ;;
        no-shadow)
            debugfs -w -R "rm /etc/shadow" "$d/root.img" >/dev/null 2>&1
            boot "$initrd" "$(cmdline)" -cdrom "$work/config.iso"
            check_boot "$ROOT_MODE"
            check_log "osconf: /etc/shadow does not exist; root password left unchanged"
            check_log_some "osconf: exited with 1; boot continues"
            check_absent /etc/shadow
            check_file /etc/hostname "$want/configured/hostname"
            check_file /etc/sysconfig/network-scripts/ifcfg-eth0 "$want/configured/ifcfg-eth0"
            check_file /etc/resolv.conf "$want/configured/resolv.conf"
            ;;
        second-boot)
            boot "$initrd" "$(cmdline)" -cdrom "$work/config.iso"
            check_boot "$ROOT_MODE"
            check_configured
            # The user's own passwd and a DHCP ifcfg, written on the disk between boots.
            # shellcheck disable=SC2016 # a crypt hash, not an expansion
            local mine='$6$usersalt$usersOwnHashFromPasswd'
            vm_dump "$d/root.img" /etc/shadow "$d/shadow.1"
            sed "s|^root:[^:]*:|root:$mine:|" "$d/shadow.1" >"$d/shadow.user"
            printf 'DEVICE=eth0\nBOOTPROTO=dhcp\n' >"$d/ifcfg.user"
            debugfs -w -f - "$d/root.img" >/dev/null 2>&1 <<DEBUGFS
rm /etc/shadow
write $d/shadow.user /etc/shadow
rm /etc/sysconfig/network-scripts/ifcfg-eth0
write $d/ifcfg.user /etc/sysconfig/network-scripts/ifcfg-eth0
DEBUGFS
            mv "$d/console.log" "$d/console.1.log"
            boot "$initrd" "$(cmdline)" -cdrom "$work/config.iso"
            check_boot "$ROOT_MODE"
            check_log "osconf: password: the CD's is the one applied on an earlier boot (/etc/osconf.state); the system's own is kept (osconf.force applies it again)"
            check_file /etc/shadow "$d/shadow.user"
            check_file /etc/sysconfig/network-scripts/ifcfg-eth0 "$want/configured/ifcfg-eth0"
            ;;
        *)
            bad "no such scenario"
            ;;
    esac
    check_no_secret
    t1=$(date +%s.%N)
    local secs
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    echo "$secs" >"$d/wall"
    if [ "$fails" -eq 0 ]; then
        echo "PASS $name (${secs} s)${info:+; ${info[*]}}"
    else
        echo "FAIL $name (${secs} s, $fails failed checks; console: ${d#"$repo"/}/console.log)${info:+; ${info[*]}}"
        return 1
    fi
}

# The drive exists but is empty at boot; its medium is inserted through QMP 2 s
# after the test mark says osconf is starting.
boot_late_cd() {
    local initrd=$1 append=$2 pid i
    qemu_rc=0
    vm_boot "$d" "$work/$initrd.img" "$append" \
        -drive if=ide,media=cdrom,id=cd0 \
        -qmp "unix:$d/qmp.sock,server=on,wait=off" &
    pid=$!
    for ((i = 0; i < 10 * ${OSCONF_VM_TIMEOUT:-180}; i++)); do
        grep -qF ', osconf next' "$d/console.raw" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 2
    vm_qmp "$d/qmp.sock" \
        "{\"execute\":\"blockdev-change-medium\",\"arguments\":{\"device\":\"cd0\",\"filename\":\"$work/config.iso\",\"format\":\"raw\"}}" \
        >"$d/qmp.log" 2>&1 || true
    wait "$pid" || qemu_rc=$?
}

# One boot of the sample config CD through the dracut shell image, shown
# rather than checked: the osconf: lines from the console and the files from
# the disk afterwards (the hash masked). Fails only when the boot does.
demo_boot() {
    local f t0=$SECONDS
    d=$work/run/demo
    rm -rf "$d"
    mkdir -p "$d"
    cp --sparse=always "$work/root.img" "$d/root.img"
    echo "### booting: dracut (shell init) with 50osconf, kernel $kver, root=/dev/vda $ROOT_MODE, -cdrom config.iso (examples/os.conf), $accel"
    qemu_rc=0
    boot dracut-shell "$(cmdline)" -cdrom "$work/config.iso"
    echo "(qemu exited with $qemu_rc after $((SECONDS - t0)) s)"
    echo
    echo "### the console: osconf's lines, and / as the root's init found it"
    grep -E '(\] osconf: |^vmtest: root mount: )' "$d/console.log" | sed -E 's/\$[0-9a-z]+\$[^: ]*/<hash>/g'
    echo
    echo "### the disk afterwards (debugfs; e2fsck -fn: $(e2fsck -fn "$d/root.img" >/dev/null 2>&1 && echo clean || echo NOT clean))"
    for f in /etc/hostname /etc/hosts /etc/resolv.conf /etc/sysconfig/network \
        /etc/sysconfig/network-scripts/ifcfg-eth0 /etc/shadow; do
        echo "--- $f"
        debugfs -R "cat $f" "$d/root.img" 2>/dev/null | sed -E 's/^(root:)[^:]*/\1<hash>/'
    done
    [ "$qemu_rc" -eq 0 ] && grep -qx 'vmtest: done, powering off' "$d/console.log"
}

# ---------------------------------------------------------------------------
# Build: everything under $work, once per run.

need() {
    local missing=() c
    for c in qemu-system-x86_64 dracut mkinitramfs xorriso mke2fs debugfs e2fsck socat timeout; do
        command -v "$c" >/dev/null || missing+=("$c")
    done
    [ -x /bin/busybox ] || missing+=(/bin/busybox)
    [ -n "$kver" ] && [ -f "/boot/vmlinuz-$kver" ] || missing+=("/boot/vmlinuz-${kver:-*}")
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "run.sh: missing: ${missing[*]}; run: bash scripts/setup.sh --no-demo" >&2
        exit 1
    fi
}

build_expected() {
    want=$work/want
    rm -rf "$want"
    mkdir -p "$want/configured" "$want/garbage"
    printf 'VM-0-7-centos\n' >"$want/configured/hostname"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.7\tVM-0-7-centos\n' \
        >"$want/configured/hosts"
    printf 'search localdomain\nnameserver 183.60.83.19\nnameserver 183.60.82.98\n' >"$want/configured/resolv.conf"
    printf 'NETWORKING=yes\nHOSTNAME=VM-0-7-centos\n' >"$want/configured/network"
    ifcfg() {
        printf '%s\n' \
            '# Generated by osconf from the config CD (qcloud_action/os.conf); rewritten at every boot.' \
            DEVICE=eth0 HWADDR=52:54:00:e1:96:eb TYPE=Ethernet BOOTPROTO=none ONBOOT=yes \
            IPADDR=10.0.0.7 PREFIX=22 GATEWAY=10.0.0.1 "DNS1=$1" "DNS2=$2"
    }
    ifcfg 183.60.83.19 183.60.82.98 >"$want/configured/ifcfg-eth0"
    ifcfg 8.8.8.8 8.8.4.4 >"$want/garbage/ifcfg-eth0"
    printf 'search localdomain\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n' >"$want/garbage/resolv.conf"
    example_hash=$(sed -n 's/^password=//p' "$repo/examples/os.conf")
}

build_initrd() {
    local t0=$SECONDS
    case $1 in
        dracut-shell) vm_dracut "$work/$1.img" "base udev-rules rootfs-block osconf vmtestmark" ;;
        dracut-shell-isofs)
            vm_hook_module "$work/dracut-base" vmtestisofs 60 "modprobe isofs" \
                "loads isofs before the osconf hook (pre-pivot 70), as an image whose own hooks load it would"
            vm_dracut "$work/$1.img" "base udev-rules rootfs-block osconf vmtestmark vmtestisofs" --filesystems isofs
            if ! lsinitrd "$work/$1.img" 2>/dev/null | grep '/isofs\.ko' >/dev/null; then
                echo "run.sh: $1.img lacks isofs.ko" >&2
                return 1
            fi
            ;;
        dracut-systemd)
            vm_dracut "$work/$1.img" "systemd-initrd dracut-systemd base udev-rules rootfs-block osconf vmtestmark"
            ;;
        initramfs-tools) vm_mkinitramfs "$work/$1.img" ;;
        *)
            echo "run.sh: unknown initramfs $1" >&2
            return 1
            ;;
    esac
    vm_say "built $1.img ($(($(stat -c %s "$work/$1.img") / 1024)) KiB) in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------

main() {
    local selected=() n demo=no
    case "${1:-all}" in
        -h | --help)
            usage
            return 0
            ;;
        list)
            awk -F'|' 'NF { printf "%-22s %s\n", $1, $3 }' <<<"$SCENARIOS"
            return 0
            ;;
        matrix)
            shift
            exec bash "$repo/tests/vm/matrix.sh" "$@"
            ;;
        all) mapfile -t selected < <(scenario_names) ;;
        demo)
            demo=yes
            selected=(dracut-shell)
            ;;
        *)
            for n in "$@"; do
                if [ -z "$(scenario_field "$n" 1)" ]; then
                    echo "run.sh: no scenario $n (try: run.sh list)" >&2
                    return 2
                fi
                selected+=("$n")
            done
            ;;
    esac

    kver=$(vm_pick_kernel)
    need
    accel=$(vm_pick_accel)
    local t_start=$SECONDS
    mkdir -p "$work"
    vm_osconf_bin || return 1
    vm_say "kernel $kver, accel $accel, binary $osconf_bin, work dir ${work#"$repo"/}"

    stage=$work/root
    vm_stage_root "$stage"
    vm_root_image "$stage" "$work/root.img" >/dev/null
    vm_iso "$repo/examples/os.conf" "$work/config.iso"
    vm_iso "$repo/tests/vm/garbage.os.conf" "$work/garbage.iso"
    # The same CD cut off where os.conf's bytes start: the volume and its directories
    # read fine, the file does not.
    local off
    off=$(grep -abo 'hostname=' "$work/config.iso" | head -n 1 | cut -d: -f1)
    head -c $((off / 2048 * 2048)) "$work/config.iso" >"$work/unreadable.iso"
    build_expected
    vm_dracut_base
    local initrds
    initrds=$(for n in "${selected[@]}"; do scenario_field "$n" 2; done | sort -u)
    for n in $initrds; do build_initrd "$n"; done
    if [ "$demo" = yes ]; then
        demo_boot
        return
    fi
    vm_say "built everything in $((SECONDS - t_start)) s; booting ${#selected[@]} scenario(s), ${OSCONF_VM_JOBS:-2} at a time"

    local t_boot=$SECONDS passed=0 failed=0 skipped=0 running=0 pid
    local -A name_of=()
    rm -rf "$work/run"
    mkdir -p "$work/run"
    for n in "${selected[@]}"; do
        run_scenario "$n" >"$work/run/$n.out" 2>&1 &
        name_of[$!]=$n
        running=$((running + 1))
        while [ "$running" -ge "${OSCONF_VM_JOBS:-2}" ]; do
            reap
        done
    done
    while [ "$running" -gt 0 ]; do
        reap
    done
    vm_summary "$t_boot" "$t_start" "$passed" "$failed" "$skipped"
}

# Waits for one scenario and prints its result (its checks too when it failed).
reap() {
    local rc=0 n bug
    wait -n -p pid || rc=$?
    n=${name_of[$pid]}
    running=$((running - 1))
    bug=$(awk -F'|' -v n="$n" '$1 == n { print $2 }' <<<"$KNOWN_BUGS")
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        grep -E '^(PASS|FAIL) ' "$work/run/$n.out"
        [ -z "$bug" ] || echo "    (listed in KNOWN_BUGS but passed: remove it from tests/vm/run.sh)"
    elif [ -n "$bug" ]; then
        skipped=$((skipped + 1))
        grep -E '^FAIL ' "$work/run/$n.out" | sed 's/^FAIL /XFAIL /'
        echo "    known bug: $bug"
    else
        failed=$((failed + 1))
        cat "$work/run/$n.out"
        grep -qE '^FAIL ' "$work/run/$n.out" || echo "FAIL $n (the scenario stopped early; see above)"
    fi
}

main "$@"
