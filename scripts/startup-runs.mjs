// Start-up figures for docs/startup.md, hyperfine-style: N launches of
// `node -e 0` and of `wasi-sysv run build/bench/hello.wasm`, interleaved,
// each timed by the bench's C launcher (fork, exec, wait4: wall time, CPU
// time user + sys, peak RSS of that process alone). Prints the medians and
// the ratios to `node -e 0` from this same run, with the load average.
//   node scripts/startup-runs.mjs [N=21] [extra wasi-sysv run options...]
// Build first (npm run build; the bench builds build/bench/*).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const launcher = `${root}build/bench/bench-native`;
const hello = `${root}build/bench/hello.wasm`;
const n = Number(process.argv[2] ?? 21);
const extra = process.argv.slice(3);
if (!(n > 0)) throw new Error('usage: node scripts/startup-runs.mjs [N] [run options...]');
for (const f of [launcher, hello]) {
  if (!fs.existsSync(f)) throw new Error(`${f} is missing: run "node bin/wasi-sysv.js bench --filter startup" once to build it`);
}

const commands = {
  'node -e 0': [process.execPath, '-e', '0'],
  'wasi-sysv run': [process.execPath, `${root}bin/wasi-sysv.js`, 'run', ...extra, hello],
};
const got = Object.fromEntries(Object.keys(commands).map((k) => [k, { wall: [], cpu: [], rss: [] }]));
const load0 = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
for (let i = 0; i < n; i++) {
  for (const [name, cmd] of Object.entries(commands)) {
    const out = execFileSync(launcher, ['launch', '--', ...cmd], { encoding: 'utf8' });
    if (name !== 'node -e 0' && !/^hello$/m.test(out)) throw new Error(`the guest did not say hello: ${out}`);
    const f = Object.fromEntries([...out.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
    got[name].wall.push(f.wall_ns / 1e6);
    got[name].cpu.push(f.cpu_ns / 1e6);
    got[name].rss.push(f.maxrss_kb / 1024);
  }
}
const load1 = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const base = got['node -e 0'];
console.log(`${n} interleaved launches each; load average ${load0} before, ${load1} after`);
console.log('command'.padEnd(16), 'wall ms'.padStart(9), 'cpu ms'.padStart(9), 'rss MiB'.padStart(9), '  ratios wall/cpu/rss');
for (const [name, g] of Object.entries(got)) {
  const r = (k) => (median(g[k]) / median(base[k])).toFixed(2);
  console.log(name.padEnd(16), median(g.wall).toFixed(1).padStart(9), median(g.cpu).toFixed(1).padStart(9),
    median(g.rss).toFixed(1).padStart(9), `  ${r('wall')} / ${r('cpu')} / ${r('rss')}`);
}
