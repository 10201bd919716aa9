export * from './calls';
export * from './transcripts';
export * from './learning';
export * from './vectors';
