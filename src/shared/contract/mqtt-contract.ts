// The mqtt area's calls and events. Empty until the area is built; see docs/architecture.md.
export const mqttCalls = {} as const;
export const mqttEvents = {} as const;
