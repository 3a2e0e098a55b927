// The AIO broker area's calls and events (resources on the cluster). Empty until the area is built.
export const aioCalls = {} as const;
export const aioEvents = {} as const;
