// The network area's calls and events. Empty until the area is built; see docs/architecture.md.
export const networkCalls = {} as const;
export const networkEvents = {} as const;
