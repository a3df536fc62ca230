// Minimal argument handling for the bench guests: `<mode> --name value...`
// with decimal integers only (the driver writes every argument).

export function fail(msg: string): void {
  process.stderr.write("bench guest: " + msg + "\n");
  process.exit(2);
}

export function mode(): string {
  let argv = process.argv;
  if (argv.length < 2) fail("usage: <mode> [--name value...]");
  return argv[1];
}

/** The value of `--name` as an integer; `def` when absent (-1: required). */
export function int(name: string, def: i64 = -1): i64 {
  let argv = process.argv;
  for (let i = 2; i + 1 < argv.length; i += 2) {
    if (argv[i] != name) continue;
    let s = argv[i + 1];
    let v: i64 = 0;
    let neg = s.length > 0 && s.charCodeAt(0) == 45;
    let k = neg ? 1 : 0;
    if (k >= s.length) fail("bad number for " + name);
    for (; k < s.length; k++) {
      let c = s.charCodeAt(k);
      if (c < 48 || c > 57) fail("bad number for " + name + ": " + s);
      v = v * 10 + <i64>(c - 48);
    }
    return neg ? -v : v;
  }
  if (def < 0) fail("missing " + name);
  return def;
}

/** 16 lowercase hex digits, like C's %016llx. */
export function hex64(v: u64): string {
  return v.toString(16).padStart(16, "0");
}

/** Nanoseconds on the WASI monotonic clock (f64 keeps ns exactly up to ~104 days). */
export function nowNs(): f64 {
  return clockNs(1);
}

/** CPU time of the whole process in nanoseconds (WASI clock 2, process CPU time). */
export function cpuNs(): f64 {
  return clockNs(2);
}

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(id: u32, precision: u64, time: usize): i32;

const CLOCK_OUT: usize = memory.data(8, 8);

function clockNs(id: u32): f64 {
  if (clock_time_get(id, 1, CLOCK_OUT) != 0) fail("clock_time_get failed");
  return <f64>load<u64>(CLOCK_OUT);
}
