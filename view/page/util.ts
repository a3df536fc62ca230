// Small helpers of the page: escaping (every text shown can come from a
// guest: process names, strace lines) and number formats.
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const hexKey = (k: number | null): string => (k === null ? '?' : k === 0 ? 'IPC_PRIVATE' : `0x${(k >>> 0).toString(16)}`);
export const $ = <T extends Element = HTMLElement>(sel: string): T => {
  const e = document.querySelector<T>(sel);
  if (!e) throw new Error(`the page has no ${sel}`);
  return e;
};
export const SVG_NS = 'http://www.w3.org/2000/svg';
