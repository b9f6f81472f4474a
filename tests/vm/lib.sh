# shellcheck shell=bash
# Helpers for tests/vm/run.sh: build the pieces of a VM boot test (busybox root
# image, config ISO, dracut and initramfs-tools initramfs images), boot one,
# and read the results back from the disk image and the serial console.
# Sourced by run.sh, which sets: repo, work, kver, osconf_bin, accel.
# shellcheck disable=SC2154 # those five

# The MAC of eth0 in examples/os.conf and tests/vm/garbage.os.conf.
VM_MAC=52:54:00:e1:96:eb

vm_say() { echo "vm: $*" >&2; }

# The kernel under test: $OSCONF_VM_KVER, else the newest linux-image-cloud-amd64
# (boots faster under TCG than the generic image and has the virtio, IDE and
# SCSI CD-ROM drivers), else the newest /boot/vmlinuz-*. Not the host's kernel.
vm_pick_kernel() {
    if [ -n "${OSCONF_VM_KVER:-}" ]; then
        echo "$OSCONF_VM_KVER"
        return
    fi
    local k
    k=$(find /boot -maxdepth 1 -name 'vmlinuz-*-cloud-amd64' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$k" ] || k=$(find /boot -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort -V | tail -n 1)
    echo "${k#/boot/vmlinuz-}"
}

# vm_pick_accel: $OSCONF_VM_ACCEL, tcg by default. "auto" tries KVM: the test
# kernel without an initramfs must reach its "VFS: Unable to mount root fs"
# panic and QEMU must exit (panic=-1, -no-reboot) within 15 s; on some hosts
# /dev/kvm exists but a stock kernel hangs there without a console line.
vm_pick_accel() {
    local want=${OSCONF_VM_ACCEL:-tcg} log
    if [ "$want" != auto ]; then
        echo "$want"
        return
    fi
    if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
        log=$(mktemp "${TMPDIR:-/tmp}/osconf-kvm-probe.XXXXXX")
        if timeout --kill-after=2 15 qemu-system-x86_64 -nodefaults -machine pc -accel kvm -m 256 \
            -display none -serial "file:$log" -monitor none -no-reboot \
            -kernel "/boot/vmlinuz-$kver" -append "console=ttyS0 panic=-1" </dev/null >/dev/null 2>&1 &&
            grep -q 'Kernel panic' "$log"; then
            rm -f "$log"
            echo kvm
            return
        fi
        rm -f "$log"
        vm_say "KVM probe: no kernel panic line within 15 s; using TCG"
    fi
    echo tcg
}

# vm_stage_root DIR: a small busybox root. /sbin/init reports to the serial
# console (vmtest: lines), puts / back read-only and powers off.
vm_stage_root() {
    local d=$1 p
    rm -rf "$d"
    mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,root} \
        "$d"/etc/sysconfig/network-scripts
    cp /bin/busybox "$d/bin/busybox"
    # Applet links point at the absolute /bin/busybox, which on this host is
    # the host's busybox: never write through them while staging. /sbin/init
    # is our script, not the applet.
    for p in $(/bin/busybox --list-full); do
        case $p in bin/busybox | sbin/init) continue ;; esac
        mkdir -p "$d/$(dirname "$p")"
        [ -L "$d/$p" ] || ln -s /bin/busybox "$d/$p"
    done

    # A systemd initramfs refuses to switch to a root without os-release.
    printf '%s\n' 'NAME="osconf VM test root"' 'ID=osconf-vmtest' 'PRETTY_NAME="osconf VM test root (busybox)"' \
        >"$d/etc/os-release"
    printf 'localhost\n' >"$d/etc/hostname"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$d/etc/hosts"
    printf 'search localdomain\nnameserver 192.168.122.1\n' >"$d/etc/resolv.conf"
    printf 'NETWORKING=yes\nHOSTNAME=localhost.localdomain\n' >"$d/etc/sysconfig/network"
    printf '%s\n' 'root:*:19700:0:99999:7:::' 'daemon:*:19700:0:99999:7:::' 'nobody:*:19700:0:99999:7:::' \
        >"$d/etc/shadow"
    # Debian's owner and mode, and SELinux labels as a RHEL image carries them (mke2fs -d
    # copies xattrs into the image): osconf must keep them on replaced files and give
    # new files their directory's label.
    chmod 0640 "$d/etc/shadow"
    chgrp 42 "$d/etc/shadow"
    setfattr -n security.selinux -v system_u:object_r:shadow_t:s0 "$d/etc/shadow"
    setfattr -n security.selinux -v system_u:object_r:net_conf_t:s0 "$d/etc/sysconfig/network-scripts"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' >"$d/etc/passwd"

    cat >"$d/sbin/init" <<'EOF'
