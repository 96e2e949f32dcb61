/**
 * The state machine's Task states, named once. The CDK app builds the state machine from these names and the
 * local runtime maps each name to the same Lambda handler, so the cloud and the laptop run one definition.
 */
export const STEP_NAMES = {
  prepare: 'Prepare',
  buildFeatures: 'BuildFeatures',
  trainScore: 'TrainScore',
  optimize: 'Optimize',
  simulateChunk: 'SimulateChunk',
  finalize: 'Finalize',
  markFailed: 'MarkFailed',
} as const;
export type StepKey = keyof typeof STEP_NAMES;
export type StepName = (typeof STEP_NAMES)[StepKey];
