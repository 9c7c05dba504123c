#!/usr/bin/env bash
# Debian packages nianbao needs: a CJK font for charts, PDF and the portal's pages (required);
# LibreOffice with poppler-utils to convert the Word report to PDF and check it page by page, and
# Java 17 for the Spark tests of the indicator SQL (optional). With --test (make test): Debian's
# chromium too, which the portal's browser tests drive (Playwright cannot download its own here).
# Installs only what is missing; without root or apt-get it says what to install instead.
set -euo pipefail
required=(fonts-noto-cjk fontconfig)
[ "${1:-}" = "--test" ] && required+=(chromium)
optional=(libreoffice-writer-nogui poppler-utils)
command -v java >/dev/null || optional+=(openjdk-17-jre-headless)
[ "${NIANBAO_SKIP_OPTIONAL:-0}" = 1 ] && optional=()
missing=()
for p in "${required[@]}" "${optional[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "请安装系统软件包 / please install: ${missing[*]}  (sudo apt-get install ${missing[*]})" >&2
  for p in "${required[@]}"; do
    case " ${missing[*]} " in *" $p "*) exit 1 ;; esac
  done
  exit 0
fi
echo "安装系统软件包 / installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
