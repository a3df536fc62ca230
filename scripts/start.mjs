#!/usr/bin/env node
// npm start: the main job on its defaults. Builds what it needs, runs the
// double-buffer example (two buffers, two semaphores) as two wasm guest processes
// (writer and reader) passing 256 MiB through their windows, then the same
// with the native C twins for comparison; verifies the checksums, prints
// MB/s and what ipcs showed while the guests ran, and removes its objects.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 1 << 20; // bytes per buffer
const COUNT = 256; // buffers: 256 MiB in all
const say = (s) => process.stdout.write(s + '\n');

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${r.status})`);
  }
}

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

const ipcs = () => spawnSync('ipcs', ['-m', '-s'], { encoding: 'utf8' }).stdout;
const hexKey = (k) => '0x' + k.toString(16).padStart(8, '0');
function remove(key) {
  spawnSync('ipcrm', ['-M', String(key)], { stdio: 'ignore' });
  spawnSync('ipcrm', ['-S', String(key)], { stdio: 'ignore' });
}

/** Runs writer and reader concurrently on `key`; samples ipcs while they run. */
async function pair(writer, reader, key) {
  remove(key);
  const common = ['--key', String(key), '--size', String(SIZE), '--count', String(COUNT)];
  let seen = '';
  let best = -1;
  let running = true;
  const sampler = (async () => {
    while (running) {
      // ipcs -m then -s: keep the section headers and our key's rows.
      const lines = ipcs().split('\n').filter((l) => /^(------|key)/.test(l) || l.startsWith(hexKey(key)));
      const shm = lines.find((l) => l.startsWith(hexKey(key)));
      const nattch = shm ? Number(shm.trim().split(/\s+/)[5]) : -1;
      if (nattch > best) { best = nattch; seen = lines.join('\n'); }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = performance.now();
  const [w, r] = await Promise.all([run(writer[0], [...writer.slice(1), ...common]), run(reader[0], [...reader.slice(1), ...common])]);
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await sampler;
  remove(key);
  for (const [name, p] of [['writer', w], ['reader', r]]) {
    if (p.code !== 0) throw new Error(`${name} failed (exit ${p.code}): ${(p.err || p.out).trim()}`);
  }
  const sum = (s) => /checksum=([0-9a-f]+) bytes=(\d+)/.exec(s);
  const ws = sum(w.out);
  const rs = sum(r.out);
  if (!ws || !rs) throw new Error(`no checksum line from writer or reader:\n${w.out}${r.out}`);
  if (ws[1] !== rs[1] || ws[2] !== rs[2]) throw new Error(`checksum mismatch: writer ${ws[1]} (${ws[2]} B), reader ${rs[1]} (${rs[2]} B)`);
  const mbs = Number(/MB\/s=([\d.]+)/.exec(r.out)?.[1] ?? NaN);
  return { checksum: rs[1], bytes: Number(rs[2]), mbs, seconds, ipcs: seen };
}

async function main() {
  say('wasi-sysv: a double buffer in one shared segment (two buffers, two semaphores), writer and reader as two wasm guests');
  if (!existsSync(path.join(root, 'dist/host/cli.js'))) step(path.join(root, 'node_modules/.bin/tsc'), ['-p', '.']);
  step(process.execPath, ['scripts/build-guests.mjs', 'dbuf-writer', 'dbuf-reader']);
  const cli = [process.execPath, path.join(root, 'bin/wasi-sysv.js'), 'run'];
  const key = 0x57530000 + (process.pid & 0xffff);
  const wasm = await pair([...cli, 'build/examples/dbuf-writer.wasm'], [...cli, 'build/examples/dbuf-reader.wasm'], key);
  const nat = await pair([path.join(root, 'build/native/dbuf-writer')], [path.join(root, 'build/native/dbuf-reader')], key + 1);
  say(`\nipcs while the guests ran (key ${hexKey(key)}: one segment of 2 x ${SIZE} bytes, one set of 2 semaphores):`);
  say(wasm.ipcs.split('\n').map((l) => '  ' + l).join('\n'));
  say('');
  say('  run            bytes        checksum           reader MB/s   wall s');
  say(`  wasm guests    ${String(wasm.bytes).padEnd(12)} ${wasm.checksum}   ${wasm.mbs.toFixed(0).padStart(11)}   ${wasm.seconds.toFixed(2)}`);
  say(`  native C       ${String(nat.bytes).padEnd(12)} ${nat.checksum}   ${nat.mbs.toFixed(0).padStart(11)}   ${nat.seconds.toFixed(2)}`);
  if (wasm.checksum !== nat.checksum) throw new Error('wasm and native checksums differ');
  say(`\nchecksums agree (writer = reader = native); wasm/native throughput ${(wasm.mbs / nat.mbs).toFixed(2)}x;` +
    ' wall time includes starting Node and compiling the guests.');
  say(`objects removed: ${ipcs().includes(hexKey(key)) ? 'NO' : 'yes'}`);
}

main().catch((e) => {
  process.stderr.write(`npm start: ${e.message}\n`);
  process.exit(1);
});
