/** Child process for the lock tests: takes the stack lock of `argv[2]` (kind `argv[3]`), says so, then idles. */
import { acquireStackLock, type LockSocketKind } from '../../../local/stack/stack-lock.ts';

const [root, kind] = process.argv.slice(2);
if (root === undefined || (kind !== 'abstract' && kind !== 'file'))
  throw new Error('usage: hold-lock ROOT KIND');
const lock = await acquireStackLock(root, { socket: kind as LockSocketKind });
lock.describe({ apiUrl: 'http://127.0.0.1:1' });
process.stdout.write('held\n');
setInterval(() => undefined, 60_000);
