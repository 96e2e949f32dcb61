/** Handler module for the worker pool's tests: `{ spin: true }` loops forever, anything else echoes `value`. */
export const handler = async (event: { spin?: boolean; value?: unknown }): Promise<unknown> => {
  if (event.spin === true) {
    let x = 0;
    for (;;) x = (x + 1) % 1_000_003;
  }
  return event.value ?? null;
};
