# Sourced by scripts/run and scripts/test: makes sure PostgreSQL is installed, running
# and answering on 127.0.0.1:5432 for the user postgres without a password, on a fresh
# Debian machine too. Installs packages with apt-get (as root, or through sudo).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  if [ $# -gt 0 ]; then
    echo "Installing $* ..."
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
  fi
}

# Debian's Noto font packages the PDF reads at run time, when absent (fonts/README.md).
missing_fonts() {
  [ -f /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf ] || echo fonts-noto-core
  [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || echo fonts-noto-cjk
}

ensure_postgres() {
  local missing=()
  command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  install_missing "${missing[@]}"

  pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 -U postgres; }
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if ! pg_answers; then
    echo "Starting PostgreSQL $version ..."
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
  fi
  if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
    # A freshly installed cluster asks for passwords on TCP; the app connects as postgres
    # without one, so trust loopback connections (a development machine).
    local hba=/etc/postgresql/$version/main/pg_hba.conf
    echo "Trusting loopback connections in $hba ..."
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    sleep 1
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null
}
