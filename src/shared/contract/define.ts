import type { z } from 'zod';

/** A request/response call. `job` marks long work that reports progress and can be cancelled. */
export interface CallSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  /** One line for people: shown in docs and in the CLI's help for the matching command. */
  readonly summary: string;
  readonly job?: boolean;
}

/** A push from main. Subscribers receive payloads until they call the returned unsubscribe. */
export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
  readonly summary: string;
}

export const defineCall = <Req extends z.ZodType, Res extends z.ZodType>(spec: CallSpec<Req, Res>): CallSpec<Req, Res> => spec;
export const defineEvent = <P extends z.ZodType>(spec: EventSpec<P>): EventSpec<P> => spec;
