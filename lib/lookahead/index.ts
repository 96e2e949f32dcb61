/**
 * lib/lookahead: future-perturbation harness.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/lookahead may import lib/core, lib/data, lib/features, lib/labels,
 * each through its index.ts; other folders of lib import lib/lookahead through this file only; nothing in lib imports lib/api.
 */
