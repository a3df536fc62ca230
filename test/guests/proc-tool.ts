// Test guest for the proc import module, on the raw imports (docs/abi.md,
// addition 8). argv[1] picks the role:
//   exit N | trap | getpid KEY | block KEY | spawn NAME ARGS... | limit N
//   wait-none | bad | wait-block KEY | nohang KEY | leave KEY
@external("sysv", "shmget") declare function shmget(key: i32, size: i32, flg: i32): i32;
@external("sysv", "semget") declare function semget(key: i32, n: i32, flg: i32): i32;
@external("sysv", "semop") declare function semop(id: i32, sops: i32, n: i32): i32;
@external("sysv", "semctl") declare function semctl(id: i32, num: i32, cmd: i32, arg: i32): i32;
@external("proc", "spawn") declare function spawn(path: i32, pathLen: i32, args: i32, argsLen: i32): i32;
@external("proc", "wait") declare function wait(pid: i32, status: i32, options: i32): i32;
@external("proc", "getpid") declare function getpid(): i32;

const argv = process.argv;
const role = argv.length > 1 ? argv[1] : "";
const status = heap.alloc(8);
const top = <i32>(memory.size() << 16);

// One write per line: parent and child share stdout (console.log writes the
// text and "\n" apart, so their lines could mix).
function say(text: string): void { process.stdout.write(text + "\n"); }
function line(what: string, r: i32): void { say(what + " " + r.toString()); }

/** Spawns NAME with ARGS (an argument block of NUL-terminated strings). */
function doSpawn(name: string, args: string[]): i32 {
  const path = String.UTF8.encode(name);
  let block = "";
  for (let i = 0; i < args.length; i++) block += args[i] + "\0";
  const b = String.UTF8.encode(block);
  return spawn(<i32>changetype<usize>(path), path.byteLength, <i32>changetype<usize>(b), b.byteLength);
}

function reap(pid: i32): void {
  const w = wait(pid, <i32>status, 0);
  say("wait " + w.toString() + " status " + load<i32>(status).toString());
}

if (role == "exit") {
  process.exit(I32.parseInt(argv[2]));
} else if (role == "trap") {
  unreachable();
} else if (role == "getpid") {
  line("getpid", getpid());
  line("shmget", shmget(I32.parseInt(argv[2]), 4096, 0o1600));
} else if (role == "block") {
  const id = semget(I32.parseInt(argv[2]), 1, 0o1600);
  line("blocking", id);
  const sop = heap.alloc(8);
  store<u16>(sop, 0); store<i16>(sop, -1, 2); store<i16>(sop, 0, 4);
  line("semop", semop(id, <i32>sop, 1));
} else if (role == "spawn") {
  const r = doSpawn(argv[2], argv.slice(3));
  line("spawn", r);
  if (r > 0) reap(r);
} else if (role == "limit") {
  const n = I32.parseInt(argv[2]);
  const pids = new Array<i32>();
  for (let i = 0; i <= n; i++) {
    const r = doSpawn("", ["exit", "0"]);
    line("spawn", r);
    if (r > 0) pids.push(r);
  }
  for (let i = 0; i < pids.length; i++) reap(pids[i]);
  // Reaped children no longer count: one more spawn works.
  const again = doSpawn("", ["exit", "0"]);
  line("again", again);
  if (again > 0) reap(again);
} else if (role == "wait-none") {
  line("any", wait(-1, <i32>status, 0));
  line("stranger", wait(1, <i32>status, 0));
  line("group", wait(0, <i32>status, 0));
  line("options", wait(-1, <i32>status, 4));
} else if (role == "bad") {
  const p = String.UTF8.encode("");
  const ok = String.UTF8.encode("exit\x003\0");
  const pp = <i32>changetype<usize>(p), op = <i32>changetype<usize>(ok);
  line("path oob", spawn(top - 2, 8, op, ok.byteLength));
  line("path huge", spawn(pp, -1, op, ok.byteLength));
  line("args oob", spawn(pp, 0, top - 4, 16));
  line("args unterminated", spawn(pp, 0, op, ok.byteLength - 1));
  const child = spawn(pp, 0, op, ok.byteLength);
  line("child", child > 0 ? 1 : child);
  line("status oob", wait(child, top - 2, 0));
  line("status neg", wait(child, -4, 0));
  const w = wait(child, 0, 0); // NULL status: reaped, nothing written
  line("null status", w == child ? 1 : w);
  line("after", wait(child, <i32>status, 0));
} else if (role == "wait-block") {
  const r = doSpawn("", ["block", argv[2]]);
  line("spawned", r);
  reap(r);
} else if (role == "leave") {
  line("spawned", doSpawn("", ["block", argv[2]]));
  say("left");
} else if (role == "nohang") {
  const key = I32.parseInt(argv[2]);
  const r = doSpawn("", ["block", argv[2]]);
  line("spawned", r > 0 ? 1 : r);
  line("nohang", wait(r, <i32>status, 1));
  // Remove the set once the child is blocked on it: its semop ends (EIDRM).
  let id = -1;
  while (id < 0 || semctl(id, 0, 14, 0) < 1) { id = semget(key, 1, 0); }
  line("rmid", semctl(id, 0, 0, 0));
  reap(r);
} else {
  say("unknown role " + role);
  process.exit(2);
}
