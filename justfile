# task-manager recipes. `just` comes from the rust-just devDependency: run
# `pnpm exec just <recipe>` (or `just` if it is on your PATH).

export PATH := justfile_directory() + "/node_modules/.bin:" + env_var('PATH')

# list the recipes
default:
    @just --list

# install dependencies (pnpm 12.4.2; corepack does not work here: `npm i -g pnpm@12.4.2`)
install:
    pnpm install --frozen-lockfile

# compile every package (tsc -b: per-package dist/, exact stack traces)
build:
    tsc -b tsconfig.build.json

# build, then run the whole test suite (raw TAP, then the "N passed, N failed" line)
test: build
    tap --reporter=./.ci/tap-summary.mjs

# benchmarks: ratios against the floor this machine measures (bench/results.json)
bench: build
    node bench/run.mjs

# the whole flow on a throwaway repository with the built-in demo worker
demo: build
    node scripts/demo.mjs
