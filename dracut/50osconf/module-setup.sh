#!/bin/sh
# dracut module: run osconf before switch_root to configure the root from
# Tencent Cloud's config CD (qcloud_action/os.conf). See README.md.
# Functions below are called by dracut (which sources this file with bash);
# the hook they install runs in the initramfs and is POSIX sh.

# The binary to install: /usr/sbin/osconf, or $OSCONF_BIN when set in dracut's
# environment (the VM tests use it to take a fresh build without installing it
# on the build host). It lands at /usr/sbin/osconf in the image either way.
osconf_bin() {
    echo "${OSCONF_BIN:-/usr/sbin/osconf}"
}

# Included only when the binary is installed on the build host: without it the
# hook would have nothing to run. Returning 0 (not 255) means dracut includes
# the module by default, hostonly images too.
check() {
    require_binaries "$(osconf_bin)" || return 1
    return 0
}

# Nothing. The hook needs only the pre-pivot hook point, which both init paths
# provide: the shell init of the base module (always included) and
# dracut-pre-pivot.service when the systemd module is used. osconf finds the
# CD through sysfs (no udev, blkid or network module needed).
depends() {
    return 0
}

# The CD-ROM path: SCSI CD-ROM (sr_mod, cdrom) and the controllers a cloud VM
# attaches it to (IDE/SATA, virtio-scsi). Not isofs: osconf reads the ISO itself
# unless the kernel already has iso9660 (built in or loaded; then it mounts the
# CD), and loading a filesystem module costs every boot more than osconf's whole
# run (README: Cost at boot). hostonly=''
# because a hostonly image keeps only the modules the build host has loaded,
# and the host that builds the image usually has no config CD attached, while
# every VM booted from the image does. Built-in modules are skipped by dracut.
installkernel() {
    hostonly='' instmods sr_mod cdrom ata_piix ahci virtio_scsi virtio_pci
}

install() {
    # A static musl binary: no libraries to resolve, so inst_simple is enough.
    inst_simple "$(osconf_bin)" /usr/sbin/osconf
    # pre-pivot runs after the root is mounted at $NEWROOT and before
    # switch_root, in the shell init and in dracut-pre-pivot.service alike.
    # 70 comes after the upstream pre-pivot hooks that mount or prepare the
    # root: 00 fstab-sys (extra mounts), 10-20 overlay/live updates,
    # 50 usrmount (/usr) and selinux (policy load), 60-63 masterkey, integrity
    # (EVM/IMA) and ecryptfs; and before 90 (crypt, kdump) and 99 (convertfs)
    # and the cleanup hooks that follow pre-pivot.
    # shellcheck disable=SC2154 # moddir is set by dracut
    inst_hook pre-pivot 70 "$moddir/osconf-hook.sh"
}
