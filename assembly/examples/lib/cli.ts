// Small helpers shared by the example guests (not part of the library).

/** Prints one line to stderr and exits with status 1. */
export function fail(msg: string): void {
  process.stderr.write(msg + "\n");
  process.exit(1);
}

/**
 * Parses an integer like C's strtoll(s, 0, 0): decimal, 0x hex or 0 octal,
 * optional sign, plus an optional K or M suffix (x1024, x1048576).
 * Returns false in `ok` when `s` is not such a number.
 */
function parseNum(s: string, out: StaticArray<i64>): bool {
  let i = 0, n = s.length, neg = false;
  if (i < n && (s.charCodeAt(i) == 45 || s.charCodeAt(i) == 43)) { neg = s.charCodeAt(i) == 45; i++; }
  let base = 10;
  if (i + 1 < n && s.charCodeAt(i) == 48 && (s.charCodeAt(i + 1) | 32) == 120) { base = 16; i += 2; }
  else if (i + 1 < n && s.charCodeAt(i) == 48) { base = 8; i++; }
  let start = i;
  let v: i64 = 0;
  for (; i < n; i++) {
    let c = s.charCodeAt(i), d = -1;
    if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 102) d = (c | 32) - 87;
    if (d < 0 || d >= base) break;
    v = v * base + d;
  }
  if (i == start) return false;
  if (i < n) {
    let c = s.charCodeAt(i) | 32;
    if (c == 107) v <<= 10; else if (c == 109) v <<= 20; else return false;
    if (++i != n) return false;
  }
  out[0] = neg ? -v : v;
  return true;
}

/** Command-line options of the form `--name value` and bare `--flag`. */
export class Args {
  private argv: string[];
  private used: bool[];

  constructor(private usage: string) {
    let argv = process.argv;
    this.argv = argv;
    this.used = new Array<bool>(argv.length);
    if (argv.length > 0) this.used[0] = true; // program name
  }

  int(name: string, def: i64): i64 {
    let out = new StaticArray<i64>(1);
    for (let i = 1; i < this.argv.length; i++) {
      if (this.argv[i] != name) continue;
      this.used[i] = true;
      if (i + 1 >= this.argv.length) fail(name + " needs a value (usage: " + this.usage + ")");
      this.used[i + 1] = true;
      if (!parseNum(this.argv[i + 1], out)) fail("bad number for " + name + ": " + this.argv[i + 1]);
      return out[0];
    }
    return def;
  }

  flag(name: string): bool {
    for (let i = 1; i < this.argv.length; i++) {
      if (this.argv[i] == name) { this.used[i] = true; return true; }
    }
    return false;
  }

  /** Fails on any argument that no int()/flag() call consumed. */
  done(): void {
    for (let i = 1; i < this.argv.length; i++) {
      if (!this.used[i]) fail("unknown argument: " + this.argv[i] + " (usage: " + this.usage + ")");
    }
  }
}

/** 16 lowercase hex digits. */
export function hex64(v: u64): string {
  return v.toString(16).padStart(16, "0");
}

/** A non-negative float with one decimal, like C's "%.1f". */
export function fixed1(x: f64): string {
  let t = <i64>Math.round(x * 10);
  return (t / 10).toString() + "." + (t % 10).toString();
}
