#!/bin/bash
# Tencent Cloud's sample script `os_config` from the "Forced Image Import" page
# (/work/shared/reference/forced-image-import.md, "Example"), adapted only so that
# scripts/bench.sh can run it on a sample root instead of this machine. Its logic,
# including its bugs, is kept. Every change from the original:
#   1. Two inputs from the environment: OS_CONFIG_ROOT, the root to configure, and
#      OS_CONFIG_CDROM, what to mount in place of /dev/cdrom (see 3).
#   2. Every absolute path of the root is prefixed with $root: /mnt/tmp.XXXX,
#      /mnt/pass.XXXX, /etc/sysconfig/network, /etc/resolv.conf,
#      /etc/sysconfig/network-scripts/ifcfg-eth0, /etc/hosts, /etc/init.d/network
#      (the sample root's /etc/init.d/network is a stub that exits 0, so the
#      network stop/start calls still run but do nothing).
#   3. `mount /dev/cdrom $mount_path` became `mount -o bind,ro $cdrom $mount_path`:
#      this machine's kernel has no iso9660, so the ISO cannot be mounted; the
#      bench extracts the same ISO (xorriso) and bind-mounts the extracted
#      directory read-only, so the script still mounts, reads os.conf through
#      the mount point and unmounts.
#   4. `umount /dev/cdrom` became `umount $mount_path` (a bind mount is unmounted
#      by its mount point).
#   5. `chpasswd -e` became `chpasswd -e -R $root` (shadow's own root option: it
#      chroots into the root and edits its /etc/shadow).
# Unchanged: blkid -L config-2, the sourcing of os.conf, the grep for the
# password line, every sed and echo, the never-called config_gateway (with its
# unterminated s command), the exit codes.
### BEGIN INIT INFO
# Provides:          os-config
# Required-Start:    $local_fs $network $named $remote_fs
# Required-Stop:
# Should-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: config of os-init job
# Description: run the config phase without cloud-init
### END INIT INFO

###################user settings#####################

root=${OS_CONFIG_ROOT:?OS_CONFIG_ROOT: the root to configure}
cdrom=${OS_CONFIG_CDROM:?OS_CONFIG_CDROM: the directory to mount in place of /dev/cdrom}

cdrom_path=`blkid -L config-2`

load_os_config() {
	mount_path=$(mktemp -d $root/mnt/tmp.XXXX)
	mount -o bind,ro $cdrom $mount_path
	if [[ -f $mount_path/qcloud_action/os.conf ]]; then
		. $mount_path/qcloud_action/os.conf
		if [[ -n $password ]]; then
			passwd_file=$(mktemp $root/mnt/pass.XXXX)
			passwd_line=$(grep password $mount_path/qcloud_action/os.conf)
			echo root:${passwd_line#*=} > $passwd_file
		fi
		return 0
	else 
		return 1
	fi
	
}

cleanup() {
	umount $mount_path
	if [[ -f $passwd_file ]]; then
		echo $passwd_file
		rm -f $passwd_file
	fi
	if [[ -d $mount_path ]]; then
		echo $mount_path
		rm -rf $mount_path
	fi
}

config_password() {
	if [[ -f $passwd_file ]]; then
		chpasswd -e -R $root < $passwd_file
	fi
}

config_hostname(){
	if [[ -n $hostname ]]; then
		sed -i "/^HOSTNAME=.*/d" $root/etc/sysconfig/network
		echo "HOSTNAME=$hostname" >> $root/etc/sysconfig/network
	fi
}

config_dns() {
    if [[ -n $dns_nameserver ]]; then
        dns_conf=$root/etc/resolv.conf
        sed -i '/^nameserver.*/d' $dns_conf
        for i in $dns_nameserver; do
            echo "nameserver $i" >> $dns_conf
        done
    fi
}

config_network() {
    $root/etc/init.d/network stop
    cat << EOF > $root/etc/sysconfig/network-scripts/ifcfg-eth0
DEVICE=eth0
IPADDR=$eth0_ip_addr
NETMASK=$eth0_netmask
HWADDR=$eth0_mac_addr
ONBOOT=yes
GATEWAY=$eth0_gateway
BOOTPROTO=static
EOF
    if [[ -n $hostname ]]; then
    	sed -i "/^${eth0_ip_addr}.*/d" $root/etc/hosts
		echo "${eth0_ip_addr} $hostname" >> $root/etc/hosts
	fi
    $root/etc/init.d/network start
}

config_gateway() {
	sed -i "s/^GATEWAY=.*/GATEWAY=$eth0_gateway" $root/etc/sysconfig/network
}

###################init#####################
start() {
	if load_os_config ; then
		config_password
		config_hostname
		config_dns
		config_network
		cleanup
		exit 0
	else 
		echo "mount ${cdrom_path} failed"
		exit 1
	fi
}

RETVAL=0

case "$1" in
	start)
		start
		RETVAL=$?
	;;
	*)
		echo "Usage: $0 {start}"
		RETVAL=3
	;;
esac

exit $RETVAL