#!/bin/sh
# /sbin/init of the osconf VM test root: report on the serial console what the
# test reads (vmtest: lines; never the password hash), then put / back
# read-only so the image is consistent without a journal replay, and power off.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
# A kernel log line (kernel timestamp) the moment switch_root has handed over:
# tests/vm/bootcost.sh times the boot up to it.
echo "vmtest: root init started" >/dev/kmsg 2>/dev/null || true
[ -e /proc/mounts ] || mount -t proc proc /proc
[ -d /sys/class ] || mount -t sysfs sysfs /sys
read -r up _ </proc/uptime
echo "vmtest: init started at uptime $up"
echo "vmtest: root mount: $(grep ' / ' /proc/mounts | tail -n 1)"
for s in /sys/class/block/sr*; do
    [ -e "$s/size" ] && echo "vmtest: ${s##*/}: size $(cat "$s/size") sectors of 512 bytes"
done
for f in /etc/hostname /etc/hosts /etc/resolv.conf /etc/sysconfig/network \
    /etc/sysconfig/network-scripts/ifcfg-eth0; do
    if [ -f "$f" ]; then
        echo "vmtest: --- $f"
        sed 's/^/vmtest: | /' "$f"
    else
        echo "vmtest: --- $f: none"
    fi
done
echo "vmtest: shadow root line without the hash: $(grep '^root:' /etc/shadow | cut -d: -f1,3-)"
sync
mount -o remount,ro / || echo "vmtest: could not remount / read-only"
echo "vmtest: done, powering off"
poweroff -f
EOF
    chmod 0755 "$d/sbin/init"
}

# vm_root_image DIR IMG: an ext4 image from DIR (mke2fs -d: no loop mount).
vm_root_image() {
    rm -f "$2"
    mke2fs -q -F -t ext4 -L vmroot -E root_owner=0:0 -d "$1" "$2" 32M
}

# vm_iso OS_CONF ISO: a config drive as Tencent Cloud attaches it.
vm_iso() {
    local conf=$1 iso=$2 d
    d=$(mktemp -d "$work/iso.XXXXXX")
    mkdir -p "$d/qcloud_action"
    cp "$conf" "$d/qcloud_action/os.conf"
    rm -f "$iso"
    xorriso -as mkisofs -quiet -V config-2 -R -J -o "$iso" "$d" 2>"$d.log" || {
        cat "$d.log" >&2
        return 1
    }
    rm -rf "$d" "$d.log"
}

