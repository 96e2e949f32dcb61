/**
 * The extra artifact Finalize adds in every deployment (cloud and local): `report.html`, built by lib/report from
 * the same inputs as the other artifacts plus the run id, the parsed spec and the walk-forward folds of the plan.
 * Same run ⇒ same bytes (nothing here reads a clock).
 */
import { buildReportArtifact, REPORT_ARTIFACT_NAME, REPORT_CONTENT_TYPE, reportFolds } from '../../lib/report/index.ts';
import type { RunRef, WorkflowContext } from '../../lib/workflow/context.ts';
import { readPlan, readSpec } from '../../lib/workflow/run-io.ts';
import type { ExtraArtifacts } from '../../lib/workflow/steps/finalize.ts';

export const reportExtras =
  (ctx: WorkflowContext, ref: RunRef): ExtraArtifacts =>
  async (input) => {
    const [spec, plan] = await Promise.all([readSpec(ctx, ref), readPlan(ctx, ref)]);
    const bytes = buildReportArtifact({ ...input, runId: ref.runId, spec, folds: reportFolds(plan.folds) });
    return [{ name: REPORT_ARTIFACT_NAME, bytes, contentType: REPORT_CONTENT_TYPE }];
  };
