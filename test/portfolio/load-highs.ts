/**
 * Loads the HiGHS wasm runtime. The package's types describe a CommonJS default export, which TypeScript (NodeNext)
 * does not see as callable from ESM; at runtime the ESM build exports the loader as `default`.
 */
import type { Highs } from 'highs';
import * as highsModule from 'highs';

export async function loadHighs(): Promise<Highs> {
  const loader = (highsModule as unknown as { default: () => Promise<Highs> }).default;
  return loader();
}
