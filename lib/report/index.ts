/** Dashboard payloads (versioned zod schemas per chart) and the self-contained HTML report of a run. */
export * from './diagnostics.ts';
export * from './downsample.ts';
export * from './payloads.ts';
export * from './render-html.ts';
export * from './report-artifact.ts';
export * from './tables.ts';
