#!/usr/bin/env bash
# The full test suite, as CI runs it. Installs nothing (see README.md and .ci/run for the
# packages). Two build trees, each built with warnings as errors and tested with ctest:
#
#   build/       the normal build (compiler: $CC, else cc)
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer (compiler: $ASAN_CC, else clang
#                when it can link a sanitized program, else gcc)
#
# ctest runs every tests/test_*.c (cmocka), every tests/<area>/run.sh (CLI tests, formatting
# check, ...) in each tree. Set BUILD_DIR / ASAN_BUILD_DIR to use other folders.
#
#   tests/all.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${BUILD_DIR:-build}
asan_dir=${ASAN_BUILD_DIR:-build-asan}
jobs=$(nproc 2>/dev/null || echo 2)
start=$SECONDS

current=""
step() {
    current=$*
    printf '\n==== %s\n' "$*"
}
on_exit() {
    local rc=$?
    if [[ $rc -ne 0 ]]; then
        printf '\n==== FAILED: %s (exit %s)\n' "$current" "$rc"
    fi
}
trap on_exit EXIT

# Configures and builds one tree. A tree configured with another compiler is rebuilt from
# scratch (CMake cannot switch compilers in place).
build_tree() {
    local dir=$1 cc=$2
    shift 2
    local cache="$dir/CMakeCache.txt" cached
    if [[ -f $cache ]]; then
        cached=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cache")
        if [[ $(readlink -f "$(command -v "$cc")") != $(readlink -f "$cached") ]]; then
            echo "$dir/ was configured with $cached; configuring it again from scratch for $cc"
            rm -rf "$dir"
        fi
    fi
    CC=$cc cmake -S . -B "$dir" -DMIGSAFE_WERROR=ON "$@"
    cmake --build "$dir" -j "$jobs"
}

# Does this compiler build and run a program with both sanitizers? (clang needs the runtime
# package libclang-rt-14-dev on Debian.)
can_sanitize() {
    local cc=$1 tmp
    command -v "$cc" >/dev/null || return 1
    tmp=$(mktemp -d)
    printf 'int main(void) { return 0; }\n' >"$tmp/t.c"
    local ok=1
    if "$cc" -fsanitize=address,undefined "$tmp/t.c" -o "$tmp/t" 2>/dev/null && "$tmp/t"; then
        ok=0
    fi
    rm -rf "$tmp"
    return $ok
}

cc=${CC:-cc}
if [[ -n ${ASAN_CC:-} ]]; then
    asan_cc=$ASAN_CC
elif can_sanitize clang; then
    asan_cc=clang
else
    asan_cc=gcc
fi

failed=()

step "build ($cc) in $build_dir/"
build_tree "$build_dir" "$cc"
step "ctest in $build_dir/"
ctest --test-dir "$build_dir" --output-on-failure || failed+=("$build_dir")

step "sanitizer build ($asan_cc, ASan + UBSan) in $asan_dir/"
build_tree "$asan_dir" "$asan_cc" -DMIGSAFE_SANITIZE=ON
step "ctest in $asan_dir/"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$asan_dir" --output-on-failure || failed+=("$asan_dir")

if [[ ${#failed[@]} -gt 0 ]]; then
    current="tests failed in ${failed[*]} ($((SECONDS - start)) s)"
    exit 1
fi
step "all tests passed in $build_dir/ and $asan_dir/ ($((SECONDS - start)) s)"
