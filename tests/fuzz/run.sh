#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 10 minutes each), with a corpus seeded
# from the test fixtures. For developers; not part of CI. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); the stable toolchain works with RUSTC_BOOTSTRAP=1.
# Crashes land in tests/fuzz/artifacts/<target>/: turn each into a regression test.
#
#     tests/fuzz/run.sh            # 600 s per target
#     tests/fuzz/run.sh 60 front_matter
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(front_matter site_config knowledge_base); fi

# Seed corpora: every Markdown file and site.yaml of the fixtures and the bundled content.
corpus=tests/fuzz/corpus
mkdir -p "$corpus/front_matter" "$corpus/site_config" "$corpus/knowledge_base"
find tests/fixtures content -name '*.md' -exec cp -t "$corpus/front_matter/" {} + 2>/dev/null || true
find tests/fixtures content -name 'site.yaml' | while read -r f; do
  cp "$f" "$corpus/site_config/$(echo "$f" | tr '/' '_')"
done
# A knowledge base as one input: site.yaml, then `=== path` headers.
{
  cat tests/fixtures/valid/content/site.yaml
  find tests/fixtures/valid/content -name '*.md' | sort | while read -r f; do
    echo "=== ${f#tests/fixtures/valid/}"
    cat "$f"
  done
} > "$corpus/knowledge_base/valid"

export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
  echo "== $target for ${seconds}s"
  cargo fuzz run --fuzz-dir tests/fuzz "$target" "$corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -dict=tests/fuzz/yaml.dict
done
