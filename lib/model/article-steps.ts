/**
 * The seed article's step numbers (1-8), given at the edge from what the walk says happened
 * (`Milestone`s): the components never number anything.
 *
 * Request: (1) the client sends and its subnet routes, (2) the NAT's ENI receives, (3) the NAT
 * translates and its subnet routes, (4) the IGW maps out, (5) the internet carries it, (6) the
 * server receives. Reply: (6) the server replies, (7) the IGW maps in, (8) the NAT maps back
 * and the client receives.
 */
import type { Milestone } from './components/component';

type Rule = number | 'keep' | 'keep-or-8';

const REQUEST: Readonly<Record<Milestone, Rule>> = {
  send: 1,
  'nat-ingress': 2,
  'nat-receive': 2,
  'nat-translate': 3,
  'nat-reverse': 'keep',
  'igw-out': 4,
  'igw-in': 'keep',
  internet: 5,
  receive: 6,
};

const REPLY: Readonly<Record<Milestone, Rule>> = {
  send: 6,
  // A reply crossing into the NAT's subnet is already in step 7 or 8.
  'nat-ingress': 'keep-or-8',
  'nat-receive': 'keep',
  'nat-translate': 'keep',
  'nat-reverse': 8,
  'igw-out': 'keep',
  'igw-in': 7,
  internet: 'keep',
  receive: 8,
};

/** The step after `milestone`, given the step the walk was in. */
export function articleStep(current: number | undefined, milestone: Milestone, isReply: boolean): number | undefined {
  const rule = (isReply ? REPLY : REQUEST)[milestone];
  if (rule === 'keep') return current;
  if (rule === 'keep-or-8') return current ?? 8;
  return rule;
}
