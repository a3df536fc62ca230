// Test guest for stdio routing: runs the commands in argv in order.
//   lines N      prints N lines "line 0" .. "line N-1" to stdout
//   bulk N SIZE  writes N chunks of SIZE bytes to stdout, chunk k all 'a' + k % 26
//   cat          copies stdin to stdout until end of input
//   err TEXT     prints TEXT to stderr (fd 2; AssemblyScript's console.error prints to stdout)
//   exit N       exits with N
@external("wasi_snapshot_preview1", "fd_read") declare function fd_read(fd: u32, iovs: usize, n: u32, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: u32, nw: usize): u16;

const argv = process.argv;
const buf = heap.alloc(4096);
const iov = heap.alloc(8);
const count = heap.alloc(4);

function writeAll(fd: u32, p: usize, len: u32): void {
  while (len > 0) {
    store<u32>(iov, <u32>p); store<u32>(iov, len, 4);
    if (fd_write(fd, iov, 1, count) != 0) process.exit(3);
    const n = load<u32>(count);
    p += n; len -= n;
  }
}

let i = 1;
while (i < argv.length) {
  const cmd = argv[i++];
  if (cmd == "lines") {
    const n = I32.parseInt(argv[i++]);
    for (let k = 0; k < n; k++) console.log("line " + k.toString());
  } else if (cmd == "bulk") {
    const n = I32.parseInt(argv[i++]);
    const size = I32.parseInt(argv[i++]);
    const chunk = heap.alloc(size);
    for (let k = 0; k < n; k++) {
      memory.fill(chunk, <u8>(97 + k % 26), size);
      writeAll(1, chunk, size);
    }
  } else if (cmd == "cat") {
    while (true) {
      store<u32>(iov, <u32>buf); store<u32>(iov, 4096, 4);
      if (fd_read(0, iov, 1, count) != 0) process.exit(4);
      const n = load<u32>(count);
      if (n == 0) break;
      writeAll(1, buf, n);
    }
  } else if (cmd == "err") {
    const text = String.UTF8.encode(argv[i++] + "\n");
    writeAll(2, changetype<usize>(text), <u32>text.byteLength);
  } else if (cmd == "exit") {
    process.exit(I32.parseInt(argv[i++]));
  } else {
    console.error("unknown command " + cmd);
    process.exit(2);
  }
}
