// Sleeping and clocks through WASI directly, so that the library does not
// depend on which WASI shim (if any) the guest uses.

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "poll_oneoff")
declare function wasi_poll_oneoff(subs: usize, events: usize, nsubs: usize, nevents: usize): i32;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
declare function wasi_clock_time_get(id: u32, precision: u64, time: usize): i32;

// One WASI subscription (48 bytes), one event (32 bytes), the event count (4).
// A static scratch area: the guest is single-threaded and nothing here
// re-enters.
const SUB: usize = memory.data(48 + 32 + 8, 8);
const EVENT: usize = SUB + 48;
const NEVENTS: usize = EVENT + 32;
const CLOCK_MONOTONIC: u32 = 1;
const EVENTTYPE_CLOCK: u8 = 0;

/** Blocks for `ms` milliseconds (one relative CLOCK_MONOTONIC subscription). */
export function sleepMs(ms: i64): void {
  if (ms <= 0) return;
  memory.fill(SUB, 0, 48);
  store<u64>(SUB, 0, 0);                    // userdata
  store<u8>(SUB, EVENTTYPE_CLOCK, 8);       // u.tag
  store<u32>(SUB, CLOCK_MONOTONIC, 16);     // u.clock.id
  store<u64>(SUB, <u64>ms * 1000000, 24);   // u.clock.timeout (ns, relative)
  store<u64>(SUB, 0, 32);                   // u.clock.precision
  store<u16>(SUB, 0, 40);                   // u.clock.flags: relative
  let err = wasi_poll_oneoff(SUB, EVENT, 1, NEVENTS);
  if (err != 0) throw new Error("poll_oneoff failed: WASI errno " + err.toString());
}

/** Milliseconds on CLOCK_MONOTONIC (arbitrary origin), with sub-ms precision. */
export function nowMs(): f64 {
  let err = wasi_clock_time_get(CLOCK_MONOTONIC, 1000, NEVENTS);
  if (err != 0) throw new Error("clock_time_get failed: WASI errno " + err.toString());
  return <f64>load<u64>(NEVENTS) / 1e6;
}
