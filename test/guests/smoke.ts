// Smoke guest: create, attach (host-chosen), store, IPC_STAT, detach, remove.
@external("sysv", "shmget") declare function shmget(key: i32, size: i32, flg: i32): i32;
@external("sysv", "shmat") declare function shmat(id: i32, addr: i32, flg: i32): i32;
@external("sysv", "shmdt") declare function shmdt(addr: i32): i32;
@external("sysv", "shmctl") declare function shmctl(id: i32, cmd: i32, buf: i32): i32;
const s = "init " + memory.size().toString(); // first allocation claims the heap
console.log(s);
const id = shmget(0, 10000, 0o1600);
const a = shmat(id, 0, 0);
const b = shmat(id, 0, 0);
store<u32>(a, 0xdeadbeef);
const buf = heap.alloc(80);
shmctl(id, 2, <i32>buf);
console.log("id=" + id.toString() + " a=" + a.toString() + " b=" + b.toString() + " alias=" + load<u32>(b).toString(16) + " segsz=" + load<u64>(buf + 32).toString() + " nattch=" + load<u64>(buf + 72).toString() + " mode=" + load<u32>(buf + 20).toString(8));
memory.grow(3);
console.log("after grow " + load<u32>(a).toString(16));
console.log("dt " + shmdt(a).toString() + " again " + shmdt(a).toString() + " after=" + load<u32>(a).toString());
console.log("rmid " + shmctl(id, 0, 0).toString());
