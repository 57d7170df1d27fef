#!/bin/sh
# Production-verify throughput on the rehearsal: a lab of the given size (default large,
# 10 million messages) exported and imported, then `pchat-migrate verify` on a production
# profile whose PowerShell is the rehearsal stand-in (tests/fake-pwsh/rehearse.py answering
# the verify scripts from the lab's SQLite files). Prints the rows read, rows per second,
# the wall time and this program's peak memory (GNU time's maximum resident set size; the
# stand-in's own memory is not counted: on a real server it is PowerShell's).
#
#   scripts/bench-production-verify.sh [small|medium|large] [work dir]
#
# Needs python3 and GNU time (/usr/bin/time; Debian's package "time").
set -eu
cd "$(dirname "$0")/.."
size="${1:-large}"
work="${2:-$(mktemp -d)}"
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet
bin="$PWD/target/release/pchat-migrate"
data="$work/data"
mkdir -p "$work/bin" "$work/work"
cp tests/fake-pwsh/pwsh tests/fake-pwsh/rehearse.py "$work/bin/"
chmod +x "$work/bin/pwsh" "$work/bin/rehearse.py"

echo "== lab ($size), export and import (what the cmdlets would do)"
"$bin" --data-dir "$data" lab init --size "$size" --force >/dev/null
"$bin" --data-dir "$data" export >/dev/null
"$bin" --data-dir "$data" import --what-if >/dev/null 2>&1 || true
"$bin" --data-dir "$data" import --accept-warnings --accept-losses >/dev/null 2>&1
cp "$data/lab/exports/GroupChatExport.zip" "$work/work/GroupChatExport.zip"

cat > "$work/bin/rehearsal.json" <<EOF
{"databases": {"GroupChat": "$data/lab/legacy-groupchat.db", "mgc": "$data/lab/mgc.db"},
 "mgc": "mgc", "pool": "pchatpool.contoso.lab"}
EOF
sed -e 's/^kind = "lab"/kind = "production"/' \
    -e "s|^work_dir = \"\"|work_dir = '$work/work'|" assets/lab/profile.toml > "$work/prod.toml"
printf '\n[executor]\nshell = "%s"\ntimeout_secs = 7200\n' "$work/bin/pwsh" >> "$work/prod.toml"

echo "== production verify through the rehearsal stand-in"
start=$(date +%s.%N)
FAKE_PWSH_SCENARIO=rehearsal /usr/bin/time -f "%M" -o "$work/rss" \
  "$bin" --data-dir "$work/prod-data" --profile "$work/prod.toml" verify --json > "$work/verify.json" || true
end=$(date +%s.%N)
python3 - "$work/verify.json" "$work/rss" "$start" "$end" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
rss_kb = int(open(sys.argv[2]).read().split()[-1])
secs = float(sys.argv[4]) - float(sys.argv[3])
d = v["detail"]
rows = d.get("rows_copied", 0)
print(f"verify: {v['summary']}")
print(f"rows read: {rows}; messages compared: {d.get('messages_compared')}; rooms: {d.get('rooms_compared')}")
print(f"wall: {secs:.1f} s; {rows / secs:,.0f} rows/s; peak memory (pchat-migrate): {rss_kb / 1024:.0f} MB")
print("(the rehearsal's production session accepted no loss: a named-size lab's refused room shows as one difference)")
EOF
echo "work directory: $work"
