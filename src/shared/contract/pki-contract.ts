// The pki area's calls and events. Empty until the area is built; see docs/architecture.md.
export const pkiCalls = {} as const;
export const pkiEvents = {} as const;
