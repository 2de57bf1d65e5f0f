#!/bin/bash -eu
# Builds every cargo-fuzz target and hands it, with its seed corpus, to ClusterFuzzLite.
cd "$SRC/authbackup/fuzz"
# Link the build image's prebuilt libFuzzer, as its C and C++ projects do, instead of letting
# libfuzzer-sys compile its own copy with the image's CXXFLAGS: those carry
# -fsanitize=address and -fsanitize=fuzzer-no-link, so the engine would run under ASan and
# count its own code as coverage (see fuzz/README.md, "libFuzzer runs without ASan").
if [ "${FUZZING_ENGINE:-}" = libfuzzer ] && [ -f "${LIB_FUZZING_ENGINE_DEPRECATED:-}" ]; then
  export CUSTOM_LIBFUZZER_PATH="$LIB_FUZZING_ENGINE_DEPRECATED"
  export CUSTOM_LIBFUZZER_STD_CXX=c++
fi
cargo fuzz build -O
for target in $(cargo fuzz list); do
  cp "target/x86_64-unknown-linux-gnu/release/$target" "$OUT/"
  if [ -d "corpus/$target" ]; then
    (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
done
