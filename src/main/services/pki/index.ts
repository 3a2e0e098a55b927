// The PKI engine's exported interface to other areas' services.
export type { CreateServerRequest, PkiOperationOptions } from './pki-service';
