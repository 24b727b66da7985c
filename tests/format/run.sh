#!/usr/bin/env bash
# Formatting check: every C file in src/, rules/ and tests/*.c must be exactly what clang-format
# makes of it with the repository's .clang-format. Prints the diff of each file that is not.
#
#   bash tests/format/run.sh [path/to/migsafe]   (the argument is ignored; ctest passes it)
#
# CI formats with clang-format 14 (Debian 12); other versions may lay some lines out differently.
# To fix a file: clang-format -i FILE
set -u
export LC_ALL=C
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

fmt=""
for candidate in clang-format-14 clang-format; do
    if command -v "$candidate" >/dev/null; then
        fmt=$candidate
        break
    fi
done
if [[ -z $fmt ]]; then
    echo "clang-format is not installed: apt-get install clang-format" >&2
    exit 1
fi
version=$("$fmt" --version)
echo "using $version"
if [[ $version != *" 14."* ]]; then
    echo "note: CI checks formatting with clang-format 14; this version may disagree with it"
fi

mapfile -t files < <(find src rules -type f \( -name '*.c' -o -name '*.h' \) | sort
    find tests -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) | sort)
unformatted=()
for f in "${files[@]}"; do
    if ! "$fmt" --style=file "$f" | cmp -s - "$f"; then
        unformatted+=("$f")
    fi
done

echo "${#files[@]} files checked, ${#unformatted[@]} not formatted"
if [[ ${#unformatted[@]} -eq 0 ]]; then
    exit 0
fi
printf 'not formatted: %s\n' "${unformatted[@]}"
for f in "${unformatted[@]}"; do
    "$fmt" --style=file "$f" | diff -u --label "$f" --label "$f (clang-format)" "$f" -
done
echo "fix with: $fmt -i ${unformatted[*]}"
exit 1
