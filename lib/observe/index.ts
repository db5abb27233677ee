/** Observations in: flow logs on a NAT Gateway ENI (and, as they come, server and probe records). */
export * from './flowlogs';
