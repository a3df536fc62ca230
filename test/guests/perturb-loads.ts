// Race hunting's load hooks, seen from a guest (test/perturb-memory.test.ts):
// a private segment of N i32 words, filled with i * 7 + 1 (stores, not
// hooked), then summed N times over (N * ROUNDS window loads), with loads of
// every width from the window (i64, f32, f64, narrow ones) and from the
// guest's own heap in between (not window loads). Prints what it computed,
// which must not depend on perturbation.
// Usage: perturb-loads N ROUNDS
@external("sysv", "shmget") declare function shmget(key: i32, size: i32, flg: i32): i32;
@external("sysv", "shmat") declare function shmat(id: i32, addr: i32, flg: i32): i32;
@external("sysv", "shmdt") declare function shmdt(addr: i32): i32;
@external("sysv", "shmctl") declare function shmctl(id: i32, cmd: i32, buf: i32): i32;

const n = I32.parseInt(process.argv[1]);
const rounds = I32.parseInt(process.argv[2]);
const heapWords = new Int32Array(16);
for (let i = 0; i < 16; i++) heapWords[i] = i;
const id = shmget(0, n * 4 + 64, 0o1600);
const a = shmat(id, 0, 0);
for (let i = 0; i < n; i++) store<i32>(a + 4 * i, i * 7 + 1);
let sum: i64 = 0;
let heapSum: i32 = 0;
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < n; i++) {
    sum += <i64>load<i32>(a + 4 * i);
    heapSum += heapWords[i & 15];
  }
}
// One of each other load, from the window (64 bytes past the words).
const t = a + 4 * n;
store<i64>(t, 0x123456789abcdef0);
store<f32>(t + 8, 1.5);
store<f64>(t + 16, 2.25);
let mixed = <f64>load<i64>(t) + <f64>load<f32>(t + 8) + load<f64>(t + 16) + <f64>load<u8>(t + 1) + <f64>load<i16>(t + 2) + <f64>load<u32>(t, 4);
console.log("sum=" + sum.toString() + " heap=" + heapSum.toString() + " mixed=" + mixed.toString());
shmdt(a);
shmctl(id, 0, 0);
