// The edge area's calls and events. Empty until the area is built; see docs/architecture.md.
export const edgeCalls = {} as const;
export const edgeEvents = {} as const;
