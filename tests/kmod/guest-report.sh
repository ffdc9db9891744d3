# SPDX-License-Identifier: GPL-2.0
# Runs inside a nested guest: report what the guest sees of itself.
set -eu
cat /sys/class/dmi/id/product_uuid >"$LAB_OUT/product_uuid"
uname -r >"$LAB_OUT/uname"
