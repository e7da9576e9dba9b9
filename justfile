# task-manager recipes. `just` comes from the rust-just devDependency: run
# `pnpm exec just <recipe>` (or `just` if it is on your PATH).

export PATH := justfile_directory() + "/node_modules/.bin:" + env_var('PATH')

# list the recipes
default:
    @just --list

# install dependencies (pnpm 12.4.2; corepack does not work here: `npm i -g pnpm@12.4.2`)
install:
    pnpm install --frozen-lockfile

# compile every package (tsc -b: per-package dist/, the development build), then bundle
# the hot entry points into dist/bin/*.cjs (what scripts/task-manager/* link to)
build:
    tsc -b tsconfig.build.json
    node scripts/bundle.mjs

# write each bin's options table into its page in docs/ (checked by the tests)
docs: build
    node scripts/options-docs.mjs

# tap's settings (jobs, coverage) are package.json's "tap"; the summary is shared/core/src's
# line coverage by what the tests run in their own process (bins run as processes are not
# measured). The tests' TypeScript is compiled by esbuild, not ts-node (tests/fixtures/ts/).
# The PostgreSQL store's tests start their own servers: pg-install puts PostgreSQL there first.
# The several-hosts tests: left out of the parallel run (package.json "exclude"), run alone.
FLEET := "tests/fleet/hosts.test.ts tests/fleet/followups.test.ts tests/fleet/tools.test.ts"

# build, then run the whole test suite (raw TAP, coverage summary, then the "N passed, N failed" line)
test: build pg-install
    NODE_OPTIONS="${NODE_OPTIONS:-} --import={{justfile_directory()}}/tests/fixtures/ts/register.mjs" tap --reporter=./.ci/tap-summary.mjs
    @echo "— the store-agnostic end-to-end tests again, on PostgreSQL (tests/run-on-postgres.mjs) —"
    NODE_OPTIONS="${NODE_OPTIONS:-} --import={{justfile_directory()}}/tests/fixtures/ts/register.mjs" node tests/run-on-postgres.mjs --reporter=./.ci/tap-summary.mjs --disable-coverage
    @echo "— several hosts, one file at a time (each runs three hosts, their heartbeats and a database: run beside other tests, a loaded machine misses their leases) —"
    NODE_OPTIONS="${NODE_OPTIONS:-} --import={{justfile_directory()}}/tests/fixtures/ts/register.mjs" tap --reporter=./.ci/tap-summary.mjs --disable-coverage --jobs 1 {{FLEET}}

# the whole test suite, then the line coverage of shared/core/src file by file
coverage: test
    tap report text

