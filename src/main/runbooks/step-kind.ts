import type { z } from 'zod';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import type { CheckItem, PlannedChange } from '@shared/contract/runbooks-contract';

/**
 * How a step reaches the rest of Fieldbench: the same contract calls, validated by the same dispatcher, as
 * the UI and the CLI make. A step composes capabilities; it never reaches into another area's internals.
 */
export type Caller = <N extends CallName>(name: N, request: CallRequest<N>, options?: { progress?: (message: string) => void }) => Promise<CallResponse<N>>;

export interface StepContext {
  call: Caller;
  log(message: string, level?: 'info' | 'change' | 'warn'): void;
  signal: AbortSignal;
  /** True while planning a dry run: check and plan only, and earlier outputs may be unknown. */
  dryRun: boolean;
  /** Shows a live countdown on the step while it waits (seconds from now); undefined stops it. */
  countdown(c: { seconds: number; kind: 'wait' | 'rollback'; what: string } | undefined): void;
}

/** What check saw: items for the as-found record, the observation plan needs, and outputs already known. */
export interface Observation<O = unknown> {
  items: CheckItem[];
  observed: O;
  /** Outputs known without changing anything (an existing CA's id): later steps and a no-change run use them. */
  outputs?: Record<string, unknown>;
}

export interface Verification {
  items: CheckItem[];
  /**
   * What this step left on the node or in the vault, as stable text (an object's spec, a certificate's serial):
   * the report's configuration fingerprint is a hash over every step's parts, and `verify` names the part that changed.
   */
  fingerprint: Record<string, string>;
}

/**
 * One kind of runbook step, Ansible-shaped: check what is there, plan the difference (empty = nothing to
 * change), apply it, verify it. Every kind is idempotent: apply after a failure finishes the job.
 */
export interface StepKind<I = unknown, O = unknown> {
  name: string;
  title: string;
  /** Changes the node's network or the default listener: runs only with an explicit confirm. */
  risky: boolean;
  /** What the person confirms for a risky step, as the checkbox says it. */
  confirmText?: string;
  /** Changes nothing, only waits or tests (in verify): a dry run lists it as still to do, never as "in place". */
  verifyOnly?: boolean;
  input: z.ZodType<I>;
  /** Names of the outputs later steps may reference as ${steps.<id>.<output>}. */
  outputs: readonly string[];
  /** A stand-in value of an output while the document is checked. */
  sampleOutput(name: string): unknown;
  check(input: I, ctx: StepContext): Promise<Observation<O>>;
  plan(input: I, found: Observation<O>, ctx: StepContext): Promise<PlannedChange[]>;
  apply(input: I, found: Observation<O>, ctx: StepContext): Promise<Record<string, unknown>>;
  verify(input: I, outputs: Record<string, unknown>, ctx: StepContext): Promise<Verification>;
}

export type StepKinds = ReadonlyMap<string, StepKind<never, unknown>>;

/** Keeps each kind's input type while the registry holds them side by side. */
export function defineStep<I, O>(kind: StepKind<I, O>): StepKind<never, unknown> {
  return kind as unknown as StepKind<never, unknown>;
}
