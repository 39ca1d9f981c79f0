#!/usr/bin/env bash
# The one regeneration entry point: openapi.json + spec/overlay.yaml -> generated_client/raia_agent_api.
#
#   ./generate.sh                 regenerate generated_client/ in place
#   ./generate.sh --out DIR       write DIR/raia_agent_api instead (tests, make diff)
#   ./generate.sh --check         fail, naming the files, if generated_client/ is stale
#   SPEC=other.json ./generate.sh generate from another upstream spec
#   GENERATOR=other.yaml          ... with other naming choices (tests)
set -euo pipefail
# Every step below reports its own failure; this catches any other, so none fails silently.
trap 'echo "generate.sh: failed (exit $?) at line $LINENO: $BASH_COMMAND; generated client left unchanged." >&2' ERR

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
spec=$(realpath "${SPEC:-$root/openapi.json}")
overlay=$(realpath "${OVERLAY:-$root/spec/overlay.yaml}")
generator=$(realpath "${GENERATOR:-$root/spec/generator.yaml}")
python=${PYTHON:-$root/.venv/bin/python}
export PATH="$(dirname "$python"):$PATH"

mode=write
dest=$root/generated_client
case "${1:-}" in
  --out) dest=$(realpath -m "$2") ;;
  --check) mode=check ;;
  "") ;;
  *) echo "usage: $0 [--out DIR | --check]" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A line per finished step on stderr with its time: a run takes a minute or more, and a maintainer
