export type { ListenOptions, RunningFake } from './http.js';
