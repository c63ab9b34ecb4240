# Shared by the CLI test scripts: source it after setting $heed and $work.
# ok/fail print a result line and count failures; expect_usage_error "text" heed-args... checks
# one stderr line holding the text, and exit status 2.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
expect_usage_error() {
  local expected="$1"
  shift
  "$heed" "$@" < /dev/null > "$work/out" 2> "$work/err"
  local rc=$? lines
  lines=$(wc -l < "$work/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$expected" "$work/err"; then
    fail "heed $* -> exit $rc, $lines stderr lines:"; cat "$work/err"
  else
    ok "$(cat "$work/err")"
  fi
}
