export * from './mask-directory';
export * from './mask-directory.module';
