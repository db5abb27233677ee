/** natlab's public API: the model, the topology sources and the CDK constructs. */
export * from './model';
export * from './observe';
export * from './construct';
