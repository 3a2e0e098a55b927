import { create } from 'zustand';

/**
 * "Re-issue with these SANs" from wherever a SAN problem is found (the host check, the listener matrix,
 * the network cross-check): features do not import each other, so the finder puts the request here and
 * the renew dialog, mounted once at the app root, opens prefilled over the page the person is on.
 */
export interface ReissueRequest {
  certificateId: string;
  /** The SANs the new certificate should list, prefilled and editable; absent keeps the certificate's. */
  sans?: string[];
  /** The node whose broker listener uses the certificate: after renewing, offer to apply it there. */
  nodeId?: string;
  /** Why, in a sentence, shown above the SANs ("The broker's certificate does not list 192.168.2.197."). */
  why?: string;
}

/** A renewed certificate waiting to be put on a node's listener through the edge apply flow. */
export interface PendingApply {
  nodeId: string;
  certificateId: string;
}

interface ReissueState {
  request: ReissueRequest | undefined;
  open: (request: ReissueRequest) => void;
  close: () => void;
  pendingApply: PendingApply | undefined;
  requestApply: (apply: PendingApply) => void;
  /** The edge area takes the pending apply once it has opened the broker setup with it. */
  takeApply: () => PendingApply | undefined;
}

export const useReissueStore = create<ReissueState>()((set, get) => ({
  request: undefined,
  open: (request) => set({ request }),
  close: () => set({ request: undefined }),
  pendingApply: undefined,
  requestApply: (pendingApply) => set({ pendingApply }),
  takeApply: () => {
    const p = get().pendingApply;
    if (p) set({ pendingApply: undefined });
    return p;
  },
}));
