export * from './domain';
export * from './ports';
export * from './stores';
export { instrumentStore } from './metrics/store-metrics';
