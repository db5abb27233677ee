/**
 * What the twin needs from the machine: root (namespaces and nftables need CAP_NET_ADMIN) and
 * the commands ip, nft, conntrack and tcpdump. Missing pieces become one PrerequisiteError
 * that names each of them and how to get it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PrerequisiteError } from '../errors';

/** The commands the twin runs, with the Debian package that has each. */
export const TWIN_COMMANDS: ReadonlyArray<{ readonly command: string; readonly pkg: string }> = [
  { command: 'ip', pkg: 'iproute2' },
  { command: 'nft', pkg: 'nftables' },
  { command: 'conntrack', pkg: 'conntrack' },
  { command: 'tcpdump', pkg: 'tcpdump' },
];

/** The one command that installs everything the twin needs on Debian/Ubuntu. */
export const INSTALL_HINT = 'apt-get install -y iproute2 nftables conntrack tcpdump';

function onPath(command: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What is missing, as sentences (empty when the twin can run). */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    missing.push('root (network namespaces and nftables need it): run with sudo, e.g. `sudo npm start` or `sudo npx natlab lab`');
  }
  const commands = TWIN_COMMANDS.filter((c) => !onPath(c.command));
  if (commands.length) {
    missing.push(`${commands.map((c) => `\`${c.command}\` (package ${c.pkg})`).join(', ')}: install with \`${INSTALL_HINT}\``);
  }
  return missing;
}

/** Throws a PrerequisiteError naming everything that is missing. */
export function assertTwinPrerequisites(): void {
  const missing = missingPrerequisites();
  if (missing.length) throw new PrerequisiteError(`the local twin needs ${missing.join('; and ')}`);
}
