import { z } from 'zod';

// The contract's scalar building blocks, once: every area's ids, secrets and paths have the same limits.

/** An id Fieldbench made (node, key, profile, connection, subscription). */
export const Id = z.string().min(1).max(100);
/** A certificate's id (its SHA-256 fingerprint or an imported certificate's longer id). */
export const CertificateId = z.string().min(1).max(200);
/** A password, passphrase, token or private key in PEM: travels to main only, never back. */
export const Secret = z.string().min(1).max(16_384);
/** A path on the machine running main. */
export const FilePath = z.string().min(1).max(4096);
