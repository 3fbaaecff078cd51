#!/usr/bin/env bash
# Builds a small Debian 12 Vagrant box (libvirt provider, qcow2) from Debian packages with
# debootstrap: no loop devices, no mounts, no network inside the guest. Usage: build-box.sh OUT.box
# The recipe is this file: the test caches the box under the hash of this file's contents.
set -euo pipefail

OUT=${1:?usage: build-box.sh OUT.box}
SUITE=bookworm
# The Debian mirror apt already uses (deb822 or one-line sources), unless MIRROR is given.
if [ -z "${MIRROR:-}" ]; then
  MIRROR=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$MIRROR" ] || MIRROR=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -1 || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi
PUBKEY=$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub 2>/dev/null | head -1 || true)
[ -n "$PUBKEY" ] || PUBKEY=$(find /usr /opt -path '*keys/vagrant.pub' 2>/dev/null | head -1)
[ -n "$PUBKEY" ] || { echo "build-box: the Vagrant insecure public key (keys/vagrant.pub) was not found" >&2; exit 2; }

WORK=$(mktemp -d /var/tmp/netns-box.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
log() { printf 'build-box: %s (%ss)\n' "$1" "$SECONDS" >&2; }

# Every package the app's Vagrantfile provisions is already in the box: the guest has no network.
PKGS=systemd,systemd-sysv,udev,dbus,openssh-server,iproute2,iputils-ping,sudo,linux-image-amd64
PKGS=$PKGS,ifupdown,isc-dhcp-client,netbase,kmod,grub-pc-bin,procps,tcpdump,iptables,nftables
PKGS=$PKGS,bridge-utils,ethtool,traceroute,socat
log "debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
  || { tail -30 "$WORK/debootstrap.log" >&2; exit 1; }

log "configuring the tree"
chroot "$ROOT" useradd -m -s /bin/bash -G sudo vagrant
echo 'vagrant ALL=(ALL) NOPASSWD:ALL' > "$ROOT/etc/sudoers.d/vagrant"
chmod 0440 "$ROOT/etc/sudoers.d/vagrant"
install -d -m 0700 "$ROOT/home/vagrant/.ssh"
install -m 0600 "$PUBKEY" "$ROOT/home/vagrant/.ssh/authorized_keys"
chroot "$ROOT" chown -R vagrant:vagrant /home/vagrant/.ssh
echo 'UseDNS no' > "$ROOT/etc/ssh/sshd_config.d/vagrant.conf"
rm -f "$ROOT"/etc/ssh/ssh_host_*
# Fresh host keys at first boot; the reset line keeps `sshd -t` after key generation.
install -d "$ROOT/etc/systemd/system/ssh.service.d"
printf '[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n' \
  > "$ROOT/etc/systemd/system/ssh.service.d/host-keys.conf"
: > "$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
echo netns-vm > "$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 netns-vm\n' > "$ROOT/etc/hosts"
printf 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n' > "$ROOT/etc/network/interfaces"
printf '/dev/vda1 / ext4 errors=remount-ro 0 1\n' > "$ROOT/etc/fstab"

log "small initramfs"
echo 'MODULES=list' > "$ROOT/etc/initramfs-tools/conf.d/netns-studio"
printf 'virtio_pci\nvirtio_blk\nvirtio_net\next4\n' > "$ROOT/etc/initramfs-tools/modules"
chroot "$ROOT" update-initramfs -u -k all > "$WORK/initramfs.log" 2>&1 || { tail -30 "$WORK/initramfs.log" >&2; exit 1; }
KVER=$(basename "$(ls -d "$ROOT"/lib/modules/* | head -1)")
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log

log "GRUB core image"
cat > "$WORK/grub-early.cfg" <<CFG
set root=(hd0,msdos1)
linux /boot/vmlinuz-$KVER root=/dev/vda1 ro console=ttyS0 net.ifnames=0
initrd /boot/initrd.img-$KVER
boot
CFG
cp "$WORK/grub-early.cfg" "$ROOT/tmp/grub-early.cfg"
chroot "$ROOT" grub-mkimage -O i386-pc -o /tmp/core.img -c /tmp/grub-early.cfg -p '(hd0,msdos1)/boot/grub' \
  biosdisk part_msdos ext2 linux boot
mv "$ROOT/tmp/core.img" "$WORK/core.img"
rm -f "$ROOT/tmp/grub-early.cfg"
cp "$ROOT/usr/lib/grub/i386-pc/boot.img" "$WORK/boot.img"

log "disk image"
DISK=$WORK/disk.raw
truncate -s 4G "$DISK"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$DISK"
mkfs.ext4 -q -F -L root -d "$ROOT" -E offset=1048576 "$DISK" 4095M
dd if="$WORK/boot.img" of="$DISK" bs=446 count=1 conv=notrunc status=none
dd if="$WORK/core.img" of="$DISK" bs=512 seek=1 conv=notrunc status=none
rm -rf "$ROOT"

log "qcow2"
qemu-img convert -c -O qcow2 "$DISK" "$WORK/box.img"
rm -f "$DISK"
printf '{"provider":"libvirt","format":"qcow2","virtual_size":4}\n' > "$WORK/metadata.json"
printf 'Vagrant.configure("2") do |config|\n  config.vm.synced_folder ".", "/vagrant", disabled: true\nend\n' \
  > "$WORK/Vagrantfile"
mkdir -p "$(dirname "$OUT")"
tar -C "$WORK" -cf "$OUT.tmp" metadata.json Vagrantfile box.img
mv "$OUT.tmp" "$OUT"
log "done: $OUT ($(du -h "$OUT" | cut -f1))"
