/**
 * A UTF-8 byte order mark, which Windows editors put before JSON and YAML: the text after it
 * is what the file holds (JSON.parse itself refuses the mark).
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
