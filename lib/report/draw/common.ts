/** What every drawer shares: XML escaping, text, and the article's colours. */

/** Escapes text for XML element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Shortens text to at most `max` characters, with an ellipsis. */
export function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Roughly how many characters of 12px DejaVu Sans fit in `width` units. */
export function charsFor(width: number, fontSize = 12): number {
  return Math.max(3, Math.floor(width / (fontSize * 0.62)));
}

export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'normal' | 'bold';
  fill?: string;
  cls?: string;
}

/** One line of text; the content is escaped. */
export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const attrs = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `font-size="${o.size ?? 12}"`,
    o.anchor && o.anchor !== 'start' ? `text-anchor="${o.anchor}"` : '',
    o.weight === 'bold' ? 'font-weight="bold"' : '',
    o.fill ? `fill="${o.fill}"` : '',
    o.cls ? `class="${o.cls}"` : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${esc(content)}</text>`;
}

export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Colours taken from the article's drawing. */
export const colour = {
  region: '#147eba',
  vpc: '#248814',
  az: '#879196',
  publicFill: '#e9f3e6',
  publicText: '#248814',
  privateFill: '#e6f2f8',
  privateText: '#147eba',
  green: '#00994d',
  blue: '#007fff',
  yellow: '#ffd966',
  orange: '#ff9900',
  purple: '#4d27aa',
  ec2: '#d45b07',
  forward: '#0b8f3a',
  reply: '#d9261c',
  stepFill: '#f8cecc',
  stepStroke: '#b85450',
  grey: '#555555',
  ink: '#1a1a1a',
} as const;
