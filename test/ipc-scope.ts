// Removes only the IPC objects a test created. uvu imports every test file
// before running any, so a file's top-level objects (bad-input.test.ts makes
// its segment and set at import) must survive other files' cleanup:
// `ipcrm --all` in an earlier file would remove them.
import { spawnSync } from 'node:child_process';

function ids(kind: '-m' | '-s'): string[] {
  return spawnSync('ipcs', [kind], { encoding: 'utf8' }).stdout.split('\n')
    .filter((l) => l.startsWith('0x')).map((l) => l.trim().split(/\s+/)[1]!);
}

/** Call before a test; the function it returns removes what appeared since. */
export function ipcScope(): () => void {
  const shm = new Set(ids('-m'));
  const sem = new Set(ids('-s'));
  return () => {
    for (const id of ids('-m')) if (!shm.has(id)) spawnSync('ipcrm', ['-m', id]);
    for (const id of ids('-s')) if (!sem.has(id)) spawnSync('ipcrm', ['-s', id]);
  };
}
