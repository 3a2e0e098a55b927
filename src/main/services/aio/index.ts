// The AIO area's exported interface to other areas' services.
export type { AioOperation } from './aio-service';
