export * from './default-consents';
export * from './case.service';
export * from './cases.module';
