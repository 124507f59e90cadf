#!/usr/bin/env bash
# The Debian packages some tests use, installed where missing (as root with apt-get), else named:
# chromium renders the HTML report in a test (test/support/report.test.ts); python3-venv/pip build the
# per-pack virtualenvs (T2.12, T3.19); podman, runc and busybox-static run T3.17's container runner on a
# locally built image (crun refuses hybrid cgroup hosts, so the worker prefers runc).
# Run by .ci/run and before `npm test` / `npm run e2e`; does nothing when everything is there.
set -euo pipefail
missing=()
dpkg -s chromium >/dev/null 2>&1 || command -v chromium >/dev/null || missing+=(chromium)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
[ -x /bin/busybox ] || missing+=(busybox-static)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "system packages: installing ${missing[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "system packages: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or the features that use them fail or skip with the reason"
fi
