/**
 * Values a source cannot know before deploy (an Elastic IP's address, an auto-assigned public
 * IP), written as `<where it comes from>` per lib/model/types.ts `IpValue`.
 */

/** `<what>`: an address that only exists after deploy, naming where it comes from. */
export function unresolvedIp(what: string): string {
  return `<${what}>`;
}

/** True for a value written by `unresolvedIp`. */
export function isUnresolved(value: string): boolean {
  return value.startsWith('<') && value.endsWith('>');
}
