/**
 * The ICMP type and code of a security group or network ACL rule, as AWS writes them, in the
 * model's terms. Security groups carry them in FromPort (type) and ToPort (code); network ACL
 * entries in `Icmp` (templates) or `IcmpTypeCode` (describe). -1 or absent means any.
 */

/** The model's fields of an ICMP rule: absent when the rule admits every type (or code). */
export interface IcmpFields {
  /** The one ICMP type the rule admits. */
  icmpType?: number;
  /** The one ICMP code the rule admits. */
  icmpCode?: number;
}

/** What is wrong with one value, for the source to report with its location. */
export interface IcmpProblem {
  /** Which value: "type" or "code". */
  readonly field: 'type' | 'code';
  /** One sentence: what is wrong. */
  readonly message: string;
}

function one(value: unknown, field: 'type' | 'code'): number | undefined | IcmpProblem {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < -1 || n > 255) return { field, message: `ICMP ${field} ${JSON.stringify(value)} is not -1 (any) or an integer 0-255` };
  return n === -1 ? undefined : n;
}

/**
 * ICMP type and code as written (numbers, or numeric strings from templates) -> the rule's
 * fields, or the problem with the first bad value.
 */
export function icmpFields(type: unknown, code: unknown): IcmpFields | IcmpProblem {
  const t = one(type, 'type');
  if (typeof t === 'object') return t;
  const c = one(code, 'code');
  if (typeof c === 'object') return c;
  return { ...(t !== undefined ? { icmpType: t } : {}), ...(c !== undefined ? { icmpCode: c } : {}) };
}

/** True when `icmpFields` found a bad value. */
export function isIcmpProblem(value: IcmpFields | IcmpProblem): value is IcmpProblem {
  return 'message' in value;
}
