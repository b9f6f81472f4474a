#!/bin/sh
# pre-pivot hook: configure the root at $NEWROOT from the config CD.
# Sourced by dracut's init (not run): it must not `exit`, and its variables
# live on in the init shell, hence the _osconf_ prefix and the unset at the end.
# osconf finds the CD and reads osconf.* from /proc/cmdline itself; it
# remounts a read-only root read-write only for its writes and puts it back
# (no remount here). Whatever it returns, the boot continues.

# The CD-ROM driver and isofs, for the mount (without it osconf reads the ISO
# itself). When a drive is there, udev has loaded both already (isofs by
# 60-osconf.rules); else one modprobe for those not loaded yet (each run of
# modprobe costs some ms at boot).
_osconf_mods=
for _osconf_m in sr_mod isofs; do
    [ -d "/sys/module/$_osconf_m" ] || _osconf_mods="$_osconf_mods $_osconf_m"
done
# shellcheck disable=SC2086 # a list of module names
[ -z "$_osconf_mods" ] || modprobe -q -a $_osconf_mods 2>/dev/null
unset _osconf_mods _osconf_m

/usr/sbin/osconf --root "${NEWROOT:-/sysroot}"
_osconf_rc=$?
if [ "$_osconf_rc" -ne 0 ]; then
    warn "osconf: exited with $_osconf_rc; boot continues"
fi
unset _osconf_rc
true
