// The README's fenced code blocks, for the tests that run them (readme.test.ts,
// package.test.ts).

export interface Block { lang: string; body: string; line: number; section: string }

/** Every fenced block: its info string, body, 1-based line and the ## section it is in. */
export function readmeBlocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('## ')) section = l.slice(3).trim();
    const open = /^```(\S*)\s*$/.exec(l);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    out.push({ lang: open[1]!, body: body.join('\n') + '\n', line: start + 1, section });
  }
  return out;
}

