#!/usr/bin/env bash
# tokalign fetch: download through $HF_ENDPOINT (a file:// hub here), hash check,
# and that `--tokenizer NAME` then finds the download in tokalign's cache.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
hub=$tmp/hub/bert-base-cased/resolve/main
mkdir -p "$hub" "$tmp/hub/bert-base-uncased/resolve/main"
cp "$TKA_SHARED/data/vocab/bert-base-cased/vocab.txt" "$hub/"
# a vocabulary that is not the expected one, to see the hash warning
printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n' > "$tmp/hub/bert-base-uncased/resolve/main/vocab.txt"
export HF_ENDPOINT="file://$tmp/hub" TOKALIGN_CACHE="$tmp/cache" HF_HUB_CACHE="$tmp/none" PPNLP_HOME="$tmp/none"

out=$("$TOKALIGN" fetch bert-base-cased)
check_rc "fetch bert-base-cased" $?
case "$out" in *"sha256 eeaa9875b23b04b4c54ef759d03db9d1ba1554838f8fb26c5d96fa551df93d02"*) ok "fetch names the SHA-256";;
  *) bad "fetch output: $out";; esac
check_cmd "the download is in the cache" cmp "$hub/vocab.txt" "$tmp/cache/bert-base-cased/vocab.txt"

# a file with the wrong SHA-256 never enters the cache: an error naming both hashes
err=$("$TOKALIGN" fetch bert-base-uncased 2>&1 >/dev/null)
check "wrong hash: exit" 3 $?
case "$err" in *"error"*"expected 07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3; not stored"*) ok "wrong hash: both hashes named";;
  *) bad "no hash error: $err";; esac
check_cmd "wrong hash: nothing kept" test ! -e "$tmp/cache/bert-base-uncased"

# a mismatching file already in the cache (planted, or from an older tokalign) is
# never used: --tokenizer NAME warns and falls through to the mirror
mkdir -p "$tmp/cache/bert-base-uncased"
cp "$tmp/hub/bert-base-uncased/resolve/main/vocab.txt" "$tmp/cache/bert-base-uncased/vocab.txt"
out=$(echo "hello world" | "$TOKALIGN" tokenize --tokenizer bert-base-uncased 2>"$tmp/w")
check_cmd "a planted cache file: warned about" grep -q \
  "warning: ignoring $tmp/cache/bert-base-uncased/vocab.txt from tokalign's download cache" "$tmp/w"
check "a planted cache file: the mirror's vocabulary used" '{"tokens": ["hello", "world"], "ids": [7592, 2088]}' "$out"
rm -r "$tmp/cache/bert-base-uncased"

# over HTTP from 127.0.0.1: a server that accepts and never answers is cut off by
# --timeout (the whole transfer, not only the connect), leaving nothing behind;
# a server that serves the wrong bytes is refused; the right bytes are stored.
"$TKA_PYTHON" - "$tmp" <<'PY' &
import http.server, os, socket, sys, threading, time
work = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if "bert-base-uncased" in self.path:   # headers, then a trickle that never ends
            self.send_response(200); self.send_header("Content-Length", "10000000"); self.end_headers()
            try:
                while True:
                    self.wfile.write(b"x"); self.wfile.flush(); time.sleep(0.5)
            except OSError:
                pass   # fetch gave up and hung up, as it should
        elif "bert-base-cased" in self.path:
            data = open(os.path.join(work, "hub/bert-base-cased/resolve/main/vocab.txt"), "rb").read()
            if "wrong" in open(os.path.join(work, "mode")).read():
                data = data[:-1] + b"!"
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
            self.wfile.write(data)
        else:
            self.send_response(404); self.end_headers()
class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(os.path.join(work, "port.tmp"), "w").write(str(s.server_address[1]))
os.rename(os.path.join(work, "port.tmp"), os.path.join(work, "port"))
s.serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -e "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
export HF_ENDPOINT="http://127.0.0.1:$port" TOKALIGN_CACHE="$tmp/cache2"
echo wrong > "$tmp/mode"
start=$(date +%s)
"$TOKALIGN" fetch bert-base-uncased --timeout 2 2>"$tmp/e5"
check "stalled server: exit" 3 $?
elapsed=$(( $(date +%s) - start ))
check_cmd "stalled server: the download named" grep -q \
  "downloading http://127.0.0.1:$port/bert-base-uncased/resolve/main/vocab.txt failed" "$tmp/e5"
check_cmd "stalled server: cut off by --timeout 2 ($elapsed s)" test "$elapsed" -le 10
check_cmd "stalled server: no debris" test ! -e "$tmp/cache2/bert-base-uncased"
"$TOKALIGN" fetch bert-base-cased 2>"$tmp/e6"
check "wrong bytes over HTTP: exit" 3 $?
check_cmd "wrong bytes over HTTP: the hash named" grep -q \
  "expected eeaa9875b23b04b4c54ef759d03db9d1ba1554838f8fb26c5d96fa551df93d02; not stored" "$tmp/e6"
check_cmd "wrong bytes over HTTP: nothing kept" test ! -e "$tmp/cache2/bert-base-cased"
echo right > "$tmp/mode"
"$TOKALIGN" fetch bert-base-cased >/dev/null
check_rc "the right bytes over HTTP" $?
check_cmd "the right bytes stored" cmp "$hub/vocab.txt" "$tmp/cache2/bert-base-cased/vocab.txt"
check "no debris beside them" vocab.txt "$(ls -A "$tmp/cache2/bert-base-cased")"
export HF_ENDPOINT="file://$tmp/hub" TOKALIGN_CACHE="$tmp/cache"

# unknown name, mirror-only name, missing file on the hub: non-zero exits with messages
"$TOKALIGN" fetch no-such-model 2>"$tmp/e1"
check "unknown name: exit" 3 $?
check_cmd "unknown name: message" grep -q "not a known name" "$tmp/e1"
"$TOKALIGN" fetch bpe320_republic 2>"$tmp/e2"
check "mirror-only name: exit" 3 $?
check_cmd "mirror-only name: message" grep -q "not published on the HuggingFace hub" "$tmp/e2"
HF_ENDPOINT="file://$tmp/empty" "$TOKALIGN" fetch hfl/chinese-bert-wwm 2>"$tmp/e3"
check "missing file on the hub: exit" 3 $?
check_cmd "missing file on the hub: message" grep -q \
  "downloading file://.*chinese-bert-wwm/resolve/main/vocab.txt failed" "$tmp/e3"
check_cmd "a failed download leaves no directory behind" test ! -e "$tmp/cache/hfl/chinese-bert-wwm"
"$TOKALIGN" fetch 2>/dev/null
check "no name: usage error" 2 $?
finish
