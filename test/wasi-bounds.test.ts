// Every WASI function the host offers, called by a real guest
// (test/guests/wasi-bounds.ts) once well and then with each of its pointers
// bad in turn: past the end of memory, straddling it, wrapping around 4 GiB,
// or inside or across a read-only window. Each bad pointer must be WASI
// EFAULT (21) and nothing else: no host write into a read-only page (a
// SIGSEGV of the whole host), no host failure from a RangeError, no ENOSYS
// for a function the host offers. This pins the tables of host/wasi.ts (the
// regions each function reads and writes, the functions that write nothing,
// the iovec counts) that issue 8's mutation run found untested.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, guest, test } from './helpers.js';

const bounds = guest('wasi-bounds');

/** "function case errno" for every call the guest makes, in its order. */
const EXPECTED = `
args_sizes_get ok 0
args_sizes_get argc ro 21
args_sizes_get bytes ro 21
args_sizes_get argc oob 21
args_sizes_get bytes oob 21
args_get ok 0
args_get argv last slot ro 21
args_get argv fits before ro 0
args_get buf fits before ro 0
args_get argv oob 21
args_get argv wraps 21
environ_sizes_get ok 0
environ_sizes_get count ro 21
environ_sizes_get bytes ro 21
environ_sizes_get bytes oob 21
environ_get ok 0
environ_get envp last slot ro 21
environ_get envp fits before ro 0
environ_get buf fits before ro 0
environ_get envp oob 21
clock_res_get ok 0
clock_res_get is 1000 ns 0
clock_res_get bad clock 28
clock_res_get out ro 21
clock_res_get out oob 21
clock_res_get out wraps 21
clock_time_get ok 0
clock_time_get bad clock 28
clock_time_get out straddles ro 21
clock_time_get monotonic 0
path_open f 0
path_open out ro 21
path_open out oob 21
path_open path oob 21
path_open path wraps 21
fd_advise ok 0
fd_advise stdout 0
fd_allocate ok 0
fd_datasync ok 0
fd_sync ok 0
fd_fdstat_get ok 0
fd_fdstat_get out ro 21
fd_fdstat_get out straddles end 21
fd_fdstat_get stdout ok 0
fd_fdstat_get stdout out ro 21
fd_fdstat_get stdout out straddles ro 21
fd_fdstat_set_flags ok 0
fd_fdstat_set_rights ok 0
fd_filestat_get ok 0
fd_filestat_get size 5 0
fd_filestat_get out ro 21
fd_filestat_get out straddles ro 21
fd_filestat_get out straddles end 21
fd_filestat_get stdout out ro 21
fd_filestat_get stdout out straddles end 21
fd_filestat_set_times ok 0
fd_seek ok 0
fd_seek out ro 21
fd_seek out straddles end 21
fd_tell ok 0
fd_tell is 1 0
fd_tell out ro 21
fd_tell out straddles end 21
fd_pread ok 0
fd_pread read 5 0
fd_pread nread ro 21
fd_pread nread oob 21
fd_pread iovs oob 21
fd_pread iovs wrap 21
fd_pread into ro 21
fd_pread into straddles end 21
fd_pread second iovec into ro 21
fd_pread iovecs over IOV_MAX 28
fd_read ok 0
fd_read into ro 21
fd_read nread ro 21
fd_read iovs oob 21
fd_read iovecs over IOV_MAX 28
fd_pwrite ok 0
fd_pwrite wrote 5 0
fd_pwrite nwritten ro 21
fd_pwrite nwritten oob 21
fd_pwrite iovs oob 21
fd_pwrite from oob 21
fd_pwrite from ro 0
fd_pwrite iovecs over IOV_MAX 28
fd_write ok 0
fd_write nwritten ro 21
fd_write from oob 21
fd_write stdout from oob 21
fd_write stdout iovecs over IOV_MAX 28
fd_prestat_get ok 0
fd_prestat_get name length 5 0
fd_prestat_get out ro 21
fd_prestat_get out straddles end 21
fd_prestat_dir_name ok 0
fd_prestat_dir_name is /data 0
fd_prestat_dir_name into ro 21
fd_prestat_dir_name straddles ro 21
fd_prestat_dir_name straddles end 21
fd_readdir ok 0
fd_readdir used some 0
fd_readdir into ro 21
fd_readdir straddles end 21
fd_readdir used ro 21
fd_readdir used oob 21
path_filestat_get ok 0
path_filestat_get out ro 21
path_filestat_get out straddles end 21
path_filestat_get path oob 21
path_filestat_set_times ok 0
path_filestat_set_times path oob 21
path_readlink ok 0
path_readlink is f 0
path_readlink into ro 21
path_readlink straddles end 21
path_readlink used ro 21
path_readlink path oob 21
path_create_directory ok 0
path_create_directory path oob 21
path_remove_directory ok 0
path_remove_directory path oob 21
path_link ok 0
path_link old oob 21
path_link new oob 21
path_rename ok 0
path_rename old oob 21
path_rename new oob 21
path_symlink ok 0
path_symlink target oob 21
path_symlink new oob 21
path_unlink_file ok 0
path_unlink_file h 0
path_unlink_file path oob 21
fd_renumber ok 0
fd_renumber source closed after 8
fd_renumber stdio onto a file 8
fd_renumber a file onto stdio 8
fd_close ok 0
fd_close again 8
sock_recv file 57
sock_recv stdin 2
sock_recv len ro 21
sock_recv flags ro 21
sock_recv iovecs over IOV_MAX 28
sock_send file 57
sock_send stdout 2
sock_send len ro 21
sock_send from oob 21
sock_send iovecs over IOV_MAX 28
sock_shutdown file 57
sock_shutdown stdout 2
poll_oneoff ok 0
poll_oneoff two events 0
poll_oneoff events ro 21
poll_oneoff second event straddles ro 21
poll_oneoff nevents ro 21
poll_oneoff second subscription oob 21
poll_oneoff none 28
poll_oneoff mixed 0 0:0:0 1:0:1 2:0:2 3:8:1 4:8:2 5:0:1 6:8:1 7:28:0 8:28:0 10:0:0 12:28:0
poll_oneoff absolute 0 1 0 in time
clock_time_get realtime advances 0
fd_read stdin skips an empty iovec 0
fd_read stdin got 4 0
fd_read stdin only empty iovecs 0
fd_read stdin got 0 0
abcd
fd_write stdout two iovecs 0
fd_write stdout wrote 5 0
random_get ok 0
random_get straddles ro 21
random_get straddles end 21
random_get wraps 21
random_get 1.5 MiB 0
random_get its last 64 bytes are filled 0
random_get 0 bytes 0
sched_yield ok 0
proc_raise 0 52
fd_close F 0
fd_renumber stdio onto stdio 0
fd_close stdio renumbered away 8
`.trim().split('\n');

