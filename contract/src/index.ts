export * from './enums';
export * from './time';
export * from './queries';
export * from './frames';
export * from './health';
export * from './variables';
