/**
 * lib/labels: forward excess returns and downside events.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/labels may import lib/core, lib/data,
 * each through its index.ts; other folders of lib import lib/labels through this file only; nothing in lib imports lib/api.
 */
export { downsideEvent, forwardExcessReturn, LabelSpec, labelKnownMs } from './labels.ts';
