# experiment: vsock host<->nested guest in the lab (not committed)
. "$VMSYNC_REPO/tests/lib/labtest.sh"
modprobe vhost_vsock || fail "no vhost_vsock"
ls -l /dev/vhost-vsock || fail "no /dev/vhost-vsock"
python3 - <<'PY' &
import socket
s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
s.bind((socket.VMADDR_CID_ANY, 7777)); s.listen(1)
c, a = s.accept(); print("host got from", a, c.recv(100)); c.sendall(b"pong")
PY
pyp=$!
sleep 1
"$VMSYNC_REPO/tests/lab/guest" --name vs1 --out "$T/guest" --qemu-arg -device --qemu-arg vhost-vsock-pci,guest-cid=5 "$VMSYNC_REPO/tests/x/vsock-guest" || fail "guest failed"
wait $pyp || fail "host side failed"
cat "$T/guest/"*.txt
lsmod | grep -i vsock
which socat lttng-relayd
echo done