# Debian's postgresql package, not embedded-postgres: docs/store.md says why. libfaketime
# (Debian's faketime) shifts the simulated hosts' wall clocks in tests/fleet.
# install what the tests need beyond node: PostgreSQL's server programs (initdb, pg_ctl) and libfaketime, when missing
pg-install:
    #!/usr/bin/env bash
    set -euo pipefail
    packages=()
    if bin="$(node scripts/pg-server.mjs --bin)"; then echo "pg-install: PostgreSQL found in $bin"; else packages+=(postgresql); fi
    if [ -n "${TASK_MANAGER_FAKETIME_LIB:-}" ] || ls /usr/lib/*/faketime/libfaketimeMT.so.1 >/dev/null 2>&1; then echo "pg-install: libfaketime found"; else packages+=(faketime); fi
    [ "${#packages[@]}" -gt 0 ] || exit 0
    if ! command -v apt-get >/dev/null; then
      echo "pg-install: missing ${packages[*]} and no apt-get: install PostgreSQL 13 or later (set TASK_MANAGER_PG_BIN to its bin directory) and libfaketime (set TASK_MANAGER_FAKETIME_LIB to libfaketimeMT.so.1)" >&2
      exit 1
    fi
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "pg-install: installing Debian's ${packages[*]} (the tests start their own throwaway servers; no cluster of Debian's is made)"
    # Debian would make (and, under systemd, start) a cluster on port 5432: none is needed.
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/task-manager.conf >/dev/null
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
    node scripts/pg-server.mjs --bin

# copy a state directory's tasks (statuses, queues, history) into another store: just store-copy --to postgres://…
[no-cd]
store-copy *ARGS: build
    node {{justfile_directory()}}/scripts/store-copy.mjs {{ARGS}}

# a throwaway local PostgreSQL server: prints the TASK_MANAGER_STORE to use; Ctrl-C stops it
pg: pg-install
    node scripts/pg.mjs

# benchmarks: ratios against the floor this machine measures (bench/results.json)
bench: build
    node bench/run.mjs

# the whole flow on a throwaway repository with the built-in demo worker
demo: build
    node scripts/demo.mjs

# put the bins on PATH for any repository: symlinks in DIR (default ~/.local/bin) to the built bins
install-bins DIR="~/.local/bin": build
    #!/usr/bin/env bash
    set -euo pipefail
    dir="{{DIR}}"; dir="${dir/#\~/$HOME}"
    mkdir -p "$dir"
    for bin in dispatch dispatch-watch dispatch-continue dispatch-stop hb-tick worker-reap; do
      ln -sfn "{{justfile_directory()}}/scripts/task-manager/$bin" "$dir/$bin"
    done
    # `just` too, unless one is there already: the recipes below run from any repository with it.
    command -v just >/dev/null 2>&1 || ln -sfn "{{justfile_directory()}}/node_modules/.bin/just" "$dir/just"
    echo "installed into $dir: dispatch dispatch-watch dispatch-continue dispatch-stop hb-tick worker-reap (and just, if it was missing)"
    case ":$PATH:" in *":$dir:"*) ;; *) echo "add it to PATH: export PATH=\"$dir:\$PATH\"" ;; esac

# --- operator flow: `just -f /path/to/task-manager/justfile RECIPE` from the repository you manage ---

# the heartbeat loop, one tick every $TASK_MANAGER_HEARTBEAT_SECONDS (60): the only manager loop
[no-cd]
[positional-arguments]
heartbeat *ARGS:
    #!/usr/bin/env bash
    # --every from the arguments wins; else one tick every $TASK_MANAGER_HEARTBEAT_SECONDS.
    set -euo pipefail
    case " $* " in *" --every "*|*" --every="*) exec {{justfile_directory()}}/scripts/task-manager/hb-tick "$@" ;; esac
    exec {{justfile_directory()}}/scripts/task-manager/hb-tick --every "${TASK_MANAGER_HEARTBEAT_SECONDS:-60}" "$@"

# one heartbeat cycle (pass --dry-run to see the plan only)
[no-cd]
[positional-arguments]
tick *ARGS:
    @{{justfile_directory()}}/scripts/task-manager/hb-tick "$@"

# start a task's worker: just dispatch SLUG --prompt "..."
[no-cd]
[positional-arguments]
dispatch *ARGS:
    @{{justfile_directory()}}/scripts/task-manager/dispatch "$@"

# a follow-up for a task's worker: just continue SLUG --prompt "..." [--interrupt]
[no-cd]
[positional-arguments]
continue *ARGS:
    @{{justfile_directory()}}/scripts/task-manager/dispatch-continue "$@"

# the status view (--follow to keep watching, --until-done to wait)
[no-cd]
[positional-arguments]
watch *ARGS:
    @{{justfile_directory()}}/scripts/task-manager/dispatch-watch "$@"

# find dead and orphaned workers (--dry-run to look only, --kill-orphans to stop orphans)
[no-cd]
[positional-arguments]
reap *ARGS:
    @{{justfile_directory()}}/scripts/task-manager/worker-reap "$@"

# stop a task's run and hold it (--release SLUG lifts the hold)
[no-cd]
[positional-arguments]
stop *ARGS:
    @{{justfile_directory()}}/scripts/task-manager/dispatch-stop "$@"

# `just test` runs each scenario once or a few times: kill -9 at each point 1 round, the start
# race 2 rounds, the continue race 20 follow-ups, the crash loop 8 tasks, the three hosts 1
# round each; here ROUNDS, ROUNDS, ROUNDS*10 follow-ups, 20 tasks, and ROUNDS rounds of the
# hosts' kill -9, partition and freeze, and of follow-ups through kill -9, partition and
# database restarts (about 35 s a round for the two).
# the reliability suite with more rounds: just soak [ROUNDS] (each scenario prints rounds and violations)
soak ROUNDS="50": build pg-install
    TM_SOAK_ROUNDS={{ROUNDS}} TM_CONTINUE_RACE_ROUNDS={{ROUNDS}}0 NODE_OPTIONS="${NODE_OPTIONS:-} --import={{justfile_directory()}}/tests/fixtures/ts/register.mjs" tap --reporter=./.ci/tap-summary.mjs --timeout 7200 --disable-coverage --jobs 1 tests/reliability tests/continue tests/fleet/hosts.test.ts tests/fleet/followups.test.ts

# contract tests against the real claude, codex and gemini CLIs (installed into a cache outside the workspace)
contract: build
    #!/usr/bin/env bash
    set -euo pipefail
    dir="${TASK_MANAGER_CONTRACT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/task-manager-contract}"
    [ -x "$dir/node_modules/.bin/gemini" ] || npm install --no-audit --no-fund --prefix "$dir" @anthropic-ai/claude-code@2.1.197 @openai/codex@0.169.0 @google/gemini-cli@0.61.0
    TASK_MANAGER_CONTRACT_DIR="$dir" tap --reporter=./.ci/tap-summary.mjs tests/contract/agents.test.ts
