/**
 * @mailyard/mailstore — encrypted per-mailbox storage (work in progress; see types.ts for the contract).
 */
export type * from './types.js';