# should see where it is. "generate: " starts them, which tools/apidiff's summary of a failure skips.
# EPOCHREALTIME is bash 5's (digits only: its decimal point follows the locale); older bash has SECONDS.
now() { local t=${EPOCHREALTIME//[!0-9]/}; echo "${t:-$((SECONDS * 1000000))}"; }
last=$(now)
step() {
  local t; t=$(now)
  local tenths=$(((t - last) / 100000))
  printf 'generate: %s (%d.%d s)\n' "$1" $((tenths / 10)) $((tenths % 10)) >&2
  last=$t
}

# The spec is untrusted input: tools/codegen/guard.py reads it within bounds and refuses external
# references, NaN and the like before any other tool (validator, oas-patch, the generator) sees
# it; every later step reads the checked copy. The corrected spec is checked again below.
guard() {
  (cd "$root" && "$python" -m tools.codegen guard "$1" --out "$2") || {
    echo "generate.sh: $3 is refused (see above); generated client left unchanged." >&2
    exit 1
  }
}
guard "$spec" "$work/upstream.json" "$spec"
step "spec read and checked"

# The upstream spec is known to be invalid (ForbiddenErrorDTO.name): its verdict is
# reported, and generation stops only if the corrected spec is invalid too.
upstream_errors=$(cd "$root" && "$python" -m tools.codegen validate "$work/upstream.json" "$spec" 2>&1) && upstream_errors=""
step "upstream spec validated"
validate() {
  if ! out=$(cd "$root" && "$python" -m tools.codegen validate "$1" 2>&1); then
    [ -z "$upstream_errors" ] || printf 'upstream %s\n' "$upstream_errors" >&2
    printf '%s\n' "$out" >&2
    echo "generate.sh: $2 is not a valid OpenAPI document; generated client left unchanged." >&2
    exit 1
  fi
}

(cd "$root" && "$python" -m tools.codegen overlay "$work/upstream.json" "$overlay" "$work/overlaid.json") || {
  echo "generate.sh: could not apply $overlay; generated client left unchanged." >&2
  exit 1
}
step "overlay applied"
# An overlay could add what the upstream spec may not hold (an external $ref, say).
guard "$work/overlaid.json" "$work/corrected.json" "the corrected spec ($spec + $overlay)"
validate "$work/corrected.json" "the corrected spec ($spec + $overlay)"
if [ -n "$upstream_errors" ]; then
  echo "note: the upstream spec fails validation ($(printf '%s' "$upstream_errors" | head -n 1 | sed "s#^$spec: ##")); the overlay corrects it." >&2
fi
step "corrected spec checked and validated"

# Names by rule (spec/generator.yaml's naming section): class_overrides for every schema, and
# operationIds without NestJS's controller prefix, so module names stay short.
(cd "$root" && "$python" -m tools.codegen names "$work/corrected.json" "$generator" \
  "$work/generator.yaml" "$work/named.json") || {
  echo "generate.sh: naming failed; generated client left unchanged." >&2
  exit 1
}
step "names chosen"

# Generated in a scratch directory outside the repo so that no ruff or project config applies.
# The `openapi` step is openapi-python-client with tools/codegen/naming/pynames.py's reserved model members.
(cd "$work" && PYTHONPATH="$root" "$python" -m tools.codegen openapi generate --path named.json \
  --config "$work/generator.yaml" --meta none \
  --custom-template-path "$root/spec/templates" --output-path "$work/raia_agent_api" >"$work/log" 2>&1) || {
  cat "$work/log" >&2
  echo "generate.sh: openapi-python-client failed; generated client left unchanged." >&2
  exit 1
}
# It skips what it cannot generate with a warning and exit 0: a schema or operation silently missing.
if grep -q "^Warning(s) encountered" "$work/log"; then
  sed -n '/^Warning(s) encountered/,$p' "$work/log" | grep -v "^If you believe this was a mistake" | grep . >&2
  echo "generate.sh: openapi-python-client skipped parts of the spec (above); generated client left unchanged." >&2
  exit 1
fi
step "models and operations generated (openapi-python-client)"
(cd "$root" && "$python" -m tools.codegen surface "$work/corrected.json" "$generator" "$work/raia_agent_api") || {
  echo "generate.sh: the typed surface could not be generated; generated client left unchanged." >&2
  exit 1
}
step "typed surface written"
(cd "$root" && "$python" -m tools.codegen stamp "$work/raia_agent_api" "$spec" "$work/corrected.json") || {
  echo "generate.sh: stamping the generated client failed; generated client left unchanged." >&2
  exit 1
}
step "stamped"
# The one ruff pass over the finished package (spec/generator.yaml runs no post hooks before it).
(cd "$work" && ruff check --isolated --no-cache --select F,I,UP --fix-only raia_agent_api >"$work/log" 2>&1 \
  && ruff format --isolated --no-cache raia_agent_api >"$work/log" 2>&1) || {
  cat "$work/log" >&2
  echo "generate.sh: ruff could not fix or format the generated code (invalid Python?); generated client left unchanged." >&2
  exit 1
}
step "formatted (ruff)"

# Ruff and mypy pass code that breaks on import; nothing replaces the package before this holds.
(cd "$root" && "$python" -m tools.codegen prove "$work/raia_agent_api" "$work/corrected.json" "$generator") || {
  echo "generate.sh: the generated package does not import, build a client or resolve its types; generated client left unchanged." >&2
  exit 1
}
step "proved: imports, builds a client, resolves its types"

if [ "$mode" = check ]; then
  if ! changes=$(diff -rq -x __pycache__ "$work/raia_agent_api" "$dest/raia_agent_api" 2>&1); then
    printf '%s\n' "$changes" | sed -e "s#$work/##g" -e "s#$dest/#generated_client/#g" >&2
    echo "generated_client/ does not match openapi.json + spec/overlay.yaml: run \`make generate\` and commit the result." >&2
    exit 1
  fi
  step "compared with generated_client/: up to date"
  exit 0
fi

mkdir -p "$dest"
rm -rf "$dest/raia_agent_api.new"
cp -r "$work/raia_agent_api" "$dest/raia_agent_api.new"
rm -rf "$dest/raia_agent_api"
mv "$dest/raia_agent_api.new" "$dest/raia_agent_api"
step "written to $dest/raia_agent_api"
