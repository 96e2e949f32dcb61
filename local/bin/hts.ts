#!/usr/bin/env -S npx tsx
/** The `hts` executable of package.json's `bin`: the CLI in `local/cli/main.ts`. */
import '../cli/main.ts';