# A dracut base dir: the host's /usr/lib/dracut, its modules symlinked, plus
# our 50osconf (copied from the repo) and two test-only modules that write a
# kernel log line (to time osconf from the kernel's timestamps): 99vmtestmark,
# a pre-pivot hook at 69, just before osconf runs; 99vmtestlast, the last
# pre-pivot hook (99), used by tests/vm/bootcost.sh. dracut takes it as
# $dracutbasedir: the host's dracut is not modified.
vm_dracut_base() {
    local b=$work/dracut-base e
    rm -rf "$b"
    mkdir -p "$b/modules.d" "$work/dracut-empty-confdir"
    for e in /usr/lib/dracut/*; do
        [ "${e##*/}" = modules.d ] || ln -s "$e" "$b/"
    done
    for e in /usr/lib/dracut/modules.d/*; do
        ln -s "$e" "$b/modules.d/"
    done
    cp -r "$repo/dracut/50osconf" "$b/modules.d/50osconf"
    vm_mark_module "$b" vmtestmark 69 "pre-pivot, osconf next" "a kernel log line right before the osconf hook (pre-pivot 70)"
    vm_mark_module "$b" vmtestlast 99 "last pre-pivot hook" "a kernel log line from the last pre-pivot hook"
}

# vm_mark_module BASE NAME PRIO TEXT WHY: a test-only dracut module 99NAME whose
# pre-pivot hook (priority PRIO) writes "vmtest: TEXT" to the kernel log.
vm_mark_module() {
    vm_hook_module "$1" "$2" "$3" "echo \"vmtest: $4\" >/dev/kmsg" "$5"
}

# vm_hook_module BASE NAME PRIO COMMAND WHY: a test-only dracut module 99NAME whose
# pre-pivot hook (priority PRIO) runs the shell COMMAND.
vm_hook_module() {
    local m=$1/modules.d/99$2
    mkdir -p "$m"
    cat >"$m/module-setup.sh" <<EOF
#!/bin/bash
# Test only: $5.
check() { return 255; }
depends() { return 0; }
install() {
    # shellcheck disable=SC2154
    inst_hook pre-pivot $3 "\$moddir/hook.sh"
}
EOF
    printf '#!/bin/sh\n%s\n' "$4" >"$m/hook.sh"
    chmod 0755 "$m/"*
}

# vm_dracut OUT MODULES [dracut args...]: a generic (no hostonly), uncompressed
# image with exactly MODULES (plus their dependencies) for $kver.
vm_dracut() {
    local out=$1 modules=$2
    shift 2
    OSCONF_BIN=$osconf_bin dracutbasedir=$work/dracut-base \
        dracut --force --quiet --no-hostonly --no-compress --no-early-microcode \
        --conf /dev/null --confdir "$work/dracut-empty-confdir" \
        --kver "$kver" --modules "$modules" \
        --drivers "virtio_pci virtio_blk virtio_net" "$@" "$out" >"$out.log" 2>&1 || {
        cat "$out.log" >&2
        return 1
    }
}

# vm_mkinitramfs OUT [without-osconf|drivers-only]: an initramfs-tools image with
# initramfs-hooks/ (with without-osconf: the same image without them; with
# drivers-only: without them but with the kernel modules their hook adds), built
# from a config dir of our own (-d): the host's /etc/initramfs-tools is not
# read. Test-only init-bottom scripts write kernel log lines: 00-vmtestmark
# (ordered before osconf) the same as dracut's 99vmtestmark, zz-vmtestlast
# (after osconf and udev: the last one) the same as dracut's 99vmtestlast.
vm_mkinitramfs() {
    local out=$1 c=$work/initramfs-tools-conf
    rm -rf "$c"
    mkdir -p "$c/hooks" "$c/scripts/init-bottom" "$c/conf.d"
    printf '%s\n' MODULES=list BUSYBOX=y COMPRESS=gzip COMPRESSLEVEL=1 FSTYPE=ext4 RUNSIZE=10% >"$c/initramfs.conf"
    printf '%s\n' virtio_pci virtio_blk virtio_net >"$c/modules"
    case ${2:-} in
        without-osconf) ;;
        drivers-only)
            cat >"$c/hooks/osconf" <<EOF
#!/bin/sh
# Test only: the kernel modules of initramfs-hooks/hooks/osconf, without osconf.
case \$1 in prereqs) exit 0 ;; esac
. /usr/share/initramfs-tools/hook-functions
manual_add_modules $(vm_osconf_drivers initramfs-tools)
EOF
            ;;
        *)
            cp "$repo/initramfs-hooks/hooks/osconf" "$c/hooks/osconf"
            cp "$repo/initramfs-hooks/scripts/init-bottom/osconf" "$c/scripts/init-bottom/osconf"
            ;;
    esac
    cat >"$c/scripts/init-bottom/00-vmtestmark" <<'EOF'
#!/bin/sh
# Test only: a kernel log line right before the osconf script.
case $1 in prereqs) exit 0 ;; esac
echo "vmtest: init-bottom, osconf next" >/dev/kmsg
exit 0
EOF
    cat >"$c/scripts/init-bottom/zz-vmtestlast" <<'EOF'
#!/bin/sh
# Test only: a kernel log line from the last init-bottom script (its prereqs
# order it after the others; a prereq that is not there is ignored).
case $1 in prereqs) echo "00-vmtestmark osconf udev"; exit 0 ;; esac
echo "vmtest: last init-bottom script" >/dev/kmsg
exit 0
EOF
    chmod 0755 "$c/scripts/init-bottom/"*
    [ ! -f "$c/hooks/osconf" ] || chmod 0755 "$c/hooks/osconf"
    OSCONF_BIN=$osconf_bin mkinitramfs -d "$c" -o "$out" "$kver" >"$out.log" 2>&1 || {
        cat "$out.log" >&2
        return 1
    }
}

# vm_osconf_drivers dracut|initramfs-tools: the kernel modules osconf's dracut
# module (instmods) or initramfs-tools hook (manual_add_modules) puts into the
# image, read from those files.
vm_osconf_drivers() {
    case $1 in
        dracut) sed -n 's/^[[:space:]]*hostonly=.. instmods //p' "$repo/dracut/50osconf/module-setup.sh" ;;
        *) sed -n 's/^manual_add_modules //p' "$repo/initramfs-hooks/hooks/osconf" ;;
    esac
}

# vm_nic_args: the NIC of os.conf's eth0 (virtio; the cloud kernel has no
# e1000). User networking when QEMU has it; no traffic is needed either way.
vm_nic_args() {
    if qemu-system-x86_64 -netdev help 2>/dev/null | grep -qx user; then
        echo "-nic user,model=virtio-net-pci,mac=$VM_MAC"
    else
        echo "-netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0,mac=$VM_MAC"
    fi
}

# vm_boot DIR INITRD APPEND [qemu args...]: boots DIR/root.img; the serial
# console goes to DIR/console.log. Returns QEMU's exit code (124: timeout).
# VM_MEM (MiB, default 384) and VM_NET_IFNAMES (default net.ifnames=0; empty:
# the kernel's predictable names) are for the Debian matrix (matrix.sh).
vm_boot() {
    local dir=$1 initrd=$2 append=$3 rc=0
    shift 3
    # shellcheck disable=SC2046 # vm_nic_args is a list of words
    # -nodefaults: no default empty CD-ROM drive (nor VGA, NIC, monitor): the
    # scenario says which drives there are.
    timeout --kill-after=5 "${OSCONF_VM_TIMEOUT:-180}" \
        qemu-system-x86_64 -nodefaults -machine pc -accel "$accel" -m "${VM_MEM:-384}" -smp 1 \
        -display none -serial "file:$dir/console.raw" -monitor none -no-reboot \
        -kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
        -append "console=ttyS0 printk.time=1 panic=-1 ${VM_NET_IFNAMES-net.ifnames=0} rd.shell=0 rd.emergency=reboot root=/dev/vda rootfstype=ext4 $append" \
        -drive "file=$dir/root.img,if=virtio,format=raw" \
        $(vm_nic_args) "$@" \
        </dev/null >"$dir/qemu.out" 2>&1 || rc=$?
    tr -d '\r' <"$dir/console.raw" >"$dir/console.log"
    return "$rc"
}

# vm_qmp SOCKET JSON...: sends QMP commands (after qmp_capabilities); prints
# the replies.
vm_qmp() {
    local sock=$1
    shift
    { printf '%s\n' '{"execute":"qmp_capabilities"}' "$@"; sleep 1; } |
        socat -t 2 - "UNIX-CONNECT:$sock"
}

# vm_dump IMG PATH OUT: copies PATH out of the ext4 image (no mount, no journal
# replay). Fails when PATH is missing.
vm_dump() {
    rm -f "$3"
    debugfs -R "dump $2 $3" "$1" >/dev/null 2>&1 && [ -f "$3" ]
}

# vm_ts LOG PATTERN [first|last]: the kernel timestamp (seconds) of the first
# or last console line holding PATTERN (fixed string).
vm_ts() {
    local which=${3:-first}
    # The last [ seconds ] before the text: initramfs-tools prints its
    # "Begin: ..." without a newline, so a kernel line can start mid-line.
    grep -F -- "$2" "$1" | { if [ "$which" = last ]; then tail -n 1; else head -n 1; fi; } |
        sed -n 's/^\(.*\)\[ *\([0-9][0-9]*\.[0-9]*\)\] .*/\2/p' || true
}

