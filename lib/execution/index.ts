export * from './cost-model.ts';
export * from './fill-model.ts';
