// Builds what the labs room needs, each only when its sources are newer:
//   labs/native/*.c               -> build/labs/<name>         (cc -O2: lab-exec, lab-ipc)
//   labs/<lab>/guest/<name>.ts    -> labs/<lab>/<name>.wasm    (asc, release: the shipped labs' guests,
//                                    next to the lab file that names them)
// `node dist/labs/build.js` builds both (npm run build does); the lab
// command builds the helpers on first use.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'build/labs');
const mtime = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;

function compile(cmd: string, args: string[], out: string, what: string): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // asc picks the output format by extension: keep .wasm last.
  const tmp = out.endsWith(".wasm") ? out.replace(/\.wasm$/, `.${process.pid}.tmp.wasm`) : `${out}.${process.pid}.tmp`;
  try {
    execFileSync(cmd, [...args, '-o', tmp], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    fs.renameSync(tmp, out);
  } catch (e: any) {
    fs.rmSync(tmp, { force: true });
    const msg = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
    throw new Error(`building ${what} failed (${cmd === 'cc' ? 'is cc installed?' : cmd}):\n${msg}`);
  }
}

/** The two C helpers, built with cc when missing or stale; returns their paths. */
export function helpers(): { exec: string; ipc: string } {
  const out = { exec: path.join(OUT, 'lab-exec'), ipc: path.join(OUT, 'lab-ipc') };
  for (const name of ['lab-exec', 'lab-ipc']) {
    const src = path.join(ROOT, 'labs/native', `${name}.c`);
    const bin = path.join(OUT, name);
    if (mtime(src) > mtime(bin)) compile('cc', ['-O2', '-Wall', '-Werror', src], bin, `labs/native/${name}.c`);
  }
  return out;
}

/** Every shipped lab's guests; returns the modules it built. */
export function buildLabGuests(): string[] {
  const labs = path.join(ROOT, 'labs');
  const asc = path.join(ROOT, 'node_modules/.bin/asc');
  const lib = fs.readdirSync(path.join(ROOT, 'assembly'), { recursive: true }) as string[];
  const libTime = Math.max(...lib.map((f) => mtime(path.join(ROOT, 'assembly', f))));
  const built: string[] = [];
  for (const lab of fs.readdirSync(labs, { withFileTypes: true })) {
    const gdir = path.join(labs, lab.name, 'guest');
    if (!lab.isDirectory() || !fs.existsSync(gdir)) continue;
    for (const f of fs.readdirSync(gdir).filter((n) => n.endsWith('.ts'))) {
      const src = path.join(gdir, f);
      const out = path.join(labs, lab.name, f.replace(/\.ts$/, '.wasm'));
      if (mtime(out) > Math.max(mtime(src), libTime)) continue;
      compile(asc, [path.relative(ROOT, src), '--config', 'asconfig.json', '--target', 'release'], out, path.relative(ROOT, src));
      built.push(out);
    }
  }
  return built;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    helpers();
    for (const b of buildLabGuests()) console.log(`built ${path.relative(ROOT, b)}`);
  } catch (e: any) {
    console.error(e.message);
    process.exit(1);
  }
}