# vm_ms_between A B: (B - A) in milliseconds, A and B in seconds.
vm_ms_between() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 + 0.5 }'
}

# The closing lines of a run: wall times, then "N passed, M failed[, K skipped]" (the
# summary CI reads); fails when anything failed.
# Usage: vm_summary T_BOOT T_START PASSED FAILED SKIPPED
vm_summary() {
    vm_say "VM wall time: $((SECONDS - $1)) s booting, $((SECONDS - $2)) s in all"
    if [ "$5" -gt 0 ]; then
        echo "$3 passed, $4 failed, $5 skipped"
    else
        echo "$3 passed, $4 failed"
    fi
    [ "$4" -eq 0 ]
}

# Sets osconf_bin: $OSCONF_BIN, or a fresh release build; fails when it is not executable.
vm_osconf_bin() {
    if [ -n "${OSCONF_BIN:-}" ]; then
        osconf_bin=$OSCONF_BIN
    else
        vm_say "cargo build --release --target x86_64-unknown-linux-musl"
        (cd "$repo" && cargo build --quiet --release --target x86_64-unknown-linux-musl)
        osconf_bin=$repo/target/x86_64-unknown-linux-musl/release/osconf
    fi
    [ -x "$osconf_bin" ] || {
        echo "vm: $osconf_bin is not an executable" >&2
        return 1
    }
}
