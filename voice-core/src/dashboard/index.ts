export * from './bucket-grid';
export * from './latency';
export * from './objections';
export * from './learning-graph';
export * from './reads';
