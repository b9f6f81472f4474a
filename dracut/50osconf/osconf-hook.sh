#!/bin/sh
# pre-pivot hook: configure the root at $NEWROOT from the config CD.
# Sourced by dracut's init (not run): it must not `exit`, and its variables
# live on in the init shell, hence the _osconf_ prefix and the unset at the end.
# osconf finds the CD and reads osconf.* from /proc/cmdline itself; whatever it
# returns, the boot continues.

_osconf_root=${NEWROOT:-/sysroot}

# The root is mounted read-only unless the kernel command line says rw.
# Remount it read-write for the run, and put it back as it was afterwards.
# The last /proc/mounts entry for a mount point is the one on top.
_osconf_ro=
while read -r _osconf_dev _osconf_mnt _osconf_type _osconf_opts _osconf_rest; do
    [ "$_osconf_mnt" = "$_osconf_root" ] || continue
    case ",$_osconf_opts," in
        *,ro,*) _osconf_ro=1 ;;
        *) _osconf_ro= ;;
    esac
done < /proc/mounts
if [ -n "$_osconf_ro" ]; then
    mount -o remount,rw "$_osconf_root" 2>/dev/null ||
        warn "osconf: cannot remount $_osconf_root read-write"
fi

modprobe -q sr_mod 2>/dev/null
modprobe -q isofs 2>/dev/null

/usr/sbin/osconf --root "$_osconf_root"
_osconf_rc=$?
if [ "$_osconf_rc" -ne 0 ]; then
    warn "osconf: exited with $_osconf_rc; boot continues"
fi

if [ -n "$_osconf_ro" ]; then
    mount -o remount,ro "$_osconf_root" 2>/dev/null ||
        warn "osconf: cannot remount $_osconf_root read-only again"
fi

unset _osconf_root _osconf_ro _osconf_dev _osconf_mnt _osconf_type \
    _osconf_opts _osconf_rest _osconf_rc
true
