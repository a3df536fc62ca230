// A hostile guest for the lab's `memoryPages` limit: allocates 1 MiB blocks
// and keeps them, without end; it prints each 16 MiB it holds. Its
// allocator's memory.grow is refused at the limit and it traps.
let keep = new Array<ArrayBuffer>(0);
let mib = 0;
for (;;) {
  keep.push(new ArrayBuffer(1 << 20));
  mib++;
  if (mib % 16 == 0) console.log("holding " + mib.toString() + " MiB");
}