test('every WASI function: a good call works, each bad pointer is EFAULT, the host lives on', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-bounds-'));
  try {
    fs.mkdirSync(path.join(dir, 'd'));
    fs.writeFileSync(path.join(dir, 'f'), 'hello');
    fs.symlinkSync('f', path.join(dir, 'l'));
    const before = Date.now() / 1000;
    const r = cli(['run', '--env', 'A=1', '--env', 'BB=22', '--dir', `${dir}:/data`, bounds], 'some input\n');
    const after = Date.now() / 1000;
    assert.is(r.signal, null, `the host died: ${r.stderr}`);
    assert.is(r.stderr, '', 'no host failure, no trap');
    assert.is(r.status, 0);
    const lines = r.stdout.trim().split('\n');
    assert.is(lines.pop(), 'done', 'the guest ran to its end');
    const clock = new Map(lines.filter((l) => l.startsWith('clock ')).map((l) => {
      const [, what, v] = l.split(' ');
      return [what!, Number(v)];
    }));
    assert.equal(lines.filter((l) => !l.startsWith('clock ')), EXPECTED);
    // The clocks against the test's own: realtime is now (whole seconds),
    // CPU time is in nanoseconds (a start-up costs milliseconds, not 0 or
    // hours).
    const real = clock.get('realtime-s')!;
    assert.ok(real >= Math.floor(before) && real <= Math.ceil(after), `realtime ${real} s, the test saw ${before}-${after}`);
    for (const cpu of ['process-ms', 'thread-ms']) {
      const ms = clock.get(cpu)!;
      assert.ok(ms >= 1 && ms < 60_000, `${cpu} ${ms}`);
    }
    // What the good calls did, and only that: "hello" overwritten by
    // "HELLO" (fd_pwrite), then by the read-only window's 5 zero bytes
    // (fd_pwrite from it: reading a read-only page is fine), and "HELLO"
    // written at the offset fd_read left (5); the link, rename, symlink and
    // directory made on the way are gone again.
    assert.equal(fs.readFileSync(path.join(dir, 'f')), Buffer.from('\0\0\0\0\0HELLO'));
    assert.equal(fs.readdirSync(dir).sort(), ['d', 'f', 'l']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
