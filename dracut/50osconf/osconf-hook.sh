#!/bin/sh
# pre-pivot hook: configure the root at $NEWROOT from the config CD.
# Sourced by dracut's init (not run): it must not `exit`, and its variables
# live on in the init shell, hence the _osconf_ prefix and the unset at the end.
# osconf finds the CD and reads osconf.* from /proc/cmdline itself; it
# remounts a read-only root read-write only for its writes and puts it back
# (no remount here). Whatever it returns, the boot continues.

# The CD-ROM driver, when udev has not loaded it (no drive seen yet; a drive
# still being probed gets osconf's grace wait). No isofs: osconf reads the ISO
# itself unless the kernel already has iso9660.
[ -d /sys/module/sr_mod ] || modprobe -q sr_mod 2>/dev/null

/usr/sbin/osconf --root "${NEWROOT:-/sysroot}"
_osconf_rc=$?
if [ "$_osconf_rc" -ne 0 ]; then
    warn "osconf: exited with $_osconf_rc; boot continues"
fi
unset _osconf_rc
true
