#!/usr/bin/env bash
# Re-vendor the front-end assets from the npm registry into static/vendor/ (versions in VERSIONS.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent bootstrap@5.3.9 htmx.org@2.0.11 echarts@5.6.0 >/dev/null
  for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done )
V=static/vendor
mkdir -p $V/bootstrap $V/htmx $V/echarts
cp "$tmp"/bootstrap-5.3.9/package/dist/css/bootstrap.min.css "$tmp"/bootstrap-5.3.9/package/dist/js/bootstrap.bundle.min.js "$tmp"/bootstrap-5.3.9/package/LICENSE $V/bootstrap/
cp "$tmp"/htmx.org-2.0.11/package/dist/htmx.min.js "$tmp"/htmx.org-2.0.11/package/LICENSE $V/htmx/
cp "$tmp"/echarts-5.6.0/package/dist/echarts.min.js "$tmp"/echarts-5.6.0/package/LICENSE $V/echarts/
echo "vendored into $V"
