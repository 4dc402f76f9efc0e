#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) and runs each for FUZZ_SECONDS
# (default 60). New interesting inputs go to fuzz/corpus/<name>/; a crash is saved as
# fuzz/crash-* — add it to the corpus so it becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DYX_FUZZ=ON -DYX_API_TESTS=OFF \
  -DYX_E2E_TESTS=OFF >/dev/null
cmake --build build-fuzz -j2 --target fuzz_request fuzz_fold fuzz_dicom fuzz_image fuzz_jwt fuzz_tus fuzz_ws fuzz_import fuzz_fhir fuzz_bundle
for h in request fold dicom image jwt tus ws import fhir bundle; do
  echo "fuzzing $h for ${SECONDS_EACH}s"
  ./build-fuzz/fuzz_$h -max_total_time="$SECONDS_EACH" -artifact_prefix=fuzz/crash-$h- fuzz/corpus/$h
done
