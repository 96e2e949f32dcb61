import loadHighs from 'highs';
import { Rng } from '../../lib/core/rng.ts';
import { realisticCase, solveWithHighs } from './qp-fixtures.ts';
const highs = await loadHighs({ print: (s: string) => console.log('H:', s), printErr: (s: string) => console.log('HE:', s) } as never);
const rng = Rng.fromSeed(5);
const c = realisticCase(rng, 30);
try { const h = solveWithHighs(highs, c); console.log(h.status, h.objective); } catch (e) { console.log(String(e).slice(0, 300)); }
