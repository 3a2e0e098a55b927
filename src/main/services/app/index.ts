// The app folder's exported interface to other areas' services: how a person's name for a thing becomes its id.
export { resolveByName, type NameKind } from './name-resolver';
